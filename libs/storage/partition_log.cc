#include "libs/storage/partition_log.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/storage/checkpoint_file.h"
#include "libs/storage/internal/absl_view.h"
#include "libs/storage/internal/batch_header.h"
#include "libs/storage/internal/records.h"

namespace eddy::storage {

using internal::BatchHeader;

PartitionLog::PartitionLog(FileSystem& fs, std::string dir, LogConfig config, common::Clock& clock,
                           StorageMetrics* metrics)
    : fs_(fs), dir_(std::move(dir)), config_(config), clock_(clock), metrics_(metrics) {}

PartitionLog::~PartitionLog() {
  absl::MutexLock lock(&mu_);
  uint64_t bytes = 0;
  for (const auto& [base, seg] : segments_) bytes += seg->size();
  Track(-static_cast<int64_t>(segments_.size()), -static_cast<int64_t>(bytes));
}

void PartitionLog::Track(int64_t segments, int64_t bytes) {
  if (metrics_ == nullptr || !tracking_) return;
  metrics_->segments.Inc(static_cast<double>(segments));
  metrics_->bytes.Inc(static_cast<double>(bytes));
}

SegmentOptions PartitionLog::segment_options() const {
  return SegmentOptions{.index_interval_bytes = config_.index_interval_bytes,
                        .max_index_bytes = config_.segment_index_bytes};
}

absl::StatusOr<AppendResult> PartitionLog::AppendAsLeader(std::string records, LeaderEpoch epoch) {
  return AppendAsLeader(std::span<char>(records.data(), records.size()), epoch);
}

absl::StatusOr<AppendResult> PartitionLog::AppendAsLeader(std::span<char> records, LeaderEpoch epoch,
                                                          Crc crc) {
  absl::MutexLock lock(&mu_);
  return Append(records, epoch, config_.verify_crc_on_append && crc == Crc::kVerify);
}

absl::StatusOr<AppendResult> PartitionLog::AppendAsFollower(std::string records) {
  absl::MutexLock lock(&mu_);
  return Append(std::span<char>(records.data(), records.size()), std::nullopt, config_.verify_crc_on_append);
}

absl::StatusOr<AppendResult> PartitionLog::Append(std::span<char> records, std::optional<LeaderEpoch> leader_epoch,
                                                  bool verify_crc) {
  // Validate every batch before writing any, so a malformed request appends nothing.
  struct Batch {
    size_t position;
    BatchHeader header;
  };
  // Requests usually carry one batch per partition: no allocation for the common case.
  absl::InlinedVector<Batch, 4> batches;
  for (size_t pos = 0; pos < records.size();) {
    std::string_view rest(records.data() + pos, records.size() - pos);
    absl::StatusOr<BatchHeader> h = internal::ParseBatchHeader(rest);
    if (!h.ok()) return absl::InvalidArgumentError(absl::StrCat("malformed batch: ", h.status().message()));
    if (h->size_in_bytes() > rest.size()) {
      return absl::InvalidArgumentError(absl::StrCat("batch of ", h->size_in_bytes(), " bytes but only ",
                                                     rest.size(), " bytes given"));
    }
    if (verify_crc && !internal::VerifyBatchCrc(rest.substr(0, h->size_in_bytes()))) {
      return absl::InvalidArgumentError(absl::StrCat("CRC mismatch in batch ", batches.size()));
    }
    if (h->size_in_bytes() > config_.segment_bytes) {
      return absl::InvalidArgumentError(absl::StrCat("batch of ", h->size_in_bytes(),
                                                     " bytes exceeds segment.bytes ", config_.segment_bytes));
    }
    batches.push_back({pos, *h});
    pos += h->size_in_bytes();
  }
  if (batches.empty()) return absl::InvalidArgumentError("no record batches to append");

  // One clock read per request: the roll and flush checks need no finer time.
  const absl::Time now = clock_.Now();
  const int64_t append_time_ms = leader_epoch && config_.log_append_time ? absl::ToUnixMillis(now) : -1;
  Offset next = EndOffsetLocked();
  for (Batch& b : batches) {
    if (leader_epoch) {
      // Leader: assign offsets and stamp the epoch. Both fields sit outside the CRC.
      internal::SetBaseOffset(records.data() + b.position, next.value());
      internal::SetPartitionLeaderEpoch(records.data() + b.position, leader_epoch->value());
      b.header.base_offset = next.value();
      b.header.partition_leader_epoch = leader_epoch->value();
      if (append_time_ms >= 0) {
        internal::SetLogAppendTime(records.data() + b.position, b.header.size_in_bytes(), append_time_ms);
        b.header.attributes |= internal::kTimestampTypeBit;
        b.header.max_timestamp = append_time_ms;
      }
    } else if (b.header.base_offset < next.value()) {
      return absl::FailedPreconditionError(absl::StrCat("follower append at offset ", b.header.base_offset,
                                                        " below log end offset ", next.value(), " in ", dir_));
    }
    next = Offset(b.header.last_offset() + 1);
  }

  AppendResult result{Offset(batches.front().header.base_offset), Offset(batches.back().header.last_offset())};
  result.log_append_time_ms = append_time_ms;
  for (const Batch& b : batches) {
    const BatchHeader& h = b.header;
    EDDY_RETURN_IF_ERROR(MaybeRoll(Offset(h.base_offset), h.size_in_bytes(), now));
    std::optional<LeaderEpochCache::Entry> latest = epochs_->Latest();
    if (!latest || h.partition_leader_epoch > latest->epoch.value()) {
      epochs_->Assign(LeaderEpoch(h.partition_leader_epoch), Offset(h.base_offset));
    }
    EDDY_RETURN_IF_ERROR(Active().Append(std::string_view(records.data() + b.position, h.size_in_bytes()), h));
    Track(0, static_cast<int64_t>(h.size_in_bytes()));
    if (metrics_ != nullptr) metrics_->appended_bytes.Inc(static_cast<double>(h.size_in_bytes()));
    result.max_timestamp = std::max(result.max_timestamp, h.max_timestamp);
    result.record_count += h.record_count;
    unflushed_records_ += std::max(h.record_count, 1);
  }
  EDDY_RETURN_IF_ERROR(epochs_->Persist());
  if (unflushed_records_ >= config_.flush_messages || now - last_flush_ >= config_.flush_ms) {
    EDDY_RETURN_IF_ERROR(FlushLocked());
  }
  return result;
}

absl::Status PartitionLog::MaybeRoll(Offset next_base, size_t batch_size, absl::Time now) {
  Segment& active = Active();
  const bool roll = !active.empty() &&
                    (active.size() + batch_size > config_.segment_bytes ||
                     now - active.created_at() >= config_.segment_ms || active.IndexFull() ||
                     next_base.value() - active.base_offset().value() > std::numeric_limits<int32_t>::max());
  if (!roll) return absl::OkStatus();
  EDDY_RETURN_IF_ERROR(active.OnRoll());
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<Segment> seg,
                        Segment::Create(fs_, dir_, next_base, segment_options(), now));
  segments_[next_base.value()] = std::move(seg);
  dir_dirty_ = true;
  Track(1, 0);
  return absl::OkStatus();
}

absl::StatusOr<ReadResult> PartitionLog::Read(Offset start, const ReadOptions& options) const {
  absl::ReaderMutexLock lock(&mu_);
  const Offset end = EndOffsetLocked();
  if (start < log_start_ || start > end) {
    return absl::OutOfRangeError(absl::StrCat("offset ", start.value(), " outside [", log_start_.value(), ", ",
                                              end.value(), "] of ", dir_));
  }
  ReadResult out{.records = {}, .next_offset = start};
  const int64_t max_offset = options.max_offset ? options.max_offset->value() : end.value();
  auto it = std::prev(segments_.upper_bound(start.value()));
  for (; it != segments_.end(); ++it) {
    if (Offset(it->first) > start) start = Offset(it->first);  // skip a gap between segments
    if (start.value() >= max_offset) return out;
    absl::StatusOr<SegmentRead> read = it->second->Read(start, options.max_bytes, max_offset,
                                                        /*min_one_batch=*/true,
                                                        options.verify_crc.value_or(config_.verify_crc_on_read));
    if (!read.ok()) {
      if (absl::IsDataLoss(read.status()) && metrics_ != nullptr) metrics_->corrupt_batches.Inc();
      return read.status();
    }
    SegmentRead& r = *read;
    if (metrics_ != nullptr) metrics_->read_bytes.Inc(static_cast<double>(r.records.size()));
    if (!r.records.empty()) {
      out.records = std::move(r.records);
      out.next_offset = Offset(r.next_offset);
      return out;
    }
    if (r.stopped_at_max_offset) return out;  // data exists but is not yet readable
  }
  // Nothing at or after `start`: it sits in a gap at the end (compaction, or a follower's gap).
  out.next_offset = std::min(end, Offset(max_offset));
  return out;
}

absl::StatusOr<std::optional<Offset>> PartitionLog::OffsetForTimestamp(int64_t timestamp_ms) const {
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [base, seg] : segments_) {
    EDDY_RETURN_IF_ERROR(seg->Load());
    if (seg->max_timestamp() < timestamp_ms) continue;
    EDDY_ASSIGN_OR_RETURN(std::optional<Segment::Located> at, seg->FindBatchByTimestamp(timestamp_ms));
    if (!at) continue;
    // The batch holds a record at or after the target; find the first such record. Under
    // LogAppendTime every record carries the batch's max timestamp, so that is its first record.
    int64_t found = at->header.base_offset;
    if (at->header.attributes & internal::kTimestampTypeBit) return std::max(Offset(found), log_start_);
    EDDY_ASSIGN_OR_RETURN(std::string batch, seg->ReadAt(at->position, at->header.size_in_bytes()));
    absl::Status s = internal::ForEachRecord(batch, [&](const internal::RecordView& r) {
      if (at->header.base_timestamp + r.timestamp_delta >= timestamp_ms) {
        found = at->header.base_offset + r.offset_delta;
        return false;
      }
      return true;
    });
    // Compressed batches (Unimplemented here) answer with the batch's base offset.
    if (!s.ok() && !absl::IsUnimplemented(s)) return s;
    return std::max(Offset(found), log_start_);
  }
  return std::nullopt;
}

absl::Status PartitionLog::TruncateTo(Offset offset) {
  absl::MutexLock lock(&mu_);
  if (offset >= EndOffsetLocked()) return absl::OkStatus();
  if (offset < log_start_) return TruncateFullyLocked(offset);
  // Lower the recovery point checkpoint first: if it stayed above the truncation point, batches
  // re-appended below it (not yet fsynced) would be trusted as flushed after a crash.
  recovery_point_ = std::min(recovery_point_, offset);
  if (checkpointed_recovery_point_ > recovery_point_) EDDY_RETURN_IF_ERROR(CheckpointRecoveryPoint());
  while (segments_.size() > 1 && segments_.rbegin()->first > offset.value()) {
    EDDY_RETURN_IF_ERROR(DeleteSegment(std::prev(segments_.end())));
  }
  // Later segments must be gone durably before the new last segment shrinks: otherwise a crash could
  // keep the shrunken segment and resurrect a later one, leaving a hole in the offsets.
  EDDY_RETURN_IF_ERROR(SyncUnflushed());
  ++data_epoch_;
  EDDY_ASSIGN_OR_RETURN(uint64_t removed, Active().TruncateTo(offset));
  Track(0, -static_cast<int64_t>(removed));
  // Truncated index files must not come back with entries that point into the replaced data.
  EDDY_RETURN_IF_ERROR(Active().Flush(/*include_indexes=*/true));
  // Flush everything, not just the truncated segment, before new data can land on top of it. If only
  // the truncation were synced, a crash could keep it (and later appends) while losing unsynced
  // batches of an earlier segment, leaving a hole; or lose it and bring back the removed (divergent)
  // batches, which recovery would accept as valid.
  recovery_point_ = std::min(recovery_point_, EndOffsetLocked());
  EDDY_RETURN_IF_ERROR(FlushLocked());
  epochs_->TruncateFromEnd(EndOffsetLocked());
  return epochs_->Persist();
}

absl::Status PartitionLog::TruncateFullyAndStartAt(Offset offset) {
  absl::MutexLock lock(&mu_);
  return TruncateFullyLocked(offset);
}

absl::Status PartitionLog::TruncateFullyLocked(Offset offset) {
  while (!segments_.empty()) EDDY_RETURN_IF_ERROR(DeleteSegment(segments_.begin()));
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<Segment> seg,
                        Segment::Create(fs_, dir_, offset, segment_options(), clock_.Now()));
  segments_[offset.value()] = std::move(seg);
  Track(1, 0);
  EDDY_RETURN_IF_ERROR(fs_.SyncDir(dir_));
  dir_dirty_ = false;
  log_start_ = offset;
  recovery_point_ = offset;
  epochs_->TruncateFromEnd(Offset(0));
  EDDY_RETURN_IF_ERROR(epochs_->Persist());
  EDDY_RETURN_IF_ERROR(CheckpointLogStart());
  return CheckpointRecoveryPoint();
}

absl::Status PartitionLog::AdvanceLogStartOffset(Offset offset) {
  absl::MutexLock lock(&mu_);
  if (offset > EndOffsetLocked()) {
    return absl::OutOfRangeError(absl::StrCat("log start offset ", offset.value(), " beyond log end ",
                                              EndOffsetLocked().value(), " of ", dir_));
  }
  if (offset <= log_start_) return absl::OkStatus();
  return MoveLogStart(offset);
}

absl::Status PartitionLog::MoveLogStart(Offset offset) {
  // Checkpoint first: if we crash before the files are gone, Open deletes segments below the start.
  ++data_epoch_;
  log_start_ = offset;
  EDDY_RETURN_IF_ERROR(CheckpointLogStart());
  epochs_->TruncateFromStart(offset);
  EDDY_RETURN_IF_ERROR(epochs_->Persist());
  while (segments_.size() > 1 && std::next(segments_.begin())->first <= offset.value()) {
    EDDY_RETURN_IF_ERROR(DeleteSegment(segments_.begin()));
  }
  return absl::OkStatus();
}

absl::StatusOr<RetentionResult> PartitionLog::ApplyRetention() {
  absl::MutexLock lock(&mu_);
  RetentionResult result;
  const absl::Time now = clock_.Now();
  uint64_t size = 0;
  for (const auto& [base, seg] : segments_) size += seg->size();
  // Under cleanup.policy=compact alone only segments below the log start go.
  const bool by_time = config_.cleanup_delete && config_.retention_ms != absl::InfiniteDuration();
  const int64_t cutoff_ms = by_time ? absl::ToUnixMillis(now - config_.retention_ms) : 0;
  auto it = segments_.begin();
  // Whole closed segments only, oldest first, stopping at the first one that must stay.
  for (; std::next(it) != segments_.end(); ++it) {
    const Segment& seg = *it->second;
    if (by_time) EDDY_RETURN_IF_ERROR(seg.Load());
    const bool expired = by_time && seg.max_timestamp() < cutoff_ms;
    const bool oversize = config_.cleanup_delete && config_.retention_bytes >= 0 &&
                          size - seg.size() >= static_cast<uint64_t>(config_.retention_bytes);
    const bool below_start = std::next(it)->first <= log_start_.value();
    if (!expired && !oversize && !below_start) break;
    size -= seg.size();
    result.bytes_deleted += seg.size();
    ++result.segments_deleted;
  }
  if (result.segments_deleted == 0) return result;
  if (metrics_ != nullptr) metrics_->retention_segments_deleted.Inc(result.segments_deleted);
  const Offset new_start(it->first);
  if (new_start > log_start_) {
    EDDY_RETURN_IF_ERROR(MoveLogStart(new_start));
  } else {
    while (segments_.begin()->first < it->first) EDDY_RETURN_IF_ERROR(DeleteSegment(segments_.begin()));
  }
  return result;
}

absl::Status PartitionLog::DeleteSegment(std::map<int64_t, std::shared_ptr<Segment>>::iterator it) {
  ++data_epoch_;
  EDDY_RETURN_IF_ERROR(it->second->Delete());
  Track(-1, -static_cast<int64_t>(it->second->size()));
  segments_.erase(it);
  dir_dirty_ = true;
  return absl::OkStatus();
}

absl::Status PartitionLog::Flush() {
  absl::MutexLock lock(&mu_);
  return FlushLocked();
}

absl::Status PartitionLog::MaybeFlush() {
  absl::MutexLock lock(&mu_);
  if (unflushed_records_ > 0 && clock_.Now() - last_flush_ >= config_.flush_ms) return FlushLocked();
  return absl::OkStatus();
}

absl::Status PartitionLog::FlushRolled() {
  std::vector<std::shared_ptr<Segment>> closed;
  Offset target;
  uint64_t epoch = 0;
  {
    absl::MutexLock lock(&mu_);
    target = Active().base_offset();
    if (recovery_point_ >= target) return absl::OkStatus();
    auto it = segments_.upper_bound(recovery_point_.value());
    if (it != segments_.begin()) --it;
    for (; it->first < target.value(); ++it) {
      EDDY_RETURN_IF_ERROR(it->second->WritePendingIndexes());
      closed.push_back(it->second);
    }
    epoch = data_epoch_;
  }
  // The fsyncs touch no in-memory state, so they need no lock; a truncation, deletion or
  // compaction of these segments meanwhile shows in data_epoch_ (or syncs what it wrote itself).
  for (const auto& seg : closed) EDDY_RETURN_IF_ERROR(seg->SyncFiles());
  absl::MutexLock lock(&mu_);
  if (data_epoch_ != epoch || recovery_point_ >= target) return absl::OkStatus();
  // Rolled again meanwhile: syncing the directory now would make the newest name durable ahead of
  // its predecessor's unsynced tail (see SyncUnflushed); the next call covers it.
  if (Active().base_offset() != target) return absl::OkStatus();
  // The rolled segments' names must be durable before the checkpoint vouches for them.
  if (dir_dirty_) {
    EDDY_RETURN_IF_ERROR(fs_.SyncDir(dir_));
    dir_dirty_ = false;
  }
  recovery_point_ = target;
  return CheckpointRecoveryPoint();
}

absl::Status PartitionLog::SyncUnflushed() {
  auto it = segments_.upper_bound(recovery_point_.value());
  if (it != segments_.begin()) --it;
  for (; it != segments_.end(); ++it) {
    EDDY_RETURN_IF_ERROR(it->second->Flush(/*include_indexes=*/std::next(it) != segments_.end()));
  }
  // The directory goes last: a rolled segment's name must not become durable while an earlier
  // segment's tail is still unsynced, or a crash would leave a hole in the offsets before it.
  if (dir_dirty_) {
    EDDY_RETURN_IF_ERROR(fs_.SyncDir(dir_));
    dir_dirty_ = false;
  }
  return absl::OkStatus();
}

absl::Status PartitionLog::FlushLocked() {
  const absl::Time started = absl::Now();  // latency metric: real time, not the injected clock
  EDDY_RETURN_IF_ERROR(SyncUnflushed());
  if (metrics_ != nullptr) metrics_->flush_latency.Observe(absl::ToDoubleSeconds(absl::Now() - started));
  recovery_point_ = EndOffsetLocked();
  unflushed_records_ = 0;
  last_flush_ = clock_.Now();
  if (last_flush_ - last_recovery_checkpoint_ >= config_.recovery_point_checkpoint_interval) {
    return CheckpointRecoveryPoint();
  }
  return absl::OkStatus();
}

absl::Status PartitionLog::CheckpointRecoveryPoint() {
  if (recovery_point_ == checkpointed_recovery_point_) return absl::OkStatus();
  EDDY_RETURN_IF_ERROR(WriteCheckpoint(fs_, JoinPath(dir_, kRecoveryPointFile), {{recovery_point_.value()}}));
  checkpointed_recovery_point_ = recovery_point_;
  last_recovery_checkpoint_ = clock_.Now();
  return absl::OkStatus();
}

absl::Status PartitionLog::CheckpointLogStart() {
  return WriteCheckpoint(fs_, JoinPath(dir_, kLogStartOffsetFile), {{log_start_.value()}});
}

absl::Status PartitionLog::Close() {
  absl::MutexLock lock(&mu_);
  EDDY_RETURN_IF_ERROR(FlushLocked());
  EDDY_RETURN_IF_ERROR(Active().Flush(/*include_indexes=*/true));
  EDDY_RETURN_IF_ERROR(CheckpointRecoveryPoint());
  EDDY_RETURN_IF_ERROR(CheckpointLogStart());
  return epochs_->Persist();
}

std::pair<LeaderEpoch, Offset> PartitionLog::EndOffsetForEpoch(LeaderEpoch epoch) const {
  absl::ReaderMutexLock lock(&mu_);
  return epochs_->EndOffsetForEpoch(epoch, EndOffsetLocked());
}

std::optional<LeaderEpochCache::Entry> PartitionLog::LatestEpoch() const {
  absl::ReaderMutexLock lock(&mu_);
  return epochs_->Latest();
}

Offset PartitionLog::LogStartOffset() const {
  absl::ReaderMutexLock lock(&mu_);
  return log_start_;
}

Offset PartitionLog::LogEndOffset() const {
  absl::ReaderMutexLock lock(&mu_);
  return EndOffsetLocked();
}

Offset PartitionLog::RecoveryPoint() const {
  absl::ReaderMutexLock lock(&mu_);
  return recovery_point_;
}

size_t PartitionLog::SegmentCount() const {
  absl::ReaderMutexLock lock(&mu_);
  return segments_.size();
}

uint64_t PartitionLog::SizeBytes() const {
  absl::ReaderMutexLock lock(&mu_);
  uint64_t size = 0;
  for (const auto& [base, seg] : segments_) size += seg->size();
  return size;
}

}  // namespace eddy::storage
