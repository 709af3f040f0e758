// LeaderEpochCache maps each leader epoch to the first offset written in it, the bookkeeping KIP-101
// adds so a follower can truncate by epoch (OffsetsForLeaderEpoch) instead of by high watermark.
// It is checkpointed as `leader-epoch-checkpoint` in Kafka's text format ({epoch start_offset} lines),
// replaced atomically on every change; changes happen once per leadership change, not per append.
//
// Invariant: entries are strictly increasing in both epoch and start offset.
// Thread-safety: not thread-safe; PartitionLog serialises access under its lock.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/strong_id.h"
#include "libs/storage/file_system.h"

namespace eddy::storage {

class LeaderEpochCache {
 public:
  struct Entry {
    LeaderEpoch epoch;
    Offset start_offset;
    friend bool operator==(const Entry&, const Entry&) = default;
  };

  // kUndefinedEpoch / kUndefinedOffset are Kafka's -1 answers to OffsetsForLeaderEpoch.
  static constexpr LeaderEpoch kUndefinedEpoch{-1};
  static constexpr Offset kUndefinedOffset{-1};

  // Load reads the checkpoint at `path` (empty cache if missing; DataLoss if corrupt or out of order).
  static absl::StatusOr<std::unique_ptr<LeaderEpochCache>> Load(FileSystem& fs, std::string path);

  // Assign records that `epoch` starts at `start_offset`, as Kafka's LeaderEpochFileCache.assign:
  // no-op for the latest epoch at a later offset; otherwise entries whose epoch >= `epoch` or whose
  // start offset >= `start_offset` are removed first. Negative epochs (pre-KIP-101 data) are ignored.
  // Marks the cache dirty; Persist() writes it.
  void Assign(LeaderEpoch epoch, Offset start_offset);

  // EndOffsetForEpoch answers OffsetsForLeaderEpoch (KIP-101, refined by KIP-279): for the latest
  // epoch, (epoch, log_end); for an earlier known epoch, (the largest epoch <= requested, start offset
  // of the next larger epoch); for an epoch below all known ones, (requested, first start offset);
  // for an epoch above all known ones or an undefined one, (-1, -1).
  std::pair<LeaderEpoch, Offset> EndOffsetForEpoch(LeaderEpoch requested, Offset log_end) const;

  // TruncateFromEnd removes entries starting at or after `end_offset` (log truncated to it).
  void TruncateFromEnd(Offset end_offset);

  // TruncateFromStart drops entries wholly below `start_offset` (log start moved): the latest entry
  // starting at or before it is kept and moved up to `start_offset`.
  void TruncateFromStart(Offset start_offset);

  // Persist writes the checkpoint if anything changed since the last write.
  absl::Status Persist();

  std::optional<Entry> Latest() const;
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  LeaderEpochCache(FileSystem& fs, std::string path) : fs_(fs), path_(std::move(path)) {}

  FileSystem& fs_;
  std::string path_;
  std::vector<Entry> entries_;
  bool dirty_ = false;
};

}  // namespace eddy::storage
