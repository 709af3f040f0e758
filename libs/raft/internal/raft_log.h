// RaftLog is a node's in-memory view of its log: the latest snapshot's metadata followed by every
// entry after it. A metadata log is compacted by snapshots, so the whole suffix fits in memory and
// the core never reads Storage while it runs (which keeps it pure).
//
// It also tracks durability for the driver contract in types.h:
//   unstable_from: first index not yet handed to the driver in a PersistRequest;
//   durable_last:  highest index known to be saved with the same content as this log.
// Invariants: snapshot.index < first_index() == snapshot.index + 1; entries are contiguous;
// durable_last <= last_index(); unstable_from <= last_index() + 1; every entry below unstable_from
// was handed out (possibly not saved yet).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "libs/raft/types.h"

namespace eddy::raft::internal {

class RaftLog {
 public:
  // A log restored from storage: everything given here is durable already.
  RaftLog(SnapshotMetadata snapshot, std::vector<Entry> entries);

  const SnapshotMetadata& snapshot() const { return snapshot_; }
  LogIndex first_index() const { return snapshot_.index + 1; }
  LogIndex last_index() const { return snapshot_.index + static_cast<int64_t>(entries_.size()); }
  Term last_term() const;

  // TermAt returns the term at `index` (the snapshot's term for its index), nullopt when compacted
  // away or past the end.
  std::optional<Term> TermAt(LogIndex index) const;
  bool MatchTerm(LogIndex index, Term term) const { return TermAt(index) == term; }
  // At returns the entry at `index`. REQUIRES: first_index() <= index <= last_index().
  const Entry& At(LogIndex index) const { return entries_[index - first_index()]; }

  // IsUpToDate: a candidate whose last entry is (index, term) is at least as up to date as this log
  // (§5.4.1).
  bool IsUpToDate(LogIndex index, Term term) const;

  // Append adds entries at their own indexes, dropping every entry from the first index whose term
  // differs (§5.3 step 3). Entries already present with the same term are left alone, so a
  // duplicated or reordered AppendEntries never truncates. REQUIRES: entries are contiguous and
  // entries.front().index <= last_index() + 1 and > snapshot index.
  // Returns the first index truncated, if any.
  std::optional<LogIndex> Append(const std::vector<Entry>& entries);

  // Slice returns entries [from, to) up to max_bytes of data (at least one).
  // REQUIRES: first_index() <= from <= to <= last_index() + 1.
  std::vector<Entry> Slice(LogIndex from, LogIndex to, size_t max_bytes) const;

  // CompactTo drops the entries up to and including `snapshot.index`, which this log holds.
  void CompactTo(const SnapshotMetadata& snapshot);
  // Restore installs a snapshot received from the leader: the suffix after its index is kept only
  // when this log has the snapshot's last entry (§7). Returns true when the suffix was kept.
  bool Restore(const SnapshotMetadata& snapshot);

  // ConfAt returns the configuration in force once the log up to `index` is appended: that of the
  // last conf-change entry at or before `index`, else the snapshot's (diss. §4.1: a change takes
  // effect when appended).
  ConfState ConfAt(LogIndex index) const;
  // LastConfIndex is the index of the last conf-change entry, or the snapshot index if none.
  LogIndex LastConfIndex() const;

  // TakeUnstable returns the entries not yet handed to the driver and marks them handed out.
  std::vector<Entry> TakeUnstable();
  bool HasUnstable() const { return unstable_from_ <= last_index(); }
  LogIndex durable_last() const { return durable_last_; }
  // MarkDurable records that the entry (index, term) and so, by log matching, every entry before it
  // is saved, unless this log no longer holds that entry.
  void MarkDurable(LogIndex index, Term term);

 private:
  SnapshotMetadata snapshot_;
  std::vector<Entry> entries_;
  LogIndex unstable_from_;
  LogIndex durable_last_;
};

}  // namespace eddy::raft::internal
