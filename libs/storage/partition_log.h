// PartitionLog is one partition replica's log on local disk: an ordered set of segments
// (libs/storage/segment.h) in one directory, with the partition's checkpoints beside them:
//   recovery-point-offset-checkpoint  offset below which everything was fsynced
//   log-start-offset-checkpoint       first offset readable (DeleteRecords / retention)
//   leader-epoch-checkpoint           LeaderEpochCache (KIP-101)
// Record batches are stored as produced (Kafka RecordBatch v2); only baseOffset and
// partitionLeaderEpoch, both outside the CRC, are rewritten on a leader append.
//
// Durability follows Kafka: by default nothing is fsynced on append (flush.messages / flush.ms, or
// fsync-every-batch with flush_messages = 1). Open() recovers: segments at or past the recovery point
// are scanned and validated (length, magic, CRC, increasing offsets); a torn or corrupt tail is cut at
// the last valid batch, later segments are deleted, and indexes are rebuilt. Segments below the
// recovery point were fsynced, so corruption there is not repaired but reported (DataLoss) with the
// log directory and file. Every error from Open names the directory.
//
// Invariants: log_start_offset <= log_end_offset; recovery_point <= log_end_offset; segments' offset
// ranges are disjoint and increasing; the last segment is the active one (appends go there).
// Thread-safety: all methods are safe to call concurrently; reads share a lock, mutations exclude.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/clock.h"
#include "libs/common/strong_id.h"
#include "libs/storage/file_system.h"
#include "libs/storage/io_throttle.h"
#include "libs/storage/leader_epoch_cache.h"
#include "libs/storage/log_config.h"
#include "libs/storage/segment.h"
#include "libs/storage/storage_metrics.h"

namespace eddy::storage {

struct AppendResult {
  Offset base_offset;
  Offset last_offset;
  int64_t max_timestamp = -1;
  int32_t record_count = 0;
  // log_append_time_ms: the time stamped on the batches under LogAppendTime, else -1 (Kafka's
  // ProduceResponse logAppendTimeMs).
  int64_t log_append_time_ms = -1;
};

struct ReadOptions {
  // max_bytes: stop before exceeding this; the first batch is returned whole regardless (KIP-74).
  size_t max_bytes = 1 << 20;
  // max_offset: return only batches whose last offset is below this (the high watermark for
  // consumers). Unset: up to the log end.
  std::optional<Offset> max_offset;
  // verify_crc: check each returned batch's CRC. Unset: LogConfig::verify_crc_on_read. A consumer
  // fetch passes false, as Kafka brokers serve fetches without verifying (CRCs are checked on append
  // and on recovery, and the consumer checks them itself); replication and tools may verify.
  std::optional<bool> verify_crc;
};

struct ReadResult {
  std::string records;        // whole batches, possibly empty
  Offset next_offset;         // where the next read should start
};

// RecoveryStats says what Open() had to do, for logs and metrics.
struct RecoveryStats {
  int segments_loaded = 0;
  int segments_recovered = 0;   // scanned because at or past the recovery point
  int segments_deleted = 0;     // after a truncated tail, or below the log start offset
  uint64_t bytes_truncated = 0;
  absl::Duration duration;
};

// RetentionResult says what ApplyRetention() deleted.
struct RetentionResult {
  int segments_deleted = 0;
  uint64_t bytes_deleted = 0;
};

// CompactOptions bound one compaction pass; the background LogCleaner (log_cleaner.h) passes its own.
struct CompactOptions {
  // max_offset_map_bytes (log.cleaner.dedupe.buffer.size): memory for the map from key to latest
  // offset, counted as key bytes plus a fixed per-entry overhead. A dirty section with more keys is
  // cleaned in several passes, each ending where the map filled. Default 128 MiB.
  uint64_t max_offset_map_bytes = 128ull << 20;
  // throttle (log.cleaner.io.max.bytes.per.second): charged with every byte the pass reads and
  // writes. nullptr: unthrottled.
  IoThrottle* throttle = nullptr;
};

// CompactionResult says what one Compact() pass did.
struct CompactionResult {
  bool ran = false;          // false: nothing cleanable, or below min.cleanable.dirty.ratio
  double dirty_ratio = 0;    // dirty bytes / cleanable bytes when the pass started
  int segments_rewritten = 0;
  int64_t records_removed = 0;
  uint64_t bytes_before = 0;  // of the cleanable range
  uint64_t bytes_after = 0;
  Offset cleaned_up_to;      // first offset not cleaned (the new first dirty offset)
  bool offset_map_full = false;  // the pass stopped early at max_offset_map_bytes; run another
  int64_t aborted_batches_removed = 0;  // data batches of aborted transactions
  int64_t markers_removed = 0;          // transaction markers past delete.retention.ms with no data left
};

class PartitionLog {
 public:
  // Open loads (or creates) the log in `dir`, recovering as described above. `metrics`, if given,
  // must outlive the log; it is shared by all logs of a broker.
  static absl::StatusOr<std::unique_ptr<PartitionLog>> Open(FileSystem& fs, std::string dir, LogConfig config,
                                                            common::Clock& clock,
                                                            StorageMetrics* metrics = nullptr);
  ~PartitionLog();

  // AppendAsLeader appends `records` (one or more v2 batches) at the log end: each batch gets the
  // next base offset and `epoch` as its partitionLeaderEpoch, rewritten in place (the CRC does not
  // cover them). Under message.timestamp.type=LogAppendTime each batch is also stamped with the
  // clock's time and its CRC recomputed, as Kafka does. InvalidArgument for malformed batches
  // (nothing appended).
  absl::StatusOr<AppendResult> AppendAsLeader(std::string records, LeaderEpoch epoch);
  // AppendAsLeader on the caller's buffer, which receives the rewrites (no copy: the produce path
  // appends straight from its request buffer). kCallerVerified skips the log's own CRC check
  // (verify_crc_on_append) for a caller that has just checked these bytes' CRCs itself, as the
  // broker's produce validation does: one CRC pass per batch instead of two.
  enum class Crc { kVerify, kCallerVerified };
  absl::StatusOr<AppendResult> AppendAsLeader(std::span<char> records, LeaderEpoch epoch,
                                              Crc crc = Crc::kVerify);

  // AppendAsFollower appends `records` with the offsets and epochs the leader assigned.
  // REQUIRES: the first base offset >= LogEndOffset() (else FailedPrecondition: truncate first).
  absl::StatusOr<AppendResult> AppendAsFollower(std::string records);

  // Read returns whole batches starting with the one containing `start`. OutOfRange if `start` is
  // below the log start or above the log end; empty at the log end. DataLoss (naming file, position
  // and offset) if a batch fails its CRC.
  absl::StatusOr<ReadResult> Read(Offset start, const ReadOptions& options = {}) const;

  // OffsetForTimestamp returns the offset of the first record whose timestamp is >= `timestamp_ms`
  // (ListOffsets), or nullopt if there is none.
  absl::StatusOr<std::optional<Offset>> OffsetForTimestamp(int64_t timestamp_ms) const;

  // TruncateTo removes every batch with records at or after `offset` (follower truncation); whole
  // batches go, so the new log end is the end of the last batch kept (<= offset). The change is
  // fsynced and the recovery point lowered durably before returning.
  absl::Status TruncateTo(Offset offset);

  // TruncateFullyAndStartAt empties the log and restarts it at `offset` (a follower whose fetch
  // offset fell outside the leader's log).
  absl::Status TruncateFullyAndStartAt(Offset offset);

  // AdvanceLogStartOffset moves the log start up to `offset` (DeleteRecords) and deletes segments that
  // lie wholly below it. REQUIRES: offset <= LogEndOffset() (else OutOfRange). No-op if not higher.
  absl::Status AdvanceLogStartOffset(Offset offset);

  // ApplyRetention deletes the oldest closed segments that break retention.ms / retention.bytes (the
  // active segment is never deleted) and moves the log start offset past them.
  absl::StatusOr<RetentionResult> ApplyRetention();

  // Compact runs one compaction pass (cleanup.policy=compact; Kafka's LogCleaner): over the closed
  // segments whose newest record is at least min.compaction.lag.ms old and that end before the first
  // open transaction, it keeps only the latest record per key (latest as of the dirty section, i.e.
  // everything after the previous pass), drops tombstones older than delete.retention.ms, drops the
  // data of aborted transactions, and drops a transaction marker once no data of its transaction is
  // left and it is older than delete.retention.ms. Each changed segment is rewritten through an
  // atomic rename; offsets are preserved (gaps appear); compressed batches are kept whole. Skipped
  // while the dirty ratio is below min.cleanable.dirty.ratio.
  // Memory is bounded: segments are streamed in chunks and the key map by
  // options.max_offset_map_bytes (a bigger dirty section takes several passes). The pass reads and
  // writes without the log's lock, so appends and reads go on meanwhile; only the final swap takes
  // it. A truncation, retention or DeleteRecords during the pass aborts it (Aborted; nothing changed).
  // FailedPrecondition unless the policy includes compact. Passes on one log run one at a time.
  absl::StatusOr<CompactionResult> Compact(const CompactOptions& options = {});

  // Flush fsyncs everything appended so far and advances the recovery point to the log end.
  absl::Status Flush();

  // MaybeFlush applies flush.ms; a broker ticker calls it (appends check both flush settings).
  absl::Status MaybeFlush();

  // FlushRolled fsyncs the closed segments not yet flushed and moves the recovery point (and its
  // checkpoint) up to the active segment, as Kafka does after every roll. The fsyncs run without
  // the log's lock, so a broker thread calls it after rolls without holding up appends; after a
  // crash only the active segment is then scanned. No-op when nothing rolled since.
  absl::Status FlushRolled();

  // Close flushes and writes every checkpoint, so the next Open scans nothing (clean shutdown).
  absl::Status Close();

  // EndOffsetForEpoch answers OffsetsForLeaderEpoch (see LeaderEpochCache::EndOffsetForEpoch).
  std::pair<LeaderEpoch, Offset> EndOffsetForEpoch(LeaderEpoch epoch) const;
  std::optional<LeaderEpochCache::Entry> LatestEpoch() const;

  Offset LogStartOffset() const;
  Offset LogEndOffset() const;
  Offset RecoveryPoint() const;
  size_t SegmentCount() const;
  uint64_t SizeBytes() const;
  const RecoveryStats& recovery_stats() const { return recovery_stats_; }
  const std::string& dir() const { return dir_; }

 private:
  PartitionLog(FileSystem& fs, std::string dir, LogConfig config, common::Clock& clock, StorageMetrics* metrics);
  // Track moves the shared segment and byte gauges by this log's change.
  void Track(int64_t segments, int64_t bytes);

  absl::Status Load() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CleanUpStrayFiles(const std::vector<std::string>& names) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckLoadedOrder() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<AppendResult> Append(std::span<char> records, std::optional<LeaderEpoch> leader_epoch,
                                      bool verify_crc)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status MaybeRoll(Offset next_base, size_t batch_size, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status FlushLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // SyncUnflushed fsyncs the segments at and after the recovery point, then the directory, without
  // moving the recovery point.
  absl::Status SyncUnflushed() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckpointRecoveryPoint() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckpointLogStart() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status DeleteSegment(std::map<int64_t, std::shared_ptr<Segment>>::iterator it)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status MoveLogStart(Offset offset) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status TruncateFullyLocked(Offset offset) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Offset EndOffsetLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return segments_.rbegin()->second->next_offset(); }
  // ReplaceSegment swaps in the synced file `cleaned` as segment `base`'s log.
  absl::Status ReplaceSegment(int64_t base, const std::string& cleaned) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Segment& Active() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return *segments_.rbegin()->second; }
  SegmentOptions segment_options() const;

  FileSystem& fs_;
  const std::string dir_;
  const LogConfig config_;
  common::Clock& clock_;
  StorageMetrics* const metrics_;
  // tracking_: this log's segments and bytes are counted in the shared gauges (set once loaded).
  bool tracking_ = false;

  mutable absl::Mutex mu_;
  // Segments keyed by base offset. Never empty after Open. Shared so a compaction pass can read
  // closed segments without holding mu_.
  std::map<int64_t, std::shared_ptr<Segment>> segments_ ABSL_GUARDED_BY(mu_);
  // data_epoch_: bumped whenever data is removed other than by compaction (truncation, retention,
  // DeleteRecords), so a compaction pass that ran without the lock knows its view went stale.
  uint64_t data_epoch_ ABSL_GUARDED_BY(mu_) = 0;
  // compact_mu_ serialises compaction passes on this log. Acquired before mu_.
  absl::Mutex compact_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::unique_ptr<LeaderEpochCache> epochs_ ABSL_GUARDED_BY(mu_);
  Offset log_start_ ABSL_GUARDED_BY(mu_);
  Offset recovery_point_ ABSL_GUARDED_BY(mu_);
  Offset checkpointed_recovery_point_ ABSL_GUARDED_BY(mu_){-1};
  // first_dirty_: compaction has cleaned everything below this offset (cleaner-offset-checkpoint).
  Offset first_dirty_ ABSL_GUARDED_BY(mu_);
  int64_t unflushed_records_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_flush_ ABSL_GUARDED_BY(mu_);
  absl::Time last_recovery_checkpoint_ ABSL_GUARDED_BY(mu_);
  // dir_dirty_: segment files were created or removed since the directory was last fsynced.
  bool dir_dirty_ ABSL_GUARDED_BY(mu_) = false;
  RecoveryStats recovery_stats_;
};

// Checkpoint file names inside a partition directory.
inline constexpr char kRecoveryPointFile[] = "recovery-point-offset-checkpoint";
inline constexpr char kLogStartOffsetFile[] = "log-start-offset-checkpoint";
inline constexpr char kLeaderEpochFile[] = "leader-epoch-checkpoint";
inline constexpr char kCleanerOffsetFile[] = "cleaner-offset-checkpoint";

}  // namespace eddy::storage
