#include "services/broker/partition.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/kafka/record_batch.h"
#include "libs/storage/producer_snapshot.h"
#include "spdlog/spdlog.h"

namespace eddy::broker {

using kafka::ErrorCode;

namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

ErrorCode CheckLeaderEpoch(LeaderEpoch requested, LeaderEpoch current) {
  if (requested.value() < 0 || requested == current) return ErrorCode::kNone;
  return requested < current ? ErrorCode::kFencedLeaderEpoch : ErrorCode::kUnknownLeaderEpoch;
}

absl::StatusOr<std::unique_ptr<Partition>> Partition::Open(
    storage::FileSystem& fs, std::string dir, TopicConfig config, PartitionOptions options,
    PartitionEvents events, common::Clock& clock, storage::StorageMetrics* metrics) {
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<storage::PartitionLog> log,
                        storage::PartitionLog::Open(fs, dir, config.log, clock, metrics));
  // The newest producer snapshot inside the log's range, then the log after it (a snapshot past the
  // log end belongs to data recovery cut off).
  EDDY_RETURN_IF_ERROR(
      storage::DeleteProducerSnapshotsOutside(fs, dir, log->LogStartOffset(), log->LogEndOffset()));
  EDDY_ASSIGN_OR_RETURN(std::vector<Offset> snapshots, storage::ListProducerSnapshots(fs, dir));
  auto partition = std::unique_ptr<Partition>(
      new Partition(std::move(log), std::move(config), options, std::move(events), clock));
  absl::MutexLock lock(&partition->mu_);
  Offset from = partition->log_->LogStartOffset();
  if (!snapshots.empty()) {
    absl::StatusOr<std::vector<storage::ProducerSnapshotEntry>> entries =
        storage::ReadProducerSnapshot(fs, storage::ProducerSnapshotPath(dir, snapshots.back()));
    if (entries.ok()) {
      partition->producers_.Restore(*entries);
      from = snapshots.back();
    } else {
      spdlog::warn("{}: ignoring producer snapshot: {}", dir, entries.status().ToString());
    }
  }
  EDDY_RETURN_IF_ERROR(
      RebuildProducerState(*partition->log_, from, partition->producers_).status());
  partition->snapshot_fs_ = &fs;
  return partition;
}

Partition::Partition(std::unique_ptr<storage::PartitionLog> log, TopicConfig config,
                     PartitionOptions options, PartitionEvents events, common::Clock& clock)
    : log_(std::move(log)),
      options_(options),
      events_(std::move(events)),
      clock_(clock),
      config_(std::move(config)),
      producers_(options.producer_state, clock) {
  follower_high_watermark_ = log_->LogStartOffset();
}

Partition::~Partition() {
  absl::MutexLock lock(&mu_);
  if (!closed_) {
    Dispatch ignored;
    FailWaiters(ignored, ErrorCode::kNotLeaderOrFollower);
  }
}

IsrTrackerOptions Partition::TrackerOptions() const {
  return {.min_insync_replicas = config_.min_insync_replicas,
          .replica_lag_time_max = options_.replica_lag_time_max};
}

void Partition::ApplyAssignment(const PartitionAssignment& assignment) {
  Dispatch out;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    const bool same_epoch = role_ != ReplicaRole::kNone &&
                            assignment.leader_epoch == assignment_.leader_epoch &&
                            assignment.leader == assignment_.leader;
    if (role_ != ReplicaRole::kNone && assignment.leader_epoch < assignment_.leader_epoch) return;
    if (same_epoch) {
      if (assignment.partition_epoch > assignment_.partition_epoch) {
        assignment_ = assignment;
        if (tracker_ != nullptr) {
          tracker_->OnPartitionChange(assignment);
          TakeTrackerOutput(out);
        }
      }
    } else {
      // A new leader epoch (or leader): the previous role's waiters cannot complete here.
      FailWaiters(out, ErrorCode::kNotLeaderOrFollower);
      if (tracker_ != nullptr) follower_high_watermark_ = tracker_->high_watermark();
      tracker_.reset();
      assignment_ = assignment;
      if (assignment.leader == options_.self) {
        role_ = ReplicaRole::kLeader;
        const Offset log_end = log_->LogEndOffset();
        tracker_ = std::make_unique<IsrTracker>(assignment, log_end, follower_high_watermark_,
                                                log_end, TrackerOptions(), clock_);
        tracker_->SetIneligibleReplicas(ineligible_);
        TakeTrackerOutput(out);
        spdlog::info("{}: leader in epoch {} at log end {}, high watermark {}", log_->dir(),
                     assignment.leader_epoch, log_end, tracker_->high_watermark());
      } else {
        role_ = ReplicaRole::kFollower;
        spdlog::info("{}: follower of {} in epoch {} at log end {}", log_->dir(), assignment.leader,
                     assignment.leader_epoch, log_->LogEndOffset());
      }
      out.readable_changed = true;
    }
  }
  Run(std::move(out));
}

void Partition::SetIneligibleReplicas(const std::set<BrokerId>& ineligible) {
  absl::MutexLock lock(&mu_);
  ineligible_ = ineligible;
  if (tracker_ != nullptr) tracker_->SetIneligibleReplicas(ineligible);
}

void Partition::UpdateConfig(const TopicConfig& config) {
  absl::MutexLock lock(&mu_);
  config_ = config;
}

void Partition::TakeTrackerOutput(Dispatch& out) {
  const Offset before = follower_high_watermark_;
  IsrTrackerOutput output = tracker_->TakeOutput();
  if (output.alter_partition) out.alter = std::move(output.alter_partition);
  for (const AcksAllCompletion& completion : output.completions) {
    auto it = acks_waiters_.find(completion.request_id);
    if (it == acks_waiters_.end()) continue;
    out.done.emplace_back(std::move(it->second), completion.error);
    acks_waiters_.erase(it);
  }
  follower_high_watermark_ = tracker_->high_watermark();
  if (follower_high_watermark_ != before) out.readable_changed = true;
}

void Partition::FailWaiters(Dispatch& out, ErrorCode error) {
  for (auto& [id, done] : acks_waiters_) out.done.emplace_back(std::move(done), error);
  acks_waiters_.clear();
}

void Partition::Run(Dispatch out) {
  if (out.alter && events_.alter_partition) events_.alter_partition(*out.alter);
  for (auto& [done, error] : out.done) done(error);
  if (out.readable_changed && events_.readable_changed) events_.readable_changed();
}

ErrorCode Partition::CheckLeaderLocked(LeaderEpoch current_leader_epoch) const {
  if (ErrorCode fence = CheckLeaderEpoch(current_leader_epoch, assignment_.leader_epoch);
      fence != ErrorCode::kNone) {
    return fence;
  }
  return role_ == ReplicaRole::kLeader ? ErrorCode::kNone : ErrorCode::kNotLeaderOrFollower;
}

ProduceResult Partition::Produce(std::span<char> records, int16_t acks, int16_t api_version,
                                 absl::Time deadline, AcksAllDone done, bool* waiting) {
  *waiting = false;
  ProduceResult result;
  Dispatch out;
  {
    absl::MutexLock lock(&mu_);
    result.log_start_offset = log_->LogStartOffset();
    if (closed_ || role_ != ReplicaRole::kLeader) {
      result.error = ErrorCode::kNotLeaderOrFollower;
      return result;
    }
    const auto bytes =
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(records.data()), records.size());
    ProduceValidationResult validation =
        ValidateProduceRecords(bytes, api_version, config_.produce, clock_.Now());
    if (!validation.ok()) {
      result.error = validation.error;
      result.error_message = std::move(validation.error_message);
      return result;
    }
    if (acks == -1) {
      if (ErrorCode error = tracker_->CheckAcksAll(); error != ErrorCode::kNone) {
        result.error = error;
        result.error_message =
            absl::StrCat("ISR size ", tracker_->isr().size(), " is below min.insync.replicas ",
                         config_.min_insync_replicas);
        return result;
      }
    }
    // Idempotence: Kafka's produce path carries one batch per partition (v3+); a duplicate of an
    // earlier batch is answered with its original offsets and not appended again.
    std::optional<ProducerBatchMetadata> duplicate;
    for (const ValidatedBatch& batch : validation.batches) {
      if (batch.producer_id.value() < 0) continue;
      BatchCheck check = producers_.CheckBatch(batch);
      if (check.error != ErrorCode::kNone) {
        result.error = check.error;
        return result;
      }
      if (check.duplicate) duplicate = check.duplicate;
    }
    Offset last_offset{-1};
    if (duplicate && validation.batches.size() == 1) {
      result.base_offset = duplicate->first_offset;
      last_offset = duplicate->last_offset;
    } else {
      const size_t segments_before = log_->SegmentCount();
      absl::StatusOr<storage::AppendResult> appended =
          log_->AppendAsLeader(records, assignment_.leader_epoch,
                               storage::PartitionLog::Crc::kCallerVerified);
      if (!appended.ok()) {
        spdlog::error("{}: append failed: {}", log_->dir(), appended.status().ToString());
        result.error = absl::IsInvalidArgument(appended.status()) ? ErrorCode::kCorruptMessage
                                                                  : ErrorCode::kKafkaStorageError;
        result.error_message = std::string(appended.status().message());
        return result;
      }
      result.base_offset = appended->base_offset;
      result.log_append_time_ms = appended->log_append_time_ms;
      result.records = static_cast<int32_t>(validation.total_records);
      result.bytes = static_cast<int64_t>(records.size());
      last_offset = appended->last_offset;
      // Apply each batch's producer state at the offsets the log gave it.
      Offset next = appended->base_offset;
      for (ValidatedBatch batch : validation.batches) {
        const Offset first = next;
        const Offset last = Offset(first.value() + batch.record_count - 1);
        next = Offset(last.value() + 1);
        if (batch.producer_id.value() < 0) continue;
        if (appended->log_append_time_ms >= 0) batch.max_timestamp = appended->log_append_time_ms;
        producers_.ApplyBatch(batch, first, last);
      }
      if (log_->SegmentCount() > segments_before) SnapshotProducersLocked();
      tracker_->OnLeaderAppend(log_->LogEndOffset());
      out.readable_changed = true;
    }
    if (acks == -1) {
      const uint64_t id = next_waiter_id_++;
      acks_waiters_.emplace(id, std::move(done));
      tracker_->AddAcksAllWaiter(id, last_offset, deadline);
      *waiting = true;
    }
    TakeTrackerOutput(out);
  }
  Run(std::move(out));
  return result;
}

Offset Partition::HighWatermarkLocked() const {
  return tracker_ != nullptr ? tracker_->high_watermark()
                             : std::min(follower_high_watermark_, log_->LogEndOffset());
}

Offset Partition::LastStableOffsetLocked() const {
  Offset lso = HighWatermarkLocked();
  if (std::optional<Offset> open = producers_.FirstOpenTransactionOffset()) {
    lso = std::min(lso, *open);
  }
  return lso;
}

FetchResult Partition::ReadLocked(const FetchArgs& args, Offset limit) const {
  FetchResult result;
  result.high_watermark = HighWatermarkLocked();
  result.last_stable_offset = LastStableOffsetLocked();
  result.log_start_offset = log_->LogStartOffset();
  result.log_end_offset = log_->LogEndOffset();
  if (args.fetch_offset < result.log_start_offset || args.fetch_offset > result.log_end_offset) {
    result.error = ErrorCode::kOffsetOutOfRange;
    result.error_message =
        absl::StrCat("offset ", args.fetch_offset.value(), " is outside [",
                     result.log_start_offset.value(), ", ", result.log_end_offset.value(), "]");
    return result;
  }
  if (args.fetch_offset >= limit) return result;
  storage::ReadOptions options;
  options.max_bytes = std::max<size_t>(args.max_bytes, 1);
  options.max_offset = limit;
  options.verify_crc = false;
  absl::StatusOr<storage::ReadResult> read = log_->Read(args.fetch_offset, options);
  if (!read.ok()) {
    result.error = absl::IsOutOfRange(read.status()) ? ErrorCode::kOffsetOutOfRange
                                                     : ErrorCode::kKafkaStorageError;
    result.error_message = std::string(read.status().message());
    return result;
  }
  result.records = std::move(read->records);
  return result;
}

FetchResult Partition::Fetch(const FetchArgs& args) const {
  absl::ReaderMutexLock lock(&mu_);
  if (ErrorCode error = CheckLeaderLocked(args.current_leader_epoch); error != ErrorCode::kNone) {
    FetchResult result;
    result.error = error;
    return result;
  }
  return ReadLocked(args, args.read_committed ? LastStableOffsetLocked() : HighWatermarkLocked());
}

FetchResult Partition::FetchForFollower(BrokerId replica, const FetchArgs& args) {
  FetchResult result;
  Dispatch out;
  {
    absl::MutexLock lock(&mu_);
    if (ErrorCode error = CheckLeaderLocked(args.current_leader_epoch); error != ErrorCode::kNone) {
      result.error = error;
      return result;
    }
    // Divergence (KIP-101 via the fetch, as Kafka 2.7+): the follower's last epoch must end at or
    // after its fetch offset in this log, else it truncates to where that epoch ends here.
    if (args.last_fetched_epoch.value() >= 0) {
      auto [epoch, end] = log_->EndOffsetForEpoch(args.last_fetched_epoch);
      if (epoch.value() < 0 || epoch < args.last_fetched_epoch || end < args.fetch_offset) {
        result.diverging = EpochEndOffset{epoch, end};
        result.high_watermark = HighWatermarkLocked();
        result.log_start_offset = log_->LogStartOffset();
        result.log_end_offset = log_->LogEndOffset();
        return result;
      }
    }
    if (ErrorCode error = tracker_->OnFollowerFetch(replica, args.fetch_offset);
        error != ErrorCode::kNone) {
      result.error = error;
      return result;
    }
    TakeTrackerOutput(out);
    result = ReadLocked(args, log_->LogEndOffset());
  }
  Run(std::move(out));
  return result;
}

bool Partition::Readable(Offset offset, bool follower) const {
  absl::ReaderMutexLock lock(&mu_);
  if (role_ != ReplicaRole::kLeader) return true;  // answers at once with an error
  const Offset limit = follower ? log_->LogEndOffset() : HighWatermarkLocked();
  return offset != limit;  // past the limit: OFFSET_OUT_OF_RANGE (or a divergence) at once
}

absl::Status Partition::CheckFollowerLocked(LeaderEpoch fetched_in) const {
  if (closed_ || role_ != ReplicaRole::kFollower || assignment_.leader_epoch != fetched_in) {
    return absl::AbortedError(
        absl::StrCat(log_->dir(), ": no longer following in epoch ", fetched_in.value()));
  }
  return absl::OkStatus();
}

absl::Status Partition::AppendAsFollower(LeaderEpoch fetched_in, Offset fetch_offset,
                                         std::string records, Offset leader_high_watermark,
                                         Offset leader_log_start) {
  bool changed = false;
  {
    absl::MutexLock lock(&mu_);
    EDDY_RETURN_IF_ERROR(CheckFollowerLocked(fetched_in));
    if (log_->LogEndOffset() != fetch_offset) {
      return absl::AbortedError(
          absl::StrCat(log_->dir(), ": log end moved from ", fetch_offset.value()));
    }
    if (!records.empty()) {
      // Replayed before the append takes the buffer (no copy); a failed append rebuilds the state
      // from the log so it never runs ahead of it.
      EDDY_RETURN_IF_ERROR(producers_.ReplayRecords(Bytes(records)));
      const size_t segments_before = log_->SegmentCount();
      if (absl::Status appended = log_->AppendAsFollower(std::move(records)).status();
          !appended.ok()) {
        RebuildProducerStateLocked().IgnoreError();
        return appended;
      }
      if (log_->SegmentCount() > segments_before) SnapshotProducersLocked();
      changed = true;
    }
    const Offset log_end = log_->LogEndOffset();
    const Offset hw = std::min(leader_high_watermark, log_end);
    if (hw > follower_high_watermark_) {
      follower_high_watermark_ = hw;
      changed = true;
    }
    if (leader_log_start > log_->LogStartOffset()) {
      EDDY_RETURN_IF_ERROR(log_->AdvanceLogStartOffset(std::min(leader_log_start, log_end)));
      producers_.TruncateBelow(log_->LogStartOffset());
    }
  }
  if (changed && events_.readable_changed) events_.readable_changed();
  return absl::OkStatus();
}

void Partition::SnapshotProducersLocked() {
  if (snapshot_fs_ == nullptr) return;
  const Offset at = log_->LogEndOffset();
  absl::Status status =
      storage::WriteProducerSnapshot(*snapshot_fs_, log_->dir(), at, producers_.Snapshot());
  absl::StatusOr<std::vector<Offset>> snapshots =
      storage::ListProducerSnapshots(*snapshot_fs_, log_->dir());
  if (status.ok()) status = snapshots.status();
  // The newest two are kept: one for a restart, and the one before it should the newest turn out
  // to lie past what a crash leaves of the log.
  for (size_t i = 0; status.ok() && i + kProducerSnapshotsKept < snapshots->size(); ++i) {
    status = snapshot_fs_->Remove(storage::ProducerSnapshotPath(log_->dir(), (*snapshots)[i]));
  }
  if (!status.ok()) {
    // Not fatal: a restart replays more of the log.
    spdlog::warn("{}: producer snapshot at {}: {}", log_->dir(), at, status.ToString());
  }
}

absl::Status Partition::RebuildProducerStateLocked() {
  producers_.Restore({});
  return RebuildProducerState(*log_, log_->LogStartOffset(), producers_).status();
}

absl::StatusOr<TruncationDecision> Partition::TruncateByLeaderEpoch(LeaderEpoch fetched_in,
                                                                    EpochEndOffset leader_answer) {
  absl::MutexLock lock(&mu_);
  EDDY_RETURN_IF_ERROR(CheckFollowerLocked(fetched_in));
  const Offset before = log_->LogEndOffset();
  EDDY_ASSIGN_OR_RETURN(TruncationDecision decision, TruncateFollower(*log_, leader_answer));
  if (log_->LogEndOffset() < before) {
    spdlog::info("{}: truncated from {} to {} by leader epoch {} ending at {}", log_->dir(), before,
                 log_->LogEndOffset(), leader_answer.epoch, leader_answer.end_offset);
    follower_high_watermark_ = std::min(follower_high_watermark_, log_->LogEndOffset());
    EDDY_RETURN_IF_ERROR(RebuildProducerStateLocked());
  }
  return decision;
}

absl::Status Partition::TruncateTo(LeaderEpoch fetched_in, Offset offset) {
  absl::MutexLock lock(&mu_);
  EDDY_RETURN_IF_ERROR(CheckFollowerLocked(fetched_in));
  if (offset >= log_->LogEndOffset()) return absl::OkStatus();
  spdlog::info("{}: truncating from {} to the leader's log end {}", log_->dir(),
               log_->LogEndOffset(), offset);
  EDDY_RETURN_IF_ERROR(log_->TruncateTo(offset));
  follower_high_watermark_ = std::min(follower_high_watermark_, log_->LogEndOffset());
  return RebuildProducerStateLocked();
}

absl::Status Partition::TruncateFullyAndStartAt(LeaderEpoch fetched_in, Offset offset) {
  absl::MutexLock lock(&mu_);
  EDDY_RETURN_IF_ERROR(CheckFollowerLocked(fetched_in));
  spdlog::info("{}: emptied, restarting at {}", log_->dir(), offset);
  EDDY_RETURN_IF_ERROR(log_->TruncateFullyAndStartAt(offset));
  follower_high_watermark_ = offset;
  producers_.Restore({});
  return absl::OkStatus();
}

void Partition::Tick() {
  Dispatch out;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    producers_.RemoveExpiredProducers();
    if (tracker_ == nullptr) return;
    tracker_->Tick();
    TakeTrackerOutput(out);
  }
  Run(std::move(out));
}

int Partition::OnAlterPartitionResponse(LeaderEpoch epoch, ErrorCode error,
                                        const std::vector<BrokerId>& isr,
                                        PartitionEpoch partition_epoch) {
  Dispatch out;
  int delta = 0;
  {
    absl::MutexLock lock(&mu_);
    if (tracker_ == nullptr || assignment_.leader_epoch != epoch) return 0;
    tracker_->OnAlterPartitionResponse(error, isr, partition_epoch);
    if (error == ErrorCode::kNone && partition_epoch > assignment_.partition_epoch) {
      delta = static_cast<int>(isr.size()) - static_cast<int>(assignment_.isr.size());
      assignment_.isr = isr;
      assignment_.partition_epoch = partition_epoch;
    }
    TakeTrackerOutput(out);
  }
  Run(std::move(out));
  return delta;
}

absl::Status Partition::Close() {
  Dispatch out;
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::OkStatus();
    closed_ = true;
    FailWaiters(out, ErrorCode::kNotLeaderOrFollower);
    tracker_.reset();
    status = log_->Close();
    if (status.ok() && snapshot_fs_ != nullptr) {
      status = storage::WriteProducerSnapshot(*snapshot_fs_, log_->dir(), log_->LogEndOffset(),
                                              producers_.Snapshot());
    }
  }
  for (auto& [done, error] : out.done) done(error);
  return status;
}

ReplicaRole Partition::role() const {
  absl::ReaderMutexLock lock(&mu_);
  return role_;
}

LeaderEpoch Partition::leader_epoch() const {
  absl::ReaderMutexLock lock(&mu_);
  return assignment_.leader_epoch;
}

BrokerId Partition::leader() const {
  absl::ReaderMutexLock lock(&mu_);
  return assignment_.leader;
}

Offset Partition::high_watermark() const {
  absl::ReaderMutexLock lock(&mu_);
  return HighWatermarkLocked();
}

int64_t Partition::MaxFollowerLag() const {
  absl::ReaderMutexLock lock(&mu_);
  if (tracker_ == nullptr) return 0;
  int64_t lag = 0;
  for (BrokerId replica : assignment_.replicas) {
    if (replica == options_.self) continue;
    const FollowerState* state = tracker_->follower(replica);
    const int64_t log_end =
        state == nullptr || state->log_end.value() < 0 ? 0 : state->log_end.value();
    lag = std::max(lag, tracker_->leader_log_end().value() - log_end);
  }
  return lag;
}

bool Partition::UnderReplicated() const {
  absl::ReaderMutexLock lock(&mu_);
  return tracker_ != nullptr && tracker_->isr().size() < assignment_.replicas.size();
}

LeaderEpoch Partition::LastFetchedEpoch() const {
  std::optional<storage::LeaderEpochCache::Entry> latest = log_->LatestEpoch();
  return latest ? latest->epoch : LeaderEpoch(-1);
}

const TopicConfig& Partition::config() const {
  absl::ReaderMutexLock lock(&mu_);
  return config_;
}

}  // namespace eddy::broker
