#include "libs/raft/memory_storage.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace eddy::raft {

MemoryStorage::MemoryStorage(const ConfState& initial_conf) {
  if (!initial_conf.voters.empty()) {
    absl::Status bootstrapped = Save(Bootstrap(initial_conf));
    assert(bootstrapped.ok());
    (void)bootstrapped;
    saves_ = 0;
  }
}

absl::StatusOr<HardState> MemoryStorage::LoadHardState() const { return hard_state_; }

absl::StatusOr<Snapshot> MemoryStorage::LoadSnapshot() const { return snapshot_; }

absl::StatusOr<LogIndex> MemoryStorage::FirstIndex() const { return snapshot_.metadata.index + 1; }

absl::StatusOr<LogIndex> MemoryStorage::LastIndex() const {
  return snapshot_.metadata.index + static_cast<int64_t>(entries_.size());
}

absl::StatusOr<Term> MemoryStorage::TermAt(LogIndex index) const {
  if (index == snapshot_.metadata.index) return snapshot_.metadata.term;
  const int64_t offset = index - (snapshot_.metadata.index + 1);
  if (offset < 0 || offset >= static_cast<int64_t>(entries_.size())) {
    return absl::OutOfRangeError(absl::StrCat("raft storage: no entry at index ", index.value()));
  }
  return entries_[offset].term;
}

absl::StatusOr<std::vector<Entry>> MemoryStorage::Entries(LogIndex from, LogIndex to,
                                                          size_t max_bytes) const {
  const LogIndex first = snapshot_.metadata.index + 1;
  const LogIndex last = snapshot_.metadata.index + static_cast<int64_t>(entries_.size());
  if (from < first || to < from || to > last + 1) {
    return absl::OutOfRangeError(absl::StrCat("raft storage: entries [", from.value(), ", ",
                                              to.value(), ") outside [", first.value(), ", ",
                                              last.value() + 1, ")"));
  }
  std::vector<Entry> out;
  size_t bytes = 0;
  for (LogIndex i = from; i < to; ++i) {
    const Entry& e = entries_[i - first];
    if (!out.empty() && bytes + e.data.size() > max_bytes) break;
    bytes += e.data.size();
    out.push_back(e);
  }
  return out;
}

absl::Status MemoryStorage::ApplySnapshot(const Snapshot& snapshot) {
  const LogIndex index = snapshot.metadata.index;
  std::vector<Entry> kept;
  absl::StatusOr<Term> term = TermAt(index);
  // Keep the suffix only when our log agrees with the snapshot at its last entry (§7).
  if (term.ok() && *term == snapshot.metadata.term && index > snapshot_.metadata.index) {
    kept.assign(entries_.begin() + (index - (snapshot_.metadata.index + 1)) + 1, entries_.end());
  }
  snapshot_ = snapshot;
  entries_ = std::move(kept);
  return absl::OkStatus();
}

absl::Status MemoryStorage::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return absl::OkStatus();
  const LogIndex first = snapshot_.metadata.index + 1;
  const LogIndex last = snapshot_.metadata.index + static_cast<int64_t>(entries_.size());
  const LogIndex from = entries.front().index;
  if (from < first || from > last + 1) {
    return absl::InvalidArgumentError(absl::StrCat("raft storage: append at ", from.value(),
                                                   " outside [", first.value(), ", ",
                                                   last.value() + 1, "]"));
  }
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].index != entries[i - 1].index + 1) {
      return absl::InvalidArgumentError("raft storage: appended entries are not contiguous");
    }
  }
  entries_.resize(from - first);
  entries_.insert(entries_.end(), entries.begin(), entries.end());
  return absl::OkStatus();
}

absl::Status MemoryStorage::Save(const PersistRequest& request) {
  if (request.empty()) return absl::OkStatus();
  if (request.snapshot) EDDY_RETURN_IF_ERROR(ApplySnapshot(*request.snapshot));
  EDDY_RETURN_IF_ERROR(Append(request.entries));
  if (request.hard_state) hard_state_ = *request.hard_state;
  ++saves_;
  return absl::OkStatus();
}

}  // namespace eddy::raft
