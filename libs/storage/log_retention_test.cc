#include <string>

#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/storage/mem_file_system.h"
#include "libs/storage/partition_log.h"
#include "libs/storage/test_batches.h"
#include "tests/testing/status_matchers.h"

namespace eddy::storage {
namespace {

using ::eddy::storage::testing::MakeBatch;

class RetentionTest : public ::testing::Test {
 protected:
  RetentionTest() {
    config_.segment_bytes = 8192;
    config_.retention_ms = absl::InfiniteDuration();
  }

  std::unique_ptr<PartitionLog> Open() {
    auto log = PartitionLog::Open(fs_, "/r/t-0", config_, clock_);
    EXPECT_TRUE(log.ok()) << log.status();
    return *std::move(log);
  }

  // Fill appends `batches` batches of ~1.2 KiB, one per simulated minute, timestamped with the clock.
  void Fill(PartitionLog& log, int batches) {
    for (int i = 0; i < batches; ++i) {
      EDDY_ASSERT_OK(log.AppendAsLeader(MakeBatch(10, absl::ToUnixMillis(clock_.Now()), 100), LeaderEpoch(0)).status());
      clock_.Advance(absl::Minutes(1));
    }
  }

  MemFileSystem fs_;
  common::ManualClock clock_;
  LogConfig config_;
};

TEST_F(RetentionTest, NothingDeletedWithoutLimits) {
  auto log = Open();
  Fill(*log, 50);
  EDDY_ASSERT_OK_AND_ASSIGN(RetentionResult r, log->ApplyRetention());
  EXPECT_EQ(r.segments_deleted, 0);
  EXPECT_EQ(log->LogStartOffset(), Offset(0));
}

TEST_F(RetentionTest, RetentionMsDeletesWholeExpiredClosedSegments) {
  config_.retention_ms = absl::Minutes(30);
  auto log = Open();
  Fill(*log, 60);  // timestamps span 60 minutes, ~6 batches per segment
  const size_t before = log->SegmentCount();
  EDDY_ASSERT_OK_AND_ASSIGN(RetentionResult r, log->ApplyRetention());
  EXPECT_GT(r.segments_deleted, 0);
  EXPECT_EQ(log->SegmentCount(), before - r.segments_deleted);
  // Every remaining record is at most ~30 minutes old, give or take one segment.
  const Offset start = log->LogStartOffset();
  EXPECT_GT(start, Offset(0));
  EXPECT_EQ(start.value() % 10, 0);
  EDDY_ASSERT_OK_AND_ASSIGN(ReadResult first, log->Read(start, {.max_bytes = 1}));
  EXPECT_FALSE(first.records.empty());
  EXPECT_THAT(log->Read(Offset(start.value() - 1)), ::eddy::testing::StatusIs(absl::StatusCode::kOutOfRange));
  // Records older than the cutoff live only in the first remaining segment.
  EDDY_ASSERT_OK_AND_ASSIGN(std::optional<Offset> cutoff,
                            log->OffsetForTimestamp(absl::ToUnixMillis(clock_.Now() - absl::Minutes(30))));
  ASSERT_TRUE(cutoff.has_value());
  EXPECT_LE(start, *cutoff);
  // The active segment survives even when everything expires.
  clock_.Advance(absl::Hours(10));
  EDDY_ASSERT_OK(log->ApplyRetention().status());
  EXPECT_EQ(log->SegmentCount(), 1u);
  EXPECT_EQ(log->LogEndOffset(), Offset(600));
  // The moved start survives a restart.
  log.reset();
  log = Open();
  EXPECT_GT(log->LogStartOffset(), Offset(500));
}

TEST_F(RetentionTest, RetentionBytesDeletesOldestSegmentsDownToTheLimit) {
  config_.retention_bytes = 20000;
  auto log = Open();
  Fill(*log, 80);
  EDDY_ASSERT_OK_AND_ASSIGN(RetentionResult r, log->ApplyRetention());
  EXPECT_GT(r.segments_deleted, 0);
  // As in Kafka, a segment goes only if the log stays at or above the limit without it, so the log
  // ends within one segment above the limit.
  EXPECT_GE(log->SizeBytes(), 20000u);
  EXPECT_LT(log->SizeBytes(), 20000u + 8192u);
  EXPECT_EQ(log->LogEndOffset(), Offset(800));
}

}  // namespace
}  // namespace eddy::storage
