#include "services/broker/producer_state.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"
#include "libs/common/clock.h"

namespace eddy::broker {
namespace {

using kafka::ErrorCode;

constexpr ProducerId kProducer{1000};

ValidatedBatch Batch(int16_t epoch, int32_t first_sequence, int32_t count,
                     bool transactional = false) {
  ValidatedBatch batch;
  batch.producer_id = kProducer;
  batch.producer_epoch = ProducerEpoch(epoch);
  batch.record_count = count;
  batch.first_sequence = first_sequence;
  batch.last_sequence = LastSequence(first_sequence, count);
  batch.transactional = transactional;
  batch.max_timestamp = 1'700'000'000'000;
  return batch;
}

class ProducerStateTest : public ::testing::Test {
 protected:
  // Append checks `batch` and, if accepted as new, applies it at the log end; returns the check.
  BatchCheck Append(const ValidatedBatch& batch) {
    BatchCheck check = table_.CheckBatch(batch);
    if (check.error == ErrorCode::kNone && !check.duplicate) {
      table_.ApplyBatch(batch, Offset(log_end_), Offset(log_end_ + batch.record_count - 1));
      log_end_ += batch.record_count;
    }
    return check;
  }

  common::ManualClock clock_;
  ProducerStateTable table_{{}, clock_};
  int64_t log_end_ = 100;
};

TEST_F(ProducerStateTest, InSequenceBatchesAreAccepted) {
  EXPECT_EQ(Append(Batch(0, 0, 2)).error, ErrorCode::kNone);
  EXPECT_EQ(Append(Batch(0, 2, 3)).error, ErrorCode::kNone);
  const ProducerEntry* entry = table_.Find(kProducer);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->epoch, ProducerEpoch(0));
  ASSERT_EQ(entry->batches.size(), 2u);
  EXPECT_EQ(entry->batches.back(),
            (ProducerBatchMetadata{2, 4, Offset(102), Offset(104), 1'700'000'000'000}));
}

TEST_F(ProducerStateTest, DuplicateBatchReturnsItsOriginalOffsets) {
  Append(Batch(0, 0, 2));
  Append(Batch(0, 2, 3));
  Append(Batch(0, 5, 1));
  BatchCheck retry = Append(Batch(0, 2, 3));
  EXPECT_EQ(retry.error, ErrorCode::kNone);
  ASSERT_TRUE(retry.duplicate.has_value());
  EXPECT_EQ(retry.duplicate->first_offset, Offset(102));
  EXPECT_EQ(retry.duplicate->last_offset, Offset(104));
  EXPECT_EQ(log_end_, 106);  // nothing appended for the duplicate
}

TEST_F(ProducerStateTest, OnlyTheLastFiveBatchesAreRecognisedAsDuplicates) {
  for (int32_t seq = 0; seq < 6; ++seq) ASSERT_EQ(Append(Batch(0, seq, 1)).error, ErrorCode::kNone);
  EXPECT_EQ(table_.Find(kProducer)->batches.size(), kMaxBatchesPerProducer);
  EXPECT_TRUE(Append(Batch(0, 1, 1)).duplicate.has_value());
  BatchCheck too_old = Append(Batch(0, 0, 1));
  EXPECT_EQ(too_old.error, ErrorCode::kOutOfOrderSequenceNumber);
  EXPECT_FALSE(too_old.duplicate.has_value());
}

TEST_F(ProducerStateTest, SequenceGapIsOutOfOrder) {
  Append(Batch(0, 0, 2));
  EXPECT_EQ(Append(Batch(0, 3, 1)).error, ErrorCode::kOutOfOrderSequenceNumber);
  // A batch overlapping the last one without matching it exactly is out of order too.
  EXPECT_EQ(Append(Batch(0, 1, 2)).error, ErrorCode::kOutOfOrderSequenceNumber);
  EXPECT_EQ(Append(Batch(0, 2, 1)).error, ErrorCode::kNone);
}

TEST_F(ProducerStateTest, OlderEpochIsInvalidProducerEpoch) {
  Append(Batch(3, 0, 1));
  EXPECT_EQ(Append(Batch(2, 1, 1)).error, ErrorCode::kInvalidProducerEpoch);
  EXPECT_EQ(Append(Batch(2, 0, 1)).error, ErrorCode::kInvalidProducerEpoch);
}

TEST_F(ProducerStateTest, BumpedEpochMustRestartAtSequenceZero) {
  Append(Batch(0, 0, 5));
  EXPECT_EQ(Append(Batch(1, 5, 1)).error, ErrorCode::kOutOfOrderSequenceNumber);
  EXPECT_EQ(Append(Batch(1, 0, 1)).error, ErrorCode::kNone);
  const ProducerEntry* entry = table_.Find(kProducer);
  EXPECT_EQ(entry->epoch, ProducerEpoch(1));
  ASSERT_EQ(entry->batches.size(), 1u);  // the old epoch's batches are forgotten
  EXPECT_EQ(Append(Batch(0, 5, 1)).error, ErrorCode::kInvalidProducerEpoch);
}

TEST_F(ProducerStateTest, UnknownProducerMayStartAtAnySequence) {
  EXPECT_EQ(Append(Batch(4, 77, 2)).error, ErrorCode::kNone);
  EXPECT_EQ(Append(Batch(4, 80, 1)).error, ErrorCode::kOutOfOrderSequenceNumber);
  EXPECT_EQ(Append(Batch(4, 79, 1)).error, ErrorCode::kNone);
}

TEST_F(ProducerStateTest, SequenceWrapsFromInt32MaxToZero) {
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  Append(Batch(0, kMax - 1, 2));
  EXPECT_EQ(table_.Find(kProducer)->batches.back().last_sequence, kMax);
  EXPECT_EQ(Append(Batch(0, 0, 3)).error, ErrorCode::kNone);
  EXPECT_EQ(Append(Batch(0, kMax - 1, 2)).duplicate.value().first_offset, Offset(100));
  // A batch spanning the wrap is identified by its wrapped last sequence.
  Append(Batch(0, 3, kMax - 3));
  EXPECT_EQ(table_.Find(kProducer)->batches.back().last_sequence, kMax - 1);
  EXPECT_EQ(Append(Batch(0, kMax, 3)).error, ErrorCode::kNone);
  EXPECT_EQ(table_.Find(kProducer)->batches.back().last_sequence, 1);
}

TEST_F(ProducerStateTest, NonIdempotentBatchesAreNotTracked) {
  ValidatedBatch plain;
  plain.record_count = 3;
  EXPECT_EQ(Append(plain).error, ErrorCode::kNone);
  EXPECT_EQ(table_.size(), 0u);
}

TEST_F(ProducerStateTest, DecrementSequenceWrapsBelowZero) {
  EXPECT_EQ(DecrementSequence(10, 3), 7);
  EXPECT_EQ(DecrementSequence(1, 3), std::numeric_limits<int32_t>::max() - 1);
  EXPECT_EQ(DecrementSequence(LastSequence(std::numeric_limits<int32_t>::max() - 2, 10), 9),
            std::numeric_limits<int32_t>::max() - 2);
}

}  // namespace
}  // namespace eddy::broker
