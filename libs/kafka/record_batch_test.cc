#include "libs/kafka/record_batch.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/kafka/record_batch_builder.h"
#include "tests/testing/status_matchers.h"

namespace eddy::kafka {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;
using ::testing::HasSubstr;

std::span<const uint8_t> Span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Written by kafka-python 2.0.2's DefaultRecordBatchBuilder (an independent implementation):
// producer 1234 epoch 5 sequence 7; records (k1,v1,[h=x]) @1700000000000, (null,"hello world")
// @+5, (k3,null,[a=null, bb=yz]) @+3.
const char kPlainHex[] =
    "0000000000000000000000640000000002f95d9da30000000000020000018bcfe568000000018bcfe56805000000"
    "00000004d2000500000007000000031c000000046b31047631020268027822000a02011668656c6c6f20776f726c"
    "640022000604046b33010402610104626204797a";
// kafka-python, gzip, transactional, producer 77 epoch 1, five records of 40 x 'a', no keys.
const char kGzipHex[] =
    "00000000000000000000006200000000023abc7f1e0011000000040000018bcfe568000000018bcfe56804000000"
    "000000004d000100000000000000051f8b0800dda2046b02ff8b616060600c48241230c430303191a49c858524e5"
    "6c6c2429e7e020413900bebfa433eb000000";

TEST(RecordBatchTest, ReadsKafkaPythonBatch) {
  const std::string bytes = absl::HexStringToBytes(kPlainHex);
  EDDY_ASSERT_OK_AND_ASSIGN(RecordBatchView batch, RecordBatchView::Parse(Span(bytes)));
  EXPECT_THAT(batch.VerifyCrc(), IsOk());
  EXPECT_EQ(batch.size(), bytes.size());
  EXPECT_EQ(batch.magic(), 2);
  EXPECT_EQ(batch.compression(), Compression::kNone);
  EXPECT_EQ(batch.last_offset_delta(), 2);
  EXPECT_EQ(batch.base_timestamp(), 1700000000000);
  EXPECT_EQ(batch.max_timestamp(), 1700000000005);
  EXPECT_EQ(batch.producer_id(), ProducerId(1234));
  EXPECT_EQ(batch.producer_epoch(), ProducerEpoch(5));
  EXPECT_EQ(batch.base_sequence(), 7);
  EXPECT_EQ(batch.records_count(), 3);
  EXPECT_FALSE(batch.is_transactional());
  EXPECT_FALSE(batch.is_control());

  std::string storage;
  EDDY_ASSERT_OK_AND_ASSIGN(auto records, ReadAllRecords(batch, &storage));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].key, "k1");
  EXPECT_EQ(records[0].value, "v1");
  EXPECT_EQ(records[1].key, std::nullopt);
  EXPECT_EQ(records[1].value, "hello world");
  EXPECT_EQ(records[1].timestamp_delta, 5);
  EXPECT_EQ(records[2].offset_delta, 2);
  EXPECT_EQ(records[2].value, std::nullopt);
  EDDY_ASSERT_OK_AND_ASSIGN(auto h0, records[0].Headers());
  ASSERT_EQ(h0.size(), 1u);
  EXPECT_EQ(h0[0].key, "h");
  EXPECT_EQ(h0[0].value, "x");
  EDDY_ASSERT_OK_AND_ASSIGN(auto h2, records[2].Headers());
  ASSERT_EQ(h2.size(), 2u);
  EXPECT_EQ(h2[0].value, std::nullopt);
  EXPECT_EQ(h2[1].key, "bb");
  EXPECT_EQ(h2[1].value, "yz");
}

TEST(RecordBatchTest, BuilderReproducesKafkaPythonBytes) {
  RecordBatchBuilder builder({.base_offset = Offset(0), .partition_leader_epoch = LeaderEpoch(0),
                              .producer_id = ProducerId(1234), .producer_epoch = ProducerEpoch(5),
                              .base_sequence = 7});
  std::vector<RecordHeaderView> h0 = {{"h", "x"}};
  std::vector<RecordHeaderView> h2 = {{"a", std::nullopt}, {"bb", "yz"}};
  builder.Append(1700000000000, "k1", "v1", h0);
  builder.Append(1700000000005, std::nullopt, "hello world");
  builder.Append(1700000000003, "k3", std::nullopt, h2);
  EDDY_ASSERT_OK_AND_ASSIGN(std::string bytes, builder.Build());
  EXPECT_EQ(absl::BytesToHexString(bytes), kPlainHex);
}

TEST(RecordBatchTest, ReadsGzipTransactionalBatch) {
  const std::string bytes = absl::HexStringToBytes(kGzipHex);
  EDDY_ASSERT_OK_AND_ASSIGN(RecordBatchView batch, RecordBatchView::Parse(Span(bytes)));
  EXPECT_THAT(batch.VerifyCrc(), IsOk());
  EXPECT_EQ(batch.compression(), Compression::kGzip);
  EXPECT_TRUE(batch.is_transactional());
  std::string storage;
  EDDY_ASSERT_OK_AND_ASSIGN(auto records, ReadAllRecords(batch, &storage));
  ASSERT_EQ(records.size(), 5u);
  for (const RecordView& r : records) EXPECT_EQ(r.value, std::string(40, 'a'));
}

TEST(RecordBatchTest, BuilderRoundTripsEveryCodec) {
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kSnappy,
                        Compression::kLz4, Compression::kZstd}) {
    RecordBatchBuilder builder(
        {.base_offset = Offset(100), .compression = c, .producer_id = ProducerId(9)});
    for (int i = 0; i < 50; ++i) {
      builder.Append(1000 + i, "key" + std::to_string(i), std::string(100, static_cast<char>('a' + i % 26)));
    }
    EDDY_ASSERT_OK_AND_ASSIGN(std::string bytes, builder.Build());
    EDDY_ASSERT_OK_AND_ASSIGN(RecordBatchView batch, RecordBatchView::Parse(Span(bytes)));
    EXPECT_THAT(batch.VerifyCrc(), IsOk()) << CompressionName(c);
    EXPECT_EQ(batch.compression(), c);
    EXPECT_EQ(batch.last_offset(), Offset(149));
    EXPECT_EQ(batch.max_timestamp(), 1049);
    std::string storage;
    EDDY_ASSERT_OK_AND_ASSIGN(auto records, ReadAllRecords(batch, &storage));
    ASSERT_EQ(records.size(), 50u);
    EXPECT_EQ(records[49].key, "key49");
    EXPECT_EQ(records[49].timestamp_delta, 49);
  }
}

TEST(RecordBatchTest, ControlMarker) {
  EDDY_ASSERT_OK_AND_ASSIGN(std::string bytes, BuildEndTxnMarker(Offset(42), ProducerId(7), ProducerEpoch(3), true, 11, 5000));
  EDDY_ASSERT_OK_AND_ASSIGN(RecordBatchView batch, RecordBatchView::Parse(Span(bytes)));
  EXPECT_THAT(batch.VerifyCrc(), IsOk());
  EXPECT_TRUE(batch.is_control());
  EXPECT_TRUE(batch.is_transactional());
  EXPECT_EQ(batch.base_sequence(), -1);
  EXPECT_EQ(batch.producer_epoch(), ProducerEpoch(3));
  std::string storage;
  EDDY_ASSERT_OK_AND_ASSIGN(auto records, ReadAllRecords(batch, &storage));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(ParseControlRecordKey(*records[0].key),
              ::eddy::testing::IsOkAndHolds(ControlRecordType::kCommit));
  EDDY_ASSERT_OK_AND_ASSIGN(EndTxnMarker marker, ParseEndTxnMarker(*records[0].value));
  EXPECT_EQ(marker.coordinator_epoch, 11);
  EXPECT_THAT(ParseControlRecordKey("\x00"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RecordBatchTest, LeaderRewritesKeepOrFixTheCrc) {
  std::string bytes = absl::HexStringToBytes(kPlainHex);
  std::span<uint8_t> mut(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size());
  SetBaseOffset(mut, Offset(1000));
  SetPartitionLeaderEpoch(mut, LeaderEpoch(4));
  EDDY_ASSERT_OK_AND_ASSIGN(RecordBatchView batch, RecordBatchView::Parse(Span(bytes)));
  EXPECT_EQ(batch.base_offset(), Offset(1000));
  EXPECT_EQ(batch.partition_leader_epoch(), LeaderEpoch(4));
  EXPECT_THAT(batch.VerifyCrc(), IsOk());
  StampLogAppendTime(mut, 1800000000000);
  EDDY_ASSERT_OK_AND_ASSIGN(batch, RecordBatchView::Parse(Span(bytes)));
  EXPECT_EQ(batch.timestamp_type(), TimestampType::kLogAppendTime);
  EXPECT_EQ(batch.max_timestamp(), 1800000000000);
  EXPECT_THAT(batch.VerifyCrc(), IsOk());
}

TEST(RecordBatchTest, CorruptionIsDetected) {
  std::string bytes = absl::HexStringToBytes(kPlainHex);
  bytes[70] ^= 1;
  EDDY_ASSERT_OK_AND_ASSIGN(RecordBatchView batch, RecordBatchView::Parse(Span(bytes)));
  EXPECT_THAT(batch.VerifyCrc(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("crc")));
  std::string magic = absl::HexStringToBytes(kPlainHex);
  magic[16] = 1;
  EXPECT_THAT(RecordBatchView::Parse(Span(magic)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("magic")));
}

TEST(RecordBatchTest, EveryTruncationFailsCleanly) {
  const std::string bytes = absl::HexStringToBytes(kPlainHex);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(RecordBatchView::Parse(Span(bytes).first(n)).ok()) << n;
  }
}

TEST(RecordBatchTest, MalformedRecordsFailCleanly) {
  // Corrupt each byte of the records section in turn: parsing must fail or succeed, never crash,
  // and a records_count that disagrees with the payload is an error.
  const std::string good = absl::HexStringToBytes(kPlainHex);
  for (size_t i = kRecordBatchHeaderSize; i < good.size(); ++i) {
    for (char flip : {'\x00', '\x7f', '\x80', '\xff'}) {
      std::string bytes = good;
      bytes[i] = flip;
      auto batch = RecordBatchView::Parse(Span(bytes));
      ASSERT_TRUE(batch.ok());
      std::string storage;
      ReadAllRecords(*batch, &storage).status().IgnoreError();
    }
  }
  std::string wrong_count = good;
  wrong_count[60] = 4;
  EDDY_ASSERT_OK_AND_ASSIGN(RecordBatchView batch, RecordBatchView::Parse(Span(wrong_count)));
  std::string storage;
  EXPECT_THAT(ReadAllRecords(batch, &storage).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("records[3]")));
  wrong_count[60] = 2;
  EDDY_ASSERT_OK_AND_ASSIGN(batch, RecordBatchView::Parse(Span(wrong_count)));
  EXPECT_THAT(ReadAllRecords(batch, &storage).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("after the last record")));
}

TEST(RecordBatchTest, SplitBatchesHandlesTruncatedTail) {
  const std::string one = absl::HexStringToBytes(kPlainHex);
  const std::string two = one + absl::HexStringToBytes(kGzipHex);
  const std::string cut = two.substr(0, two.size() - 5);
  bool truncated = false;
  EDDY_ASSERT_OK_AND_ASSIGN(auto batches, SplitBatches(Span(two), &truncated));
  EXPECT_EQ(batches.size(), 2u);
  EXPECT_FALSE(truncated);
  EDDY_ASSERT_OK_AND_ASSIGN(batches, SplitBatches(Span(cut), &truncated));
  EXPECT_EQ(batches.size(), 1u);
  EXPECT_TRUE(truncated);
  EXPECT_FALSE(SplitBatches(Span(cut)).ok());
}

}  // namespace
}  // namespace eddy::kafka
