// RocksDbStorage is the durable raft::Storage: a RocksDB database in its own directory holding one
// node's hard state, latest snapshot and log. Every Save() is one WriteBatch written with
// sync=true, so when it returns the whole PersistRequest (term, vote and entries included) is on
// disk, and after a crash either all of it is visible or none of it.
//
// Key layout (default column family; values are proto/eddy/v1/raft.proto messages, so they stay
// readable as the format grows):
//   "m/format"         -> decimal format version ("1")
//   "m/hard_state"     -> RaftHardState
//   "m/snapshot"       -> RaftSnapshotMetadata (index, term, configuration)
//   "m/snapshot_data"  -> the state machine's snapshot bytes, as given
//   "e/" + 8-byte big-endian index -> RaftEntry
// Big-endian keys sort entries by index, so the first and last entries are the first and last keys
// under "e/". A fresh database gets an empty snapshot (index 0, term 0, no voters) in the same
// synced batch as its format key; a founding member then saves its bootstrap like any
// PersistRequest.
//
// Invariants (checked at Open, which refuses a database that breaks them with DataLoss): the
// entries are exactly the contiguous indexes (snapshot index, last]; each entry's key matches its
// stored index. The read side answers FirstIndex/LastIndex from memory and TermAt/Entries from
// RocksDB.
// Thread-safety: none; one driver owns it (reads during Restore, then Save from the driver thread).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/raft/storage.h"
#include "libs/raft/types.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace eddy::raft {

// RocksDbStorageOptions: the RocksDB tuning a Raft log needs. The controller's log is small and
// compacted by snapshots, so the defaults keep memory low.
struct RocksDbStorageOptions {
  size_t write_buffer_bytes = 4 << 20;    // memtable size; bytes, >= 64 KiB
  int max_write_buffers = 2;              // memtables held before writes stall; >= 2
  size_t block_cache_bytes = 8 << 20;     // LRU cache for reads at restart; bytes, > 0
  int max_background_jobs = 2;            // flush + compaction threads; >= 1
  size_t max_total_wal_bytes = 64 << 20;  // forces a flush when the WAL grows past it; bytes, > 0
  bool compress = true;                   // LZ4 for SST blocks (values are protobuf + app data)

  absl::Status Validate() const;
};

class RocksDbStorage final : public Storage {
 public:
  // Open opens (creating if missing) the database in `dir`.
  // Errors: InvalidArgument for bad options; the RocksDB error mapped to a Status (IOError ->
  // Unavailable, Corruption -> DataLoss) when it cannot be opened; DataLoss when the contents break
  // the invariants above.
  static absl::StatusOr<std::unique_ptr<RocksDbStorage>> Open(const std::string& dir,
                                                              RocksDbStorageOptions options = {});
  ~RocksDbStorage() override;

  RocksDbStorage(const RocksDbStorage&) = delete;
  RocksDbStorage& operator=(const RocksDbStorage&) = delete;

  absl::StatusOr<HardState> LoadHardState() const override;
  absl::StatusOr<Snapshot> LoadSnapshot() const override;
  absl::StatusOr<LogIndex> FirstIndex() const override;
  absl::StatusOr<LogIndex> LastIndex() const override;
  absl::StatusOr<Term> TermAt(LogIndex index) const override;
  absl::StatusOr<std::vector<Entry>> Entries(LogIndex from, LogIndex to,
                                             size_t max_bytes) const override;
  // Save writes `request` as one synced WriteBatch: snapshot (truncating the log as PersistRequest
  // says), then entries (replacing any suffix from their first index), then hard state.
  // InvalidArgument when the entries do not start inside [FirstIndex, LastIndex + 1] after the
  // snapshot or are not contiguous; nothing is written then.
  absl::Status Save(const PersistRequest& request) override;

 private:
  RocksDbStorage(std::unique_ptr<rocksdb::DB> db, HardState hard_state, SnapshotMetadata snapshot,
                 LogIndex last_index);

  absl::StatusOr<Entry> ReadEntry(LogIndex index) const;

  std::unique_ptr<rocksdb::DB> db_;
  // Caches of what the database holds, updated only after a Save succeeded.
  HardState hard_state_;
  SnapshotMetadata snapshot_;
  LogIndex last_index_;
};

}  // namespace eddy::raft
