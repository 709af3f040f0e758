#include "services/broker/produce_validation.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"

namespace eddy::broker {
namespace {

using kafka::ErrorCode;

ProduceValidationResult Reject(ErrorCode code, std::string message) {
  ProduceValidationResult result;
  result.error = code;
  result.error_message = std::move(message);
  return result;
}

int32_t LoadBigEndian32(std::span<const uint8_t> bytes, size_t at) {
  return static_cast<int32_t>((uint32_t{bytes[at]} << 24) | (uint32_t{bytes[at + 1]} << 16) |
                              (uint32_t{bytes[at + 2]} << 8) | uint32_t{bytes[at + 3]});
}

// CheckHeaderFlags applies LogValidator.validateBatch's client-origin rules to the header alone.
std::pair<ErrorCode, std::string> CheckHeaderFlags(const kafka::RecordBatchView& batch,
                                                   int16_t produce_version) {
  if (batch.compression() == kafka::Compression::kZstd && produce_version < 7) {
    return {ErrorCode::kUnsupportedCompressionType, "zstd needs produce version 7 or later"};
  }
  if (static_cast<int8_t>(batch.compression()) > static_cast<int8_t>(kafka::Compression::kZstd)) {
    return {ErrorCode::kCorruptMessage, "unknown compression type"};
  }
  const int64_t count_from_offsets = int64_t{batch.last_offset_delta()} + 1;
  if (count_from_offsets <= 0)
    return {ErrorCode::kInvalidRecord, "batch has an invalid offset range"};
  if (batch.records_count() <= 0)
    return {ErrorCode::kInvalidRecord, "invalid reported record count"};
  if (count_from_offsets != batch.records_count()) {
    return {ErrorCode::kInvalidRecord,
            absl::StrCat("inconsistent batch offset range (", count_from_offsets,
                         ") and record count (", batch.records_count(), ")")};
  }
  if (batch.is_control())
    return {ErrorCode::kInvalidRecord, "clients are not allowed to write control records"};
  const bool has_producer_id = batch.producer_id().value() >= 0;
  if (has_producer_id && batch.base_sequence() < 0) {
    return {ErrorCode::kInvalidRecord, "idempotent batch without a base sequence"};
  }
  if (batch.is_transactional() && !has_producer_id) {
    return {ErrorCode::kInvalidRecord, "transactional batch without a producer id"};
  }
  return {ErrorCode::kNone, ""};
}

// CheckRecords walks the (decompressed) records: offset deltas 0..n-1, keys on compacted topics and
// CreateTime bounds (LogValidator.validateRecord / validateTimestamp). Fills max_timestamp.
std::pair<ErrorCode, std::string> CheckRecords(const kafka::RecordBatchView& batch,
                                               const ProduceValidationConfig& config,
                                               absl::Time now, ValidatedBatch* out) {
  std::string decompressed;
  std::span<const uint8_t> payload = batch.payload();
  if (batch.compression() != kafka::Compression::kNone) {
    absl::StatusOr<std::string> plain = batch.DecompressedPayload();
    if (!plain.ok()) return {ErrorCode::kCorruptMessage, std::string(plain.status().message())};
    decompressed = *std::move(plain);
    payload = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(decompressed.data()),
                                       decompressed.size());
  }
  const absl::Time earliest = now - config.timestamp_before_max;
  const absl::Time latest = now + config.timestamp_after_max;
  kafka::RecordIterator records(payload, batch.records_count());
  kafka::RecordView record;
  int32_t index = 0;
  int64_t max_timestamp = -1;
  while (true) {
    absl::StatusOr<bool> next = records.Next(&record);
    if (!next.ok()) return {ErrorCode::kInvalidRecord, std::string(next.status().message())};
    if (!*next) break;
    if (record.offset_delta != index) {
      return {ErrorCode::kInvalidRecord,
              absl::StrCat("record ", index, " has offset delta ", record.offset_delta)};
    }
    if (config.compacted && !record.key.has_value()) {
      return {ErrorCode::kInvalidRecord, "compacted topic cannot accept a record without a key"};
    }
    const int64_t timestamp = batch.base_timestamp() + record.timestamp_delta;
    if (!config.log_append_time) {
      const absl::Time at = absl::FromUnixMillis(timestamp);
      if (at < earliest || at > latest) {
        return {ErrorCode::kInvalidTimestamp,
                absl::StrCat("record ", index, " timestamp ", timestamp,
                             " is out of range (message.timestamp.before/after.max.ms)")};
      }
    }
    max_timestamp = std::max(max_timestamp, timestamp);
    ++index;
  }
  out->max_timestamp = max_timestamp;
  return {ErrorCode::kNone, ""};
}

}  // namespace

int32_t LastSequence(int32_t first_sequence, int32_t record_count) {
  const int32_t increment = record_count - 1;
  if (first_sequence > std::numeric_limits<int32_t>::max() - increment) {
    return increment - (std::numeric_limits<int32_t>::max() - first_sequence) - 1;
  }
  return first_sequence + increment;
}

ProduceValidationResult ValidateProduceRecords(std::span<const uint8_t> records,
                                               int16_t produce_version,
                                               const ProduceValidationConfig& config,
                                               absl::Time now) {
  if (records.empty())
    return Reject(ErrorCode::kInvalidRecord, "produce request without a record batch");
  if (static_cast<int64_t>(records.size()) > config.segment_bytes) {
    return Reject(ErrorCode::kRecordListTooLarge,
                  absl::StrCat("records of ", records.size(), " bytes exceed segment.bytes"));
  }
  ProduceValidationResult result;
  result.log_append_time = config.log_append_time;
  std::span<const uint8_t> rest = records;
  while (!rest.empty()) {
    if (rest.size() <= kafka::kMagicOffset)
      return Reject(ErrorCode::kCorruptMessage, "truncated batch header");
    const int8_t magic = static_cast<int8_t>(rest[kafka::kMagicOffset]);
    if (magic != 2) {
      // ProduceRequest.validateRecords: v3+ carries only magic 2; older magics there are invalid.
      return Reject(produce_version >= 3 ? ErrorCode::kInvalidRecord
                                         : ErrorCode::kUnsupportedForMessageFormat,
                    absl::StrCat("record batch magic ", static_cast<int>(magic), " is not 2"));
    }
    if (rest.size() < kafka::kRecordBatchHeaderSize)
      return Reject(ErrorCode::kCorruptMessage, "truncated batch header");
    const int64_t batch_size =
        int64_t{LoadBigEndian32(rest, 8)} + static_cast<int64_t>(kafka::kLogOverhead);
    if (batch_size < static_cast<int64_t>(kafka::kRecordBatchHeaderSize) ||
        batch_size > static_cast<int64_t>(rest.size())) {
      return Reject(ErrorCode::kCorruptMessage,
                    absl::StrCat("batch length ", batch_size, " disagrees with the ", rest.size(),
                                 " bytes sent"));
    }
    if (!result.batches.empty() && produce_version >= 3) {
      return Reject(ErrorCode::kInvalidRecord,
                    "produce v3+ allows exactly one record batch per partition");
    }
    if (batch_size > config.max_message_bytes) {
      return Reject(ErrorCode::kMessageTooLarge,
                    absl::StrCat("batch of ", batch_size, " bytes exceeds max.message.bytes ",
                                 config.max_message_bytes));
    }
    absl::StatusOr<kafka::RecordBatchView> batch =
        kafka::RecordBatchView::Parse(rest.first(static_cast<size_t>(batch_size)));
    if (!batch.ok())
      return Reject(ErrorCode::kCorruptMessage, std::string(batch.status().message()));
    if (!batch->VerifyCrc().ok())
      return Reject(ErrorCode::kCorruptMessage, "record batch CRC-32C mismatch");
    if (auto [code, message] = CheckHeaderFlags(*batch, produce_version);
        code != ErrorCode::kNone) {
      return Reject(code, std::move(message));
    }
    ValidatedBatch validated;
    if (auto [code, message] = CheckRecords(*batch, config, now, &validated);
        code != ErrorCode::kNone) {
      return Reject(code, std::move(message));
    }
    validated.record_count = batch->records_count();
    validated.producer_id = batch->producer_id();
    validated.producer_epoch = batch->producer_epoch();
    validated.transactional = batch->is_transactional();
    if (batch->producer_id().value() >= 0) {
      validated.first_sequence = batch->base_sequence();
      validated.last_sequence = LastSequence(batch->base_sequence(), batch->records_count());
    }
    validated.size_bytes = static_cast<size_t>(batch_size);
    result.total_records += validated.record_count;
    result.batches.push_back(validated);
    rest = rest.subspan(static_cast<size_t>(batch_size));
  }
  return result;
}

}  // namespace eddy::broker
