// MemoryStorage is a Storage held in memory, for unit tests and the simulation. "Durable" means
// "saved": the simulation models a crash by dropping the node and every Output it had not yet
// saved, then restarting from the same MemoryStorage. Thread-safety: none; one driver owns it.
#pragma once

#include <cstddef>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/raft/storage.h"
#include "libs/raft/types.h"

namespace eddy::raft {

class MemoryStorage final : public Storage {
 public:
  // A fresh node: a founding member passes the initial configuration (saved with Bootstrap), a node
  // that will be added later passes nothing.
  explicit MemoryStorage(const ConfState& initial_conf = {});

  absl::StatusOr<HardState> LoadHardState() const override;
  absl::StatusOr<Snapshot> LoadSnapshot() const override;
  absl::StatusOr<LogIndex> FirstIndex() const override;
  absl::StatusOr<LogIndex> LastIndex() const override;
  absl::StatusOr<Term> TermAt(LogIndex index) const override;
  absl::StatusOr<std::vector<Entry>> Entries(LogIndex from, LogIndex to,
                                             size_t max_bytes) const override;
  absl::Status Save(const PersistRequest& request) override;

  // saves counts Save() calls that wrote something, for tests.
  int saves() const { return saves_; }

 private:
  absl::Status ApplySnapshot(const Snapshot& snapshot);
  absl::Status Append(const std::vector<Entry>& entries);

  HardState hard_state_;
  Snapshot snapshot_;
  std::vector<Entry> entries_;  // entries_[i].index == snapshot_.metadata.index + 1 + i
  int saves_ = 0;
};

}  // namespace eddy::raft
