// Producer-state snapshot files: the broker's idempotence and transaction bookkeeping (last sequence
// per producer, open transactions) written beside the log as `<20-digit offset>.snapshot`, meaning
// "the producer state after applying every batch below this offset", so a restart replays only the
// log tail past the newest snapshot instead of the whole log (as Kafka's ProducerStateManager does).
//
// Format (big-endian; version 1):
//   version int16 | crc uint32 (CRC-32C of everything after this field) | count int32 | entries...
//   entry: producer_id int64 | producer_epoch int16 | last_sequence int32 | last_offset int64 |
//          offset_delta int32 | timestamp_ms int64 | coordinator_epoch int32 |
//          current_txn_first_offset int64 (-1: no open transaction)
// Files are written atomically (libs/storage/atomic_file.h). A short, mis-versioned or CRC-failing
// file is DataLoss naming it; the caller drops it and rebuilds from an older snapshot or the log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/strong_id.h"
#include "libs/storage/file_system.h"

namespace eddy::storage {

struct ProducerSnapshotEntry {
  ProducerId producer_id;
  ProducerEpoch producer_epoch;
  int32_t last_sequence = -1;
  Offset last_offset;
  int32_t offset_delta = 0;  // last offset - first offset of the producer's last batch
  int64_t timestamp_ms = -1;
  int32_t coordinator_epoch = -1;
  std::optional<Offset> current_txn_first_offset;

  friend bool operator==(const ProducerSnapshotEntry&, const ProducerSnapshotEntry&) = default;
};

// ProducerSnapshotPath is `dir`/<20-digit offset>.snapshot.
std::string ProducerSnapshotPath(const std::string& dir, Offset offset);

// WriteProducerSnapshot atomically writes the snapshot for `offset`.
absl::Status WriteProducerSnapshot(FileSystem& fs, const std::string& dir, Offset offset,
                                   const std::vector<ProducerSnapshotEntry>& entries);

// ReadProducerSnapshot reads and validates one snapshot file.
absl::StatusOr<std::vector<ProducerSnapshotEntry>> ReadProducerSnapshot(FileSystem& fs, const std::string& path);

// ListProducerSnapshots returns the offsets of the snapshots in `dir`, ascending.
absl::StatusOr<std::vector<Offset>> ListProducerSnapshots(FileSystem& fs, const std::string& dir);

// DeleteProducerSnapshotsOutside removes snapshots below `start` (their log was deleted) or above
// `end` (the log was truncated below them), keeping those in [start, end].
absl::Status DeleteProducerSnapshotsOutside(FileSystem& fs, const std::string& dir, Offset start, Offset end);

}  // namespace eddy::storage
