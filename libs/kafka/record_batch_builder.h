// RecordBatchBuilder writes a RecordBatch v2 (layout in record_batch.h): used for control batches
// (transaction markers), internal topics (__consumer_offsets, __transaction_state) and tests. The
// hot produce path never rebuilds client batches; it forwards their bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/kafka/compression.h"
#include "libs/kafka/record_batch.h"

namespace eddy::kafka {

class RecordBatchBuilder {
 public:
  struct Options {
    Offset base_offset{0};
    LeaderEpoch partition_leader_epoch{-1};
    Compression compression = Compression::kNone;
    TimestampType timestamp_type = TimestampType::kCreateTime;
    ProducerId producer_id{-1};
    ProducerEpoch producer_epoch{-1};
    int32_t base_sequence = -1;
    bool transactional = false;
    bool control = false;
  };

  explicit RecordBatchBuilder(Options options) : options_(options) {}

  // Append adds a record with the next offset delta. Timestamps are absolute milliseconds.
  void Append(int64_t timestamp_ms, std::optional<std::string_view> key,
              std::optional<std::string_view> value,
              std::span<const RecordHeaderView> headers = {});

  int32_t count() const { return count_; }

  // Build returns the finished batch (compressed as configured, CRC set). An empty batch is a
  // FailedPrecondition: Kafka never writes one from a producer.
  absl::StatusOr<std::string> Build() const;

 private:
  Options options_;
  std::string records_;
  int32_t count_ = 0;
  int64_t base_timestamp_ = -1;
  int64_t max_timestamp_ = -1;
};

// BuildEndTxnMarker returns the control batch a partition leader writes for a transaction outcome
// (kafka-protocol.md §3.4): one record, key = {version 0, type}, value = {version 0,
// coordinator_epoch}, transactional + control attributes, baseSequence -1.
absl::StatusOr<std::string> BuildEndTxnMarker(Offset base_offset, ProducerId producer_id,
                                              ProducerEpoch producer_epoch, bool commit,
                                              int32_t coordinator_epoch, int64_t timestamp_ms);

}  // namespace eddy::kafka
