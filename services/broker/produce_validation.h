// Produce validation: the checks a partition leader applies to a produce request's records before
// anything is appended, following Kafka's ProduceRequest.validateRecords, UnifiedLog
// analyzeAndValidateRecords and LogValidator. The records are the client's bytes, read through
// libs/kafka's zero-copy RecordBatchView; nothing is rewritten here (offsets, leader epoch and
// LogAppendTime stamping happen in PartitionLog::AppendAsLeader).
//
// Checks, in Kafka's order (the first failure wins), each mapped to the partition error code Kafka
// sends:
//   - produce v3+: exactly one batch, magic 2 (INVALID_RECORD; Kafka rejects older magics there).
//     Below v3 Eddy keeps only magic 2 too, answering UNSUPPORTED_FOR_MESSAGE_FORMAT: it never
//     up-converts v0/v1 message sets (Kafka 4.0 dropped those produce versions altogether).
//   - batch size over max.message.bytes (MESSAGE_TOO_LARGE); whole request over segment.bytes
//     (RECORD_LIST_TOO_LARGE); torn length or bad CRC-32C (CORRUPT_MESSAGE)
//   - zstd below produce v7 (UNSUPPORTED_COMPRESSION_TYPE)
//   - offset range vs record count, offset deltas 0..n-1, control batches from clients,
//     idempotent batch without a sequence, transactional batch without a producer id, compacted
//     topic record without a key (INVALID_RECORD)
//   - CreateTime outside message.timestamp.before.max.ms / after.max.ms (INVALID_TIMESTAMP)
// Invariant: an accepted result describes exactly the batches in the input, in order.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/common/strong_id.h"
#include "libs/kafka/error_codes.h"
#include "libs/kafka/record_batch.h"

namespace eddy::broker {

// ProduceValidationConfig is the topic configuration the checks read (Kafka topic config names).
struct ProduceValidationConfig {
  // max.message.bytes: largest batch (as sent, compressed) accepted. Default 1 MiB + 12 as Kafka.
  int64_t max_message_bytes = 1048588;
  // segment.bytes: a request's records for one partition must fit one segment. Default 1 GiB.
  int64_t segment_bytes = int64_t{1} << 30;
  // cleanup.policy includes compact: every record needs a key.
  bool compacted = false;
  // message.timestamp.type: true = LogAppendTime (producer timestamps are replaced, not checked).
  bool log_append_time = false;
  // message.timestamp.before.max.ms / after.max.ms (KIP-937): how far a CreateTime timestamp may
  // lie before / after the broker's clock. Default: unbounded before, 1 hour after (Kafka 4.0).
  absl::Duration timestamp_before_max = absl::InfiniteDuration();
  absl::Duration timestamp_after_max = absl::Hours(1);
};

// ValidatedBatch is what the producer-state and append steps need to know about one batch.
struct ValidatedBatch {
  int32_t record_count = 0;
  int32_t first_sequence = -1;  // -1 for a non-idempotent batch
  int32_t last_sequence = -1;   // first + count - 1, wrapping past INT32_MAX to 0
  ProducerId producer_id{-1};
  ProducerEpoch producer_epoch{-1};
  bool transactional = false;
  // max_timestamp: the largest record timestamp (CreateTime); under LogAppendTime the append stamps
  // the broker's time instead.
  int64_t max_timestamp = -1;
  size_t size_bytes = 0;
};

struct ProduceValidationResult {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  std::string error_message;  // for the response's error_message / record errors
  // log_append_time: the topic uses LogAppendTime, so the append stamps the batches and the
  // response carries the append time (ProduceResponse log_append_time_ms).
  bool log_append_time = false;
  std::vector<ValidatedBatch> batches;
  int64_t total_records = 0;

  bool ok() const { return error == kafka::ErrorCode::kNone; }
};

// ValidateProduceRecords checks one partition's records from a produce request of version
// `produce_version` against `config` at broker time `now`.
ProduceValidationResult ValidateProduceRecords(std::span<const uint8_t> records,
                                               int16_t produce_version,
                                               const ProduceValidationConfig& config,
                                               absl::Time now);

// LastSequence is DefaultRecordBatch.incrementSequence(first, count - 1): sequences wrap from
// INT32_MAX to 0. REQUIRES: first >= 0, count >= 1.
int32_t LastSequence(int32_t first_sequence, int32_t record_count);

}  // namespace eddy::broker
