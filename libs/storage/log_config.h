// LogConfig holds one partition log's settings, named after the Kafka topic configs they implement
// (defaults match Kafka's). The broker builds it from topic configs; the log validates it at open.
#pragma once

#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace eddy::storage {

struct LogConfig {
  // segment.bytes: roll when the active segment would exceed this. Bytes, default 1 GiB, [1 KiB, 2 GiB).
  uint64_t segment_bytes = 1ull << 30;
  // segment.ms: roll a non-empty active segment this long after it was opened. Default 7 days.
  absl::Duration segment_ms = absl::Hours(24 * 7);
  // segment.index.bytes: offset-index cap; a full index rolls the segment. Default 10 MiB, >= 8.
  uint64_t segment_index_bytes = 10ull << 20;
  // index.interval.bytes: log bytes between index entries (bounds the read scan). Default 4096.
  uint64_t index_interval_bytes = 4096;
  // flush.messages: fsync after this many records. Default: never (the OS writes back; replication
  // provides durability, as in Kafka). 1 = fsync every batch.
  int64_t flush_messages = std::numeric_limits<int64_t>::max();
  // flush.ms: fsync when the last fsync is older than this. Default: never.
  absl::Duration flush_ms = absl::InfiniteDuration();
  // log.flush.offset.checkpoint.interval.ms: how often the recovery point checkpoint is rewritten after
  // flushes (it costs three fsyncs, so not on every flush). Default 60 s.
  absl::Duration recovery_point_checkpoint_interval = absl::Seconds(60);
  // retention.ms: delete closed segments whose newest record is older. InfiniteDuration() = -1 (keep).
  absl::Duration retention_ms = absl::Hours(24 * 7);
  // retention.bytes: delete oldest closed segments while the log exceeds this. -1 = unlimited.
  int64_t retention_bytes = -1;
  // cleanup.policy: `delete` applies retention (ApplyRetention), `compact` enables Compact(); Kafka's
  // "compact,delete" sets both. Default: delete only.
  bool cleanup_delete = true;
  bool cleanup_compact = false;
  // delete.retention.ms: a tombstone (null value) survives compaction until its timestamp is this old,
  // so consumers that read to the end within the window see the delete. Default 1 day.
  absl::Duration delete_retention_ms = absl::Hours(24);
  // min.cleanable.dirty.ratio: compact only when dirty bytes / cleanable bytes reach this. Default 0.5.
  double min_cleanable_dirty_ratio = 0.5;
  // min.compaction.lag.ms: a segment whose newest record is younger than this is not compacted yet.
  absl::Duration min_compaction_lag_ms = absl::ZeroDuration();
  // message.timestamp.type: false = CreateTime (the producer's timestamps, Kafka's default); true =
  // LogAppendTime, where a leader append stamps each batch with the broker's clock (see
  // internal::SetLogAppendTime). Followers keep the leader's bytes.
  bool log_append_time = false;
  // verify_crc_on_append: check each appended batch's CRC-32C (the leader validates anyway; this is
  // the storage layer's own guard against corrupting the log). Default true.
  bool verify_crc_on_append = true;
  // verify_crc_on_read: check each batch's CRC when read, so media corruption is reported (with file
  // and position) instead of served. Default true.
  bool verify_crc_on_read = true;

  absl::Status Validate() const;
};

}  // namespace eddy::storage
