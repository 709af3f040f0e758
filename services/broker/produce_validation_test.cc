#include "services/broker/produce_validation.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>

#include "gtest/gtest.h"
#include "libs/kafka/record_batch_builder.h"

namespace eddy::broker {
namespace {

using kafka::ErrorCode;
using kafka::RecordBatchBuilder;

constexpr int16_t kProduceVersion = 9;

class ProduceValidationTest : public ::testing::Test {
 protected:
  int64_t NowMs() const { return absl::ToUnixMillis(now_); }

  // Batch builds `count` records stamped now, keyed "k<i>", with `options`.
  static std::string Batch(int count, int64_t timestamp_ms,
                           RecordBatchBuilder::Options options = {}) {
    RecordBatchBuilder builder(options);
    for (int i = 0; i < count; ++i) builder.Append(timestamp_ms, "k" + std::to_string(i), "value");
    absl::StatusOr<std::string> bytes = builder.Build();
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    return bytes.ok() ? *bytes : std::string();
  }

  ProduceValidationResult Validate(const std::string& bytes,
                                   int16_t version = kProduceVersion) const {
    return ValidateProduceRecords(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
        version, config_, now_);
  }

  absl::Time now_ = absl::FromUnixMillis(1'700'000'000'000);
  ProduceValidationConfig config_;
};

TEST_F(ProduceValidationTest, AcceptsIdempotentBatchAndReportsItsShape) {
  RecordBatchBuilder::Options options;
  options.producer_id = ProducerId(42);
  options.producer_epoch = ProducerEpoch(3);
  options.base_sequence = 10;
  RecordBatchBuilder builder(options);
  builder.Append(NowMs() - 5, "a", "1");
  builder.Append(NowMs() - 2, "b", "2");
  builder.Append(NowMs() - 9, "c", "3");
  std::string bytes = *builder.Build();

  ProduceValidationResult result = Validate(bytes);
  ASSERT_TRUE(result.ok()) << result.error_message;
  ASSERT_EQ(result.batches.size(), 1u);
  const ValidatedBatch& batch = result.batches[0];
  EXPECT_EQ(batch.record_count, 3);
  EXPECT_EQ(batch.first_sequence, 10);
  EXPECT_EQ(batch.last_sequence, 12);
  EXPECT_EQ(batch.producer_id, ProducerId(42));
  EXPECT_EQ(batch.producer_epoch, ProducerEpoch(3));
  EXPECT_EQ(batch.max_timestamp, NowMs() - 2);
  EXPECT_EQ(batch.size_bytes, bytes.size());
  EXPECT_FALSE(batch.transactional);
  EXPECT_EQ(result.total_records, 3);
  EXPECT_FALSE(result.log_append_time);
}

TEST_F(ProduceValidationTest, AcceptsCompressedBatch) {
  RecordBatchBuilder::Options options;
  options.compression = kafka::Compression::kZstd;
  ProduceValidationResult result = Validate(Batch(20, NowMs(), options));
  ASSERT_TRUE(result.ok()) << result.error_message;
  EXPECT_EQ(result.batches[0].record_count, 20);
  EXPECT_EQ(result.batches[0].first_sequence, -1);
}

TEST_F(ProduceValidationTest, ZstdBeforeProduceV7IsUnsupported) {
  RecordBatchBuilder::Options options;
  options.compression = kafka::Compression::kZstd;
  EXPECT_EQ(Validate(Batch(2, NowMs(), options), 6).error, ErrorCode::kUnsupportedCompressionType);
}

TEST_F(ProduceValidationTest, SequenceWrapsPastInt32Max) {
  RecordBatchBuilder::Options options;
  options.producer_id = ProducerId(1);
  options.producer_epoch = ProducerEpoch(0);
  options.base_sequence = std::numeric_limits<int32_t>::max() - 1;
  ProduceValidationResult result = Validate(Batch(4, NowMs(), options));
  ASSERT_TRUE(result.ok()) << result.error_message;
  EXPECT_EQ(result.batches[0].last_sequence, 1);
  EXPECT_EQ(LastSequence(std::numeric_limits<int32_t>::max(), 1),
            std::numeric_limits<int32_t>::max());
  EXPECT_EQ(LastSequence(std::numeric_limits<int32_t>::max(), 2), 0);
}

TEST_F(ProduceValidationTest, LogAppendTimeSkipsTimestampBoundsAndIsNoted) {
  config_.log_append_time = true;
  ProduceValidationResult result = Validate(Batch(1, NowMs() - int64_t{365} * 24 * 3600 * 1000));
  ASSERT_TRUE(result.ok()) << result.error_message;
  EXPECT_TRUE(result.log_append_time);
}

TEST_F(ProduceValidationTest, CreateTimeOutsideBoundsIsInvalidTimestamp) {
  config_.timestamp_before_max = absl::Minutes(10);
  config_.timestamp_after_max = absl::Minutes(1);
  EXPECT_TRUE(Validate(Batch(1, NowMs() - 10 * 60 * 1000)).ok());
  EXPECT_EQ(Validate(Batch(1, NowMs() - 10 * 60 * 1000 - 1)).error, ErrorCode::kInvalidTimestamp);
  EXPECT_TRUE(Validate(Batch(1, NowMs() + 60 * 1000)).ok());
  EXPECT_EQ(Validate(Batch(1, NowMs() + 60 * 1000 + 1)).error, ErrorCode::kInvalidTimestamp);
}

TEST_F(ProduceValidationTest, CompactedTopicRequiresKeys) {
  config_.compacted = true;
  RecordBatchBuilder builder({});
  builder.Append(NowMs(), "key", "v");
  builder.Append(NowMs(), std::nullopt, "v");
  ProduceValidationResult result = Validate(*builder.Build());
  EXPECT_EQ(result.error, ErrorCode::kInvalidRecord);
  EXPECT_TRUE(result.batches.empty());
  config_.compacted = false;
  EXPECT_TRUE(Validate(*builder.Build()).ok());
}

TEST_F(ProduceValidationTest, OversizedBatchIsMessageTooLarge) {
  std::string bytes = Batch(10, NowMs());
  config_.max_message_bytes = static_cast<int64_t>(bytes.size());
  EXPECT_TRUE(Validate(bytes).ok());
  config_.max_message_bytes = static_cast<int64_t>(bytes.size()) - 1;
  EXPECT_EQ(Validate(bytes).error, ErrorCode::kMessageTooLarge);
}

TEST_F(ProduceValidationTest, RecordsBeyondSegmentSizeAreRecordListTooLarge) {
  std::string bytes = Batch(10, NowMs());
  config_.segment_bytes = static_cast<int64_t>(bytes.size()) - 1;
  EXPECT_EQ(Validate(bytes).error, ErrorCode::kRecordListTooLarge);
}

TEST_F(ProduceValidationTest, EmptyRecordsAreInvalid) {
  EXPECT_EQ(Validate("").error, ErrorCode::kInvalidRecord);
}

TEST_F(ProduceValidationTest, TwoBatchesAreInvalidFromV3OnlyOn) {
  std::string two = Batch(1, NowMs()) + Batch(2, NowMs());
  EXPECT_EQ(Validate(two).error, ErrorCode::kInvalidRecord);
  ProduceValidationResult v2 = Validate(two, 2);
  ASSERT_TRUE(v2.ok()) << v2.error_message;
  EXPECT_EQ(v2.batches.size(), 2u);
  EXPECT_EQ(v2.total_records, 3);
}

TEST_F(ProduceValidationTest, ControlBatchFromClientIsInvalid) {
  absl::StatusOr<std::string> marker = kafka::BuildEndTxnMarker(
      Offset(0), ProducerId(5), ProducerEpoch(0), /*commit=*/true, 1, NowMs());
  ASSERT_TRUE(marker.ok());
  EXPECT_EQ(Validate(*marker).error, ErrorCode::kInvalidRecord);
}

TEST_F(ProduceValidationTest, ProducerFlagsMustBeConsistent) {
  RecordBatchBuilder::Options no_sequence;
  no_sequence.producer_id = ProducerId(7);
  no_sequence.producer_epoch = ProducerEpoch(0);
  EXPECT_EQ(Validate(Batch(1, NowMs(), no_sequence)).error, ErrorCode::kInvalidRecord);

  RecordBatchBuilder::Options transactional_without_pid;
  transactional_without_pid.transactional = true;
  EXPECT_EQ(Validate(Batch(1, NowMs(), transactional_without_pid)).error,
            ErrorCode::kInvalidRecord);

  RecordBatchBuilder::Options transactional;
  transactional.transactional = true;
  transactional.producer_id = ProducerId(7);
  transactional.producer_epoch = ProducerEpoch(0);
  transactional.base_sequence = 0;
  ProduceValidationResult ok = Validate(Batch(1, NowMs(), transactional));
  ASSERT_TRUE(ok.ok()) << ok.error_message;
  EXPECT_TRUE(ok.batches[0].transactional);
}

// Corruption tests rewrite bytes of a valid batch; offsets follow the v2 header layout.
class CorruptBatchTest : public ProduceValidationTest {
 protected:
  static void Store32(std::string& bytes, size_t at, uint32_t value) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>(value >> (24 - 8 * i));
  }
  // Reseal recomputes the CRC so a test reaches the checks behind it.
  static void Reseal(std::string& bytes) {
    absl::StatusOr<kafka::RecordBatchView> view = kafka::RecordBatchView::Parse(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    ASSERT_TRUE(view.ok()) << view.status();
    Store32(bytes, kafka::kCrcOffset, view->ComputeCrc());
  }
};

TEST_F(CorruptBatchTest, FlippedPayloadByteIsCorruptMessage) {
  std::string bytes = Batch(3, NowMs());
  bytes[bytes.size() - 2] ^= 0x40;
  EXPECT_EQ(Validate(bytes).error, ErrorCode::kCorruptMessage);
}

TEST_F(CorruptBatchTest, TruncatedBatchIsCorruptMessage) {
  std::string bytes = Batch(3, NowMs());
  EXPECT_EQ(Validate(bytes.substr(0, bytes.size() - 1)).error, ErrorCode::kCorruptMessage);
  EXPECT_EQ(Validate(bytes.substr(0, 40)).error, ErrorCode::kCorruptMessage);
  EXPECT_EQ(Validate(bytes.substr(0, 10)).error, ErrorCode::kCorruptMessage);
}

TEST_F(CorruptBatchTest, WrongMagicIsInvalidRecord) {
  std::string bytes = Batch(3, NowMs());
  bytes[kafka::kMagicOffset] = 1;
  EXPECT_EQ(Validate(bytes).error, ErrorCode::kInvalidRecord);
  EXPECT_EQ(Validate(bytes, 2).error, ErrorCode::kUnsupportedForMessageFormat);
}

TEST_F(CorruptBatchTest, RecordCountDisagreeingWithOffsetsIsInvalidRecord) {
  std::string bytes = Batch(3, NowMs());
  Store32(bytes, 57, 4);  // recordsCount
  Reseal(bytes);
  EXPECT_EQ(Validate(bytes).error, ErrorCode::kInvalidRecord);
  Store32(bytes, 23, 3);  // lastOffsetDelta now agrees, but only 3 records are present
  Reseal(bytes);
  EXPECT_EQ(Validate(bytes).error, ErrorCode::kInvalidRecord);
}

TEST_F(CorruptBatchTest, OffsetDeltasOutOfOrderAreInvalidRecord) {
  // Each record is: length varint, attributes, timestamp delta varint, offset delta varint, ...;
  // with one-byte varints the second record's offset delta (ZigZag 1 = 0x02) follows its length,
  // attributes and timestamp delta.
  std::string bytes = Batch(2, NowMs());
  const size_t first_record = kafka::kRecordBatchHeaderSize;
  const size_t first_length = static_cast<uint8_t>(bytes[first_record]) / 2;
  const size_t second_offset_delta = first_record + 1 + first_length + 3;
  ASSERT_EQ(bytes[second_offset_delta], 0x02);
  bytes[second_offset_delta] = 0x04;  // offset delta 2 instead of 1
  Reseal(bytes);
  EXPECT_EQ(Validate(bytes).error, ErrorCode::kInvalidRecord);
}

}  // namespace
}  // namespace eddy::broker
