#include "services/broker/producer_state.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/storage/partition_log.h"

namespace eddy::broker {
namespace {

using kafka::ErrorCode;

constexpr ProducerEpoch kNoProducerEpoch{-1};

// InSequence is ProducerAppendInfo.inSequence: next follows last, INT32_MAX wrapping to 0.
bool InSequence(int32_t last_sequence, int32_t next_sequence) {
  return int64_t{next_sequence} == int64_t{last_sequence} + 1 ||
         (next_sequence == 0 && last_sequence == std::numeric_limits<int32_t>::max());
}

}  // namespace

int32_t DecrementSequence(int32_t sequence, int32_t by) {
  if (sequence < by) return std::numeric_limits<int32_t>::max() - (by - sequence) + 1;
  return sequence - by;
}

BatchCheck ProducerStateTable::CheckBatch(const ValidatedBatch& batch) const {
  if (batch.producer_id.value() < 0) return {};
  auto it = producers_.find(batch.producer_id);
  // An unknown producer may start at any sequence (KIP-360): its state may have been removed with
  // the data that carried it.
  if (it == producers_.end()) return {};
  const ProducerEntry& entry = it->second;
  if (batch.producer_epoch < entry.epoch) return {ErrorCode::kInvalidProducerEpoch, std::nullopt};
  if (batch.producer_epoch == entry.epoch) {
    for (const ProducerBatchMetadata& previous : entry.batches) {
      if (previous.first_sequence == batch.first_sequence &&
          previous.last_sequence == batch.last_sequence) {
        return {ErrorCode::kNone, previous};
      }
    }
    const int32_t last_sequence = entry.batches.empty() ? -1 : entry.batches.back().last_sequence;
    if (!InSequence(last_sequence, batch.first_sequence))
      return {ErrorCode::kOutOfOrderSequenceNumber, std::nullopt};
  } else if (batch.first_sequence != 0 && entry.epoch != kNoProducerEpoch) {
    // A bumped epoch restarts the sequence at 0.
    return {ErrorCode::kOutOfOrderSequenceNumber, std::nullopt};
  }
  if (entry.current_txn_first_offset.has_value() && !batch.transactional) {
    return {ErrorCode::kInvalidTxnState, std::nullopt};
  }
  return {};
}

void ProducerStateTable::ApplyBatch(const ValidatedBatch& batch, Offset first_offset,
                                    Offset last_offset) {
  if (batch.producer_id.value() < 0) return;
  ProducerEntry& entry = producers_[batch.producer_id];
  if (entry.epoch != batch.producer_epoch) {
    entry.batches.clear();
    entry.epoch = batch.producer_epoch;
  }
  entry.batches.push_back(
      {batch.first_sequence, batch.last_sequence, first_offset, last_offset, batch.max_timestamp});
  if (entry.batches.size() > kMaxBatchesPerProducer) entry.batches.pop_front();
  entry.last_timestamp_ms = batch.max_timestamp;
  if (batch.transactional && !entry.current_txn_first_offset.has_value()) {
    entry.current_txn_first_offset = first_offset;
  }
}

MarkerResult ProducerStateTable::ApplyEndTxnMarker(ProducerId producer_id, ProducerEpoch epoch,
                                                   bool commit, int32_t coordinator_epoch,
                                                   Offset offset, int64_t timestamp_ms,
                                                   bool validate) {
  auto it = producers_.find(producer_id);
  if (validate && it != producers_.end()) {
    if (epoch < it->second.epoch) return {ErrorCode::kInvalidProducerEpoch, std::nullopt};
    if (coordinator_epoch < it->second.coordinator_epoch)
      return {ErrorCode::kTransactionCoordinatorFenced, std::nullopt};
  }
  ProducerEntry& entry = it != producers_.end() ? it->second : producers_[producer_id];
  MarkerResult result;
  if (entry.current_txn_first_offset.has_value()) {
    result.completed = CompletedTxn{producer_id, *entry.current_txn_first_offset, offset, !commit};
  }
  if (entry.epoch != epoch) {
    entry.batches.clear();
    entry.epoch = epoch;
  }
  entry.current_txn_first_offset.reset();
  entry.coordinator_epoch = coordinator_epoch;
  entry.last_timestamp_ms = timestamp_ms;
  return result;
}

absl::Status ProducerStateTable::ReplayBatch(const kafka::RecordBatchView& batch) {
  if (batch.producer_id().value() < 0) return absl::OkStatus();
  if (batch.is_control()) {
    std::string storage;
    EDDY_ASSIGN_OR_RETURN(std::vector<kafka::RecordView> records,
                          kafka::ReadAllRecords(batch, &storage));
    if (records.empty() || !records[0].key.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "control batch at offset ", batch.base_offset().value(), " has no record key"));
    }
    EDDY_ASSIGN_OR_RETURN(kafka::ControlRecordType type,
                          kafka::ParseControlRecordKey(*records[0].key));
    // Other control types (none exist in Kafka today) carry no producer state.
    if (type != kafka::ControlRecordType::kCommit && type != kafka::ControlRecordType::kAbort)
      return absl::OkStatus();
    EDDY_ASSIGN_OR_RETURN(kafka::EndTxnMarker marker,
                          kafka::ParseEndTxnMarker(records[0].value.value_or("")));
    ApplyEndTxnMarker(batch.producer_id(), batch.producer_epoch(),
                      type == kafka::ControlRecordType::kCommit, marker.coordinator_epoch,
                      batch.base_offset(), batch.max_timestamp(), /*validate=*/false);
    return absl::OkStatus();
  }
  ValidatedBatch data;
  data.record_count = batch.records_count();
  data.producer_id = batch.producer_id();
  data.producer_epoch = batch.producer_epoch();
  data.transactional = batch.is_transactional();
  data.max_timestamp = batch.max_timestamp();
  if (batch.base_sequence() >= 0) {
    data.first_sequence = batch.base_sequence();
    data.last_sequence = LastSequence(batch.base_sequence(), batch.last_offset_delta() + 1);
  }
  ApplyBatch(data, batch.base_offset(), batch.last_offset());
  return absl::OkStatus();
}

absl::Status ProducerStateTable::ReplayRecords(std::span<const uint8_t> records) {
  EDDY_ASSIGN_OR_RETURN(std::vector<kafka::RecordBatchView> batches, kafka::SplitBatches(records));
  for (const kafka::RecordBatchView& batch : batches) EDDY_RETURN_IF_ERROR(ReplayBatch(batch));
  return absl::OkStatus();
}

bool ProducerStateTable::Expired(const ProducerEntry& entry, absl::Time now) const {
  return !entry.current_txn_first_offset.has_value() &&
         now - absl::FromUnixMillis(entry.last_timestamp_ms) >= options_.producer_id_expiration;
}

int ProducerStateTable::RemoveExpiredProducers() {
  const absl::Time now = clock_.Now();
  return static_cast<int>(
      std::erase_if(producers_, [&](const auto& item) { return Expired(item.second, now); }));
}

void ProducerStateTable::TruncateBelow(Offset log_start) {
  std::erase_if(producers_, [&](const auto& item) {
    const ProducerEntry& entry = item.second;
    const Offset last = entry.batches.empty() ? Offset(-1) : entry.batches.back().last_offset;
    return last < log_start && !entry.current_txn_first_offset.has_value();
  });
}

std::optional<Offset> ProducerStateTable::FirstOpenTransactionOffset() const {
  std::optional<Offset> first;
  for (const auto& [id, entry] : producers_) {
    if (entry.current_txn_first_offset.has_value() &&
        (!first || *entry.current_txn_first_offset < *first)) {
      first = entry.current_txn_first_offset;
    }
  }
  return first;
}

std::vector<storage::ProducerSnapshotEntry> ProducerStateTable::Snapshot() const {
  std::vector<storage::ProducerSnapshotEntry> entries;
  entries.reserve(producers_.size());
  for (const auto& [id, entry] : producers_) {
    storage::ProducerSnapshotEntry out;
    out.producer_id = id;
    out.producer_epoch = entry.epoch;
    out.last_offset = Offset(-1);
    if (!entry.batches.empty()) {
      const ProducerBatchMetadata& last = entry.batches.back();
      out.last_sequence = last.last_sequence;
      out.last_offset = last.last_offset;
      out.offset_delta = static_cast<int32_t>(last.last_offset.value() - last.first_offset.value());
    }
    out.timestamp_ms = entry.last_timestamp_ms;
    out.coordinator_epoch = entry.coordinator_epoch;
    out.current_txn_first_offset = entry.current_txn_first_offset;
    entries.push_back(out);
  }
  return entries;
}

void ProducerStateTable::Restore(const std::vector<storage::ProducerSnapshotEntry>& entries) {
  producers_.clear();
  const absl::Time now = clock_.Now();
  for (const storage::ProducerSnapshotEntry& in : entries) {
    ProducerEntry entry;
    entry.epoch = in.producer_epoch;
    entry.coordinator_epoch = in.coordinator_epoch;
    entry.last_timestamp_ms = in.timestamp_ms;
    entry.current_txn_first_offset = in.current_txn_first_offset;
    if (Expired(entry, now)) continue;
    if (in.last_sequence >= 0 && in.last_offset.value() >= 0) {
      entry.batches.push_back({DecrementSequence(in.last_sequence, in.offset_delta),
                               in.last_sequence, Offset(in.last_offset.value() - in.offset_delta),
                               in.last_offset, in.timestamp_ms});
    }
    producers_[in.producer_id] = std::move(entry);
  }
}

const ProducerEntry* ProducerStateTable::Find(ProducerId producer_id) const {
  auto it = producers_.find(producer_id);
  return it == producers_.end() ? nullptr : &it->second;
}

absl::StatusOr<Offset> RebuildProducerState(const storage::PartitionLog& log, Offset from,
                                            ProducerStateTable& table) {
  Offset next = std::max(from, log.LogStartOffset());
  const Offset end = log.LogEndOffset();
  while (next < end) {
    EDDY_ASSIGN_OR_RETURN(storage::ReadResult read, log.Read(next));
    if (read.records.empty()) break;
    EDDY_RETURN_IF_ERROR(table.ReplayRecords(std::span<const uint8_t>(
        reinterpret_cast<const uint8_t*>(read.records.data()), read.records.size())));
    next = read.next_offset;
  }
  return next;
}

}  // namespace eddy::broker
