// Partition's offset queries and log-start moves: ListOffsets (earliest, latest, by timestamp, max
// timestamp), DeleteRecords and OffsetForLeaderEpoch. Split from partition.cc to keep it small.
#include <algorithm>
#include <string>
#include <vector>

#include "libs/kafka/record_batch.h"
#include "services/broker/partition.h"
#include "spdlog/spdlog.h"

namespace eddy::broker {

using kafka::ErrorCode;

namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

Partition::ListedOffset Partition::ListOffset(int64_t timestamp, LeaderEpoch current_leader_epoch,
                                              bool read_committed) const {
  ListedOffset listed;
  absl::ReaderMutexLock lock(&mu_);
  listed.error = CheckLeaderLocked(current_leader_epoch);
  if (listed.error != ErrorCode::kNone) return listed;
  const Offset limit = read_committed ? LastStableOffsetLocked() : HighWatermarkLocked();
  // The epoch of the batch holding an offset is not indexed; like Kafka for the log end, answer the
  // latest epoch (clients use it only to detect truncation).
  auto epoch_of = [&](Offset) {
    std::optional<storage::LeaderEpochCache::Entry> latest = log_->LatestEpoch();
    return latest ? latest->epoch : LeaderEpoch(-1);
  };
  if (timestamp == -2) {
    listed.offset = log_->LogStartOffset();
  } else if (timestamp == -1) {
    listed.offset = limit;
    listed.leader_epoch = epoch_of(limit);
  } else if (timestamp == -3) {
    // Max timestamp: scan the batches below the limit (rare; Kafka keeps it per segment).
    Offset next = log_->LogStartOffset();
    int64_t best = -1;
    Offset best_offset{-1};
    while (next < limit) {
      storage::ReadOptions options;
      options.max_offset = limit;
      absl::StatusOr<storage::ReadResult> read = log_->Read(next, options);
      if (!read.ok() || read->records.empty()) break;
      absl::StatusOr<std::vector<kafka::RecordBatchView>> batches =
          kafka::SplitBatches(Bytes(read->records));
      if (!batches.ok()) break;
      for (const kafka::RecordBatchView& batch : *batches) {
        if (batch.is_control() || batch.max_timestamp() <= best) continue;
        best = batch.max_timestamp();
        best_offset = batch.last_offset();
        std::string storage;
        absl::StatusOr<std::vector<kafka::RecordView>> records =
            kafka::ReadAllRecords(batch, &storage);
        if (records.ok() && batch.timestamp_type() == kafka::TimestampType::kCreateTime) {
          for (const kafka::RecordView& record : *records) {
            if (batch.base_timestamp() + record.timestamp_delta == best) {
              best_offset = Offset(batch.base_offset().value() + record.offset_delta);
              break;
            }
          }
        }
      }
      next = read->next_offset;
    }
    listed.timestamp = best;
    listed.offset = best_offset;
    if (best_offset.value() >= 0) listed.leader_epoch = epoch_of(best_offset);
  } else if (timestamp >= 0) {
    absl::StatusOr<std::optional<Offset>> found = log_->OffsetForTimestamp(timestamp);
    if (!found.ok()) {
      listed.error = ErrorCode::kKafkaStorageError;
      return listed;
    }
    if (!found->has_value() || **found >= limit) return listed;  // (-1, -1): none
    listed.offset = **found;
    storage::ReadOptions options;
    options.max_bytes = 1;
    absl::StatusOr<storage::ReadResult> read = log_->Read(listed.offset, options);
    if (read.ok()) {
      absl::StatusOr<std::vector<kafka::RecordBatchView>> batches =
          kafka::SplitBatches(Bytes(read->records));
      if (batches.ok() && !batches->empty()) {
        const kafka::RecordBatchView& batch = batches->front();
        listed.timestamp = batch.max_timestamp();
        std::string storage;
        absl::StatusOr<std::vector<kafka::RecordView>> records =
            kafka::ReadAllRecords(batch, &storage);
        if (records.ok() && batch.timestamp_type() == kafka::TimestampType::kCreateTime) {
          for (const kafka::RecordView& record : *records) {
            const Offset offset(batch.base_offset().value() + record.offset_delta);
            const int64_t ts = batch.base_timestamp() + record.timestamp_delta;
            if (offset >= listed.offset && ts >= timestamp) {
              listed.offset = offset;
              listed.timestamp = ts;
              break;
            }
          }
        }
      }
    }
    listed.leader_epoch = epoch_of(listed.offset);
  } else {
    listed.error = ErrorCode::kInvalidRequest;
  }
  return listed;
}

std::pair<ErrorCode, Offset> Partition::DeleteRecords(Offset offset) {
  absl::MutexLock lock(&mu_);
  if (role_ != ReplicaRole::kLeader) return {ErrorCode::kNotLeaderOrFollower, Offset(-1)};
  const Offset hw = HighWatermarkLocked();
  if (offset.value() == -1) offset = hw;
  if (offset.value() < 0 || offset > hw)
    return {ErrorCode::kOffsetOutOfRange, log_->LogStartOffset()};
  if (absl::Status status = log_->AdvanceLogStartOffset(offset); !status.ok()) {
    spdlog::error("{}: DeleteRecords: {}", log_->dir(), status.ToString());
    return {ErrorCode::kKafkaStorageError, log_->LogStartOffset()};
  }
  producers_.TruncateBelow(log_->LogStartOffset());
  return {ErrorCode::kNone, log_->LogStartOffset()};
}

std::pair<ErrorCode, EpochEndOffset> Partition::OffsetForLeaderEpoch(
    LeaderEpoch current_leader_epoch, LeaderEpoch epoch) const {
  absl::ReaderMutexLock lock(&mu_);
  ErrorCode error = CheckLeaderLocked(current_leader_epoch);
  if (error != ErrorCode::kNone) return {error, EpochEndOffset{}};
  auto [found, end] = log_->EndOffsetForEpoch(epoch);
  return {ErrorCode::kNone, EpochEndOffset{found, end}};
}

}  // namespace eddy::broker
