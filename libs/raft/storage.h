// Storage is a Raft node's durable state as its driver sees it: the hard state (term, vote,
// commit), the latest snapshot (metadata and data) and the log entries after it. The core never
// touches a Storage while it runs; the driver writes each Output's PersistRequest with Save() and,
// at restart, RaftNode::Restore() reads everything back through the read side. So an implementation
// needs no locking against the core, only Save's atomicity: after a crash, either all of a
// PersistRequest is visible or none of it.
//
// Invariants (every implementation): FirstIndex() == snapshot index + 1; LastIndex() >= snapshot
// index; entries in [FirstIndex(), LastIndex()] are contiguous; hard_state.commit <= LastIndex().
//
// MemoryStorage (below) is the in-memory implementation for tests and the simulation: a simulated
// crash keeps exactly what was saved.
#pragma once

#include <cstddef>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/raft/types.h"

namespace eddy::raft {

class Storage {
 public:
  virtual ~Storage() = default;

  // LoadHardState returns the saved hard state (all zero for a fresh node).
  virtual absl::StatusOr<HardState> LoadHardState() const = 0;

  // LoadSnapshot returns the latest snapshot; a node that never had one returns index 0, term 0,
  // an empty configuration and empty data.
  virtual absl::StatusOr<Snapshot> LoadSnapshot() const = 0;

  // FirstIndex is the first entry's index (snapshot index + 1); LastIndex the last entry's, or the
  // snapshot index when no entry follows it.
  virtual absl::StatusOr<LogIndex> FirstIndex() const = 0;
  virtual absl::StatusOr<LogIndex> LastIndex() const = 0;

  // TermAt returns the term of the entry at `index`, or the snapshot's term for its index.
  // OutOfRange for any other index.
  virtual absl::StatusOr<Term> TermAt(LogIndex index) const = 0;

  // Entries returns the entries in [from, to) (at most max_bytes of data, but at least one entry).
  // REQUIRES: FirstIndex() <= from <= to <= LastIndex() + 1; OutOfRange otherwise.
  virtual absl::StatusOr<std::vector<Entry>> Entries(LogIndex from, LogIndex to,
                                                     size_t max_bytes) const = 0;

  // Save makes `request` durable atomically (see PersistRequest for the order of its parts).
  virtual absl::Status Save(const PersistRequest& request) = 0;
};

}  // namespace eddy::raft
