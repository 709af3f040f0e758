#include "libs/raft/internal/raft_log.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace eddy::raft::internal {

RaftLog::RaftLog(SnapshotMetadata snapshot, std::vector<Entry> entries)
    : snapshot_(std::move(snapshot)), entries_(std::move(entries)) {
  unstable_from_ = last_index() + 1;
  durable_last_ = last_index();
}

Term RaftLog::last_term() const { return entries_.empty() ? snapshot_.term : entries_.back().term; }

std::optional<Term> RaftLog::TermAt(LogIndex index) const {
  if (index == snapshot_.index) return snapshot_.term;
  if (index < first_index() || index > last_index()) return std::nullopt;
  return At(index).term;
}

bool RaftLog::IsUpToDate(LogIndex index, Term term) const {
  const Term mine = last_term();
  return term > mine || (term == mine && index >= last_index());
}

std::optional<LogIndex> RaftLog::Append(const std::vector<Entry>& entries) {
  std::optional<LogIndex> truncated;
  for (const Entry& e : entries) {
    if (e.index <= last_index()) {
      if (At(e.index).term == e.term) continue;
      entries_.resize(e.index - first_index());
      truncated = e.index;
      unstable_from_ = std::min(unstable_from_, e.index);
      durable_last_ = std::min(durable_last_, e.index - 1);
    }
    assert(e.index == last_index() + 1);
    entries_.push_back(e);
  }
  return truncated;
}

std::vector<Entry> RaftLog::Slice(LogIndex from, LogIndex to, size_t max_bytes) const {
  std::vector<Entry> out;
  size_t bytes = 0;
  for (LogIndex i = from; i < to; ++i) {
    const Entry& e = At(i);
    if (!out.empty() && bytes + e.data.size() > max_bytes) break;
    bytes += e.data.size();
    out.push_back(e);
  }
  return out;
}

void RaftLog::CompactTo(const SnapshotMetadata& snapshot) {
  assert(snapshot.index >= snapshot_.index && snapshot.index <= last_index());
  entries_.erase(entries_.begin(), entries_.begin() + (snapshot.index - first_index() + 1));
  snapshot_ = snapshot;
  unstable_from_ = std::max(unstable_from_, snapshot.index + 1);
}

bool RaftLog::Restore(const SnapshotMetadata& snapshot) {
  if (MatchTerm(snapshot.index, snapshot.term) && snapshot.index >= snapshot_.index) {
    CompactTo(snapshot);
    return true;
  }
  // The stored log disagrees with the snapshot past what we knew durable, so nothing after the old
  // snapshot can count as durable until the new snapshot is saved.
  durable_last_ = std::min(durable_last_, snapshot_.index);
  entries_.clear();
  snapshot_ = snapshot;
  unstable_from_ = snapshot.index + 1;
  durable_last_ = std::min(durable_last_, snapshot.index);
  return false;
}

ConfState RaftLog::ConfAt(LogIndex index) const {
  for (LogIndex i = std::min(index, last_index()); i >= first_index(); --i) {
    const Entry& e = At(i);
    if (e.type != EntryType::kConfChange) continue;
    // Entries are validated when proposed, so a bad one means corrupted storage; the previous
    // configuration is the safest reading of it.
    absl::StatusOr<ConfState> conf = DecodeConfState(e.data);
    if (conf.ok()) return *std::move(conf);
  }
  return snapshot_.conf;
}

LogIndex RaftLog::LastConfIndex() const {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->type == EntryType::kConfChange) return it->index;
  }
  return snapshot_.index;
}

std::vector<Entry> RaftLog::TakeUnstable() {
  std::vector<Entry> out;
  if (unstable_from_ <= last_index())
    out.assign(entries_.begin() + (unstable_from_ - first_index()), entries_.end());
  unstable_from_ = last_index() + 1;
  return out;
}

void RaftLog::MarkDurable(LogIndex index, Term term) {
  if (index > durable_last_ && MatchTerm(index, term)) durable_last_ = index;
}

}  // namespace eddy::raft::internal
