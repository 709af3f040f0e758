// ProducerStateTable beyond the sequence rules: transactions, expiry, snapshots and rebuilding from
// a PartitionLog.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/kafka/record_batch_builder.h"
#include "libs/storage/mem_file_system.h"
#include "libs/storage/partition_log.h"
#include "libs/storage/producer_snapshot.h"
#include "services/broker/producer_state.h"
#include "tests/testing/status_matchers.h"

namespace eddy::broker {
namespace {

using kafka::ErrorCode;

ValidatedBatch Batch(int64_t producer, int16_t epoch, int32_t first_sequence, int32_t count,
                     int64_t timestamp_ms, bool transactional = false) {
  ValidatedBatch batch;
  batch.producer_id = ProducerId(producer);
  batch.producer_epoch = ProducerEpoch(epoch);
  batch.record_count = count;
  batch.first_sequence = first_sequence;
  batch.last_sequence = LastSequence(first_sequence, count);
  batch.transactional = transactional;
  batch.max_timestamp = timestamp_ms;
  return batch;
}

class ProducerStateRecoveryTest : public ::testing::Test {
 protected:
  int64_t NowMs() const { return absl::ToUnixMillis(clock_.Now()); }

  common::ManualClock clock_;
  ProducerStateOptions options_{.producer_id_expiration = absl::Minutes(10)};
  ProducerStateTable table_{options_, clock_};
};

TEST_F(ProducerStateRecoveryTest, TransactionTracksFirstOffsetUntilItsMarker) {
  table_.ApplyBatch(Batch(1, 0, 0, 2, NowMs(), true), Offset(10), Offset(11));
  table_.ApplyBatch(Batch(2, 0, 0, 1, NowMs(), true), Offset(12), Offset(12));
  table_.ApplyBatch(Batch(1, 0, 2, 1, NowMs(), true), Offset(13), Offset(13));
  EXPECT_EQ(table_.FirstOpenTransactionOffset(), Offset(10));
  EXPECT_EQ(table_.CheckBatch(Batch(1, 0, 3, 1, NowMs(), false)).error,
            ErrorCode::kInvalidTxnState);

  MarkerResult abort = table_.ApplyEndTxnMarker(ProducerId(1), ProducerEpoch(0), /*commit=*/false,
                                                5, Offset(14), NowMs(), /*validate=*/true);
  EXPECT_EQ(abort.error, ErrorCode::kNone);
  EXPECT_EQ(abort.completed, (CompletedTxn{ProducerId(1), Offset(10), Offset(14), true}));
  EXPECT_EQ(table_.FirstOpenTransactionOffset(), Offset(12));
  EXPECT_EQ(table_.CheckBatch(Batch(1, 0, 3, 1, NowMs(), false)).error, ErrorCode::kNone);
}

TEST_F(ProducerStateRecoveryTest, MarkerFromFencedEpochsIsRejected) {
  table_.ApplyBatch(Batch(1, 2, 0, 1, NowMs(), true), Offset(0), Offset(0));
  ASSERT_EQ(
      table_.ApplyEndTxnMarker(ProducerId(1), ProducerEpoch(2), true, 7, Offset(1), NowMs(), true)
          .error,
      ErrorCode::kNone);
  EXPECT_EQ(
      table_.ApplyEndTxnMarker(ProducerId(1), ProducerEpoch(1), true, 7, Offset(2), NowMs(), true)
          .error,
      ErrorCode::kInvalidProducerEpoch);
  EXPECT_EQ(
      table_.ApplyEndTxnMarker(ProducerId(1), ProducerEpoch(2), true, 6, Offset(2), NowMs(), true)
          .error,
      ErrorCode::kTransactionCoordinatorFenced);
  EXPECT_EQ(table_.Find(ProducerId(1))->coordinator_epoch, 7);
  // A marker without an open transaction ends nothing.
  EXPECT_FALSE(
      table_.ApplyEndTxnMarker(ProducerId(1), ProducerEpoch(2), true, 7, Offset(2), NowMs(), true)
          .completed.has_value());
}

TEST_F(ProducerStateRecoveryTest, IdleProducersExpireButOpenTransactionsDoNot) {
  table_.ApplyBatch(Batch(1, 0, 0, 1, NowMs(), false), Offset(0), Offset(0));
  table_.ApplyBatch(Batch(2, 0, 0, 1, NowMs(), true), Offset(1), Offset(1));
  clock_.Advance(absl::Minutes(10) - absl::Milliseconds(1));
  EXPECT_EQ(table_.RemoveExpiredProducers(), 0);
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_EQ(table_.RemoveExpiredProducers(), 1);
  EXPECT_EQ(table_.Find(ProducerId(1)), nullptr);
  EXPECT_NE(table_.Find(ProducerId(2)), nullptr);
  // Forgotten, producer 1 may continue at any sequence.
  EXPECT_EQ(table_.CheckBatch(Batch(1, 0, 9, 1, NowMs())).error, ErrorCode::kNone);
}

TEST_F(ProducerStateRecoveryTest, TruncateBelowDropsProducersWhoseDataIsGone) {
  table_.ApplyBatch(Batch(1, 0, 0, 5, NowMs()), Offset(0), Offset(4));
  table_.ApplyBatch(Batch(2, 0, 0, 5, NowMs()), Offset(5), Offset(9));
  table_.TruncateBelow(Offset(5));
  EXPECT_EQ(table_.Find(ProducerId(1)), nullptr);
  EXPECT_NE(table_.Find(ProducerId(2)), nullptr);
}

TEST_F(ProducerStateRecoveryTest, SnapshotFileRoundTripKeepsLastBatchForDuplicates) {
  table_.ApplyBatch(Batch(1, 3, 0, 4, NowMs()), Offset(0), Offset(3));
  table_.ApplyBatch(Batch(1, 3, 4, 2, NowMs()), Offset(4), Offset(5));
  table_.ApplyBatch(Batch(2, 0, 0, 1, NowMs() - 1, true), Offset(6), Offset(6));
  table_.ApplyBatch(Batch(3, 0, 0, 1, NowMs() - absl::ToInt64Milliseconds(absl::Minutes(11))),
                    Offset(7), Offset(7));

  storage::MemFileSystem fs;
  ASSERT_THAT(fs.CreateDirs("/p"), testing::IsOk());
  ASSERT_THAT(storage::WriteProducerSnapshot(fs, "/p", Offset(8), table_.Snapshot()),
              testing::IsOk());
  absl::StatusOr<std::vector<storage::ProducerSnapshotEntry>> entries =
      storage::ReadProducerSnapshot(fs, storage::ProducerSnapshotPath("/p", Offset(8)));
  ASSERT_THAT(entries, testing::IsOk());

  ProducerStateTable restored(options_, clock_);
  restored.Restore(*entries);
  EXPECT_EQ(restored.size(), 2u);  // producer 3 had already expired
  BatchCheck retry = restored.CheckBatch(Batch(1, 3, 4, 2, NowMs()));
  ASSERT_TRUE(retry.duplicate.has_value());
  EXPECT_EQ(retry.duplicate->first_offset, Offset(4));
  EXPECT_EQ(retry.duplicate->last_offset, Offset(5));
  EXPECT_EQ(restored.CheckBatch(Batch(1, 3, 6, 1, NowMs())).error, ErrorCode::kNone);
  EXPECT_EQ(restored.CheckBatch(Batch(1, 3, 7, 1, NowMs())).error,
            ErrorCode::kOutOfOrderSequenceNumber);
  EXPECT_EQ(restored.FirstOpenTransactionOffset(), Offset(6));
}

class ProducerStateRebuildTest : public ProducerStateRecoveryTest {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<storage::PartitionLog>> log =
        storage::PartitionLog::Open(fs_, "/data/t-0", storage::LogConfig{}, clock_);
    ASSERT_THAT(log, testing::IsOk());
    log_ = *std::move(log);
  }

  // Produce appends an idempotent batch and applies it to the live table, as a leader would.
  void Produce(int64_t producer, int16_t epoch, int32_t sequence, int count, bool transactional) {
    kafka::RecordBatchBuilder builder({.producer_id = ProducerId(producer),
                                       .producer_epoch = ProducerEpoch(epoch),
                                       .base_sequence = sequence,
                                       .transactional = transactional});
    for (int i = 0; i < count; ++i) builder.Append(NowMs(), "k", "v");
    absl::StatusOr<std::string> bytes = builder.Build();
    ASSERT_THAT(bytes, testing::IsOk());
    absl::StatusOr<storage::AppendResult> appended = log_->AppendAsLeader(*bytes, LeaderEpoch(0));
    ASSERT_THAT(appended, testing::IsOk());
    table_.ApplyBatch(Batch(producer, epoch, sequence, count, NowMs(), transactional),
                      appended->base_offset, appended->last_offset);
  }

  storage::MemFileSystem fs_;
  std::unique_ptr<storage::PartitionLog> log_;
};

TEST_F(ProducerStateRebuildTest, ReplayingTheLogReproducesTheLiveTable) {
  Produce(1, 0, 0, 3, false);
  Produce(2, 5, 0, 1, true);
  const std::vector<storage::ProducerSnapshotEntry> midway = table_.Snapshot();
  const Offset midway_offset = log_->LogEndOffset();
  Produce(1, 0, 3, 2, false);
  Produce(2, 5, 1, 2, true);
  absl::StatusOr<std::string> marker = kafka::BuildEndTxnMarker(
      Offset(0), ProducerId(2), ProducerEpoch(5), /*commit=*/true, 9, NowMs());
  ASSERT_THAT(marker, testing::IsOk());
  absl::StatusOr<storage::AppendResult> at = log_->AppendAsLeader(*marker, LeaderEpoch(0));
  ASSERT_THAT(at, testing::IsOk());
  table_.ApplyEndTxnMarker(ProducerId(2), ProducerEpoch(5), true, 9, at->base_offset, NowMs(),
                           true);
  Produce(3, 0, 0, 1, true);  // left open

  ProducerStateTable rebuilt(options_, clock_);
  absl::StatusOr<Offset> end = RebuildProducerState(*log_, Offset(0), rebuilt);
  ASSERT_THAT(end, testing::IsOk());
  EXPECT_EQ(*end, log_->LogEndOffset());
  EXPECT_EQ(rebuilt.Snapshot(), table_.Snapshot());
  EXPECT_EQ(rebuilt.Find(ProducerId(1))->batches, table_.Find(ProducerId(1))->batches);
  EXPECT_EQ(rebuilt.FirstOpenTransactionOffset(), Offset(9));

  // Restoring the snapshot taken midway and replaying only the tail gives the same state.
  ProducerStateTable resumed(options_, clock_);
  resumed.Restore(midway);
  ASSERT_THAT(RebuildProducerState(*log_, midway_offset, resumed), testing::IsOk());
  EXPECT_EQ(resumed.Snapshot(), table_.Snapshot());
}

}  // namespace
}  // namespace eddy::broker
