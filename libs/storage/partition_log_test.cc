#include "libs/storage/partition_log.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/storage/internal/batch_header.h"
#include "libs/storage/mem_file_system.h"
#include "libs/storage/test_batches.h"
#include "tests/testing/status_matchers.h"

namespace eddy::storage {
namespace {

using ::eddy::storage::testing::MakeBatch;
using ::eddy::storage::testing::SplitBatches;
using ::eddy::testing::StatusIs;

class PartitionLogTest : public ::testing::Test {
 protected:
  PartitionLogTest() {
    config_.segment_bytes = 16 * 1024;
    config_.index_interval_bytes = 1024;
  }

  std::unique_ptr<PartitionLog> OpenLog() {
    auto log = PartitionLog::Open(fs_, "/data/topic-0", config_, clock_);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  int64_t NowMs() const { return absl::ToUnixMillis(clock_.Now()); }

  MemFileSystem fs_;
  common::ManualClock clock_;
  LogConfig config_;
};

TEST_F(PartitionLogTest, LeaderAppendAssignsOffsetsAndEpochKeepingCrcValid) {
  auto log = OpenLog();
  EXPECT_EQ(log->LogStartOffset(), Offset(0));
  EXPECT_EQ(log->LogEndOffset(), Offset(0));
  EDDY_ASSERT_OK_AND_ASSIGN(AppendResult a, log->AppendAsLeader(MakeBatch(5, NowMs(), 100, 999), LeaderEpoch(3)));
  EXPECT_EQ(a.base_offset, Offset(0));
  EXPECT_EQ(a.last_offset, Offset(4));
  EDDY_ASSERT_OK_AND_ASSIGN(AppendResult b, log->AppendAsLeader(MakeBatch(3, NowMs()), LeaderEpoch(3)));
  EXPECT_EQ(b.base_offset, Offset(5));
  EXPECT_EQ(log->LogEndOffset(), Offset(8));
  EDDY_ASSERT_OK_AND_ASSIGN(ReadResult r, log->Read(Offset(6)));
  auto batches = SplitBatches(r.records);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].base_offset, 5);
  EXPECT_EQ(batches[0].epoch, 3);
  EXPECT_TRUE(batches[0].crc_ok);
  EXPECT_EQ(r.next_offset, Offset(8));
}

TEST_F(PartitionLogTest, RejectsMalformedAndCorruptBatchesAppendingNothing) {
  auto log = OpenLog();
  std::string good = MakeBatch(2, NowMs());
  std::string bad_crc = good;
  bad_crc[internal::kBatchHeaderSize + 3] ^= 0x40;
  EXPECT_THAT(log->AppendAsLeader(good + bad_crc, LeaderEpoch(0)), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(log->AppendAsLeader(good.substr(0, 70), LeaderEpoch(0)), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(log->AppendAsLeader("", LeaderEpoch(0)), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(log->LogEndOffset(), Offset(0));
}

TEST_F(PartitionLogTest, CallerVerifiedLeaderAppendSkipsOnlyTheCrcCheck) {
  auto log = OpenLog();
  std::string bad_crc = MakeBatch(2, NowMs());
  bad_crc[internal::kBatchHeaderSize + 3] ^= 0x40;
  std::string checked = bad_crc;
  EXPECT_THAT(log->AppendAsLeader(std::span<char>(checked.data(), checked.size()), LeaderEpoch(0)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(log->LogEndOffset(), Offset(0));
  // The broker verified these bytes itself; the log takes its word for the CRC...
  EDDY_ASSERT_OK(log->AppendAsLeader(std::span<char>(bad_crc.data(), bad_crc.size()), LeaderEpoch(0),
                                     PartitionLog::Crc::kCallerVerified)
                     .status());
  EXPECT_EQ(log->LogEndOffset(), Offset(2));
  // ...but still rejects what is not a batch.
  std::string truncated = MakeBatch(2, NowMs()).substr(0, 70);
  EXPECT_THAT(log->AppendAsLeader(std::span<char>(truncated.data(), truncated.size()), LeaderEpoch(0),
                                  PartitionLog::Crc::kCallerVerified),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(log->LogEndOffset(), Offset(2));
}

TEST_F(PartitionLogTest, FollowerAppendKeepsLeaderOffsetsAndRejectsOverlap) {
  auto log = OpenLog();
  EDDY_ASSERT_OK(log->AppendAsFollower(MakeBatch(10, NowMs(), 10, /*base=*/100, /*epoch=*/2)).status());
  EXPECT_EQ(log->LogEndOffset(), Offset(110));
  EXPECT_THAT(log->AppendAsFollower(MakeBatch(1, NowMs(), 10, 105, 2)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(log->LatestEpoch()->epoch, LeaderEpoch(2));
  EXPECT_EQ(log->LatestEpoch()->start_offset, Offset(100));
}

TEST_F(PartitionLogTest, RollsOnSegmentBytesAndReadsAcrossSegments) {
  auto log = OpenLog();
  for (int i = 0; i < 100; ++i) EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(10, NowMs()), LeaderEpoch(0)).status());
  EXPECT_GT(log->SegmentCount(), 5u);
  for (int64_t off = 0; off < 1000; off += 37) {
    EDDY_ASSERT_OK_AND_ASSIGN(ReadResult r, log->Read(Offset(off), {.max_bytes = 4000}));
    auto batches = SplitBatches(r.records);
    ASSERT_FALSE(batches.empty()) << off;
    EXPECT_EQ(batches[0].base_offset, off / 10 * 10) << off;
    EXPECT_LE(r.records.size(), 4000u);
    for (size_t i = 1; i < batches.size(); ++i) EXPECT_EQ(batches[i].base_offset, batches[i - 1].last_offset + 1);
  }
  EDDY_ASSERT_OK_AND_ASSIGN(ReadResult end, log->Read(Offset(1000)));
  EXPECT_TRUE(end.records.empty());
  EXPECT_THAT(log->Read(Offset(1001)), StatusIs(absl::StatusCode::kOutOfRange));
  EDDY_ASSERT_OK_AND_ASSIGN(ReadResult hw, log->Read(Offset(0), {.max_bytes = 1 << 20, .max_offset = Offset(25)}));
  EXPECT_EQ(hw.next_offset, Offset(20));
}

TEST_F(PartitionLogTest, RollsOnSegmentMsAndFullIndex) {
  config_.segment_ms = absl::Minutes(10);
  config_.segment_bytes = 1 << 30;
  auto log = OpenLog();
  EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(1, NowMs()), LeaderEpoch(0)).status());
  clock_.Advance(absl::Minutes(9));
  EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(1, NowMs()), LeaderEpoch(0)).status());
  EXPECT_EQ(log->SegmentCount(), 1u);
  clock_.Advance(absl::Minutes(2));
  EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(1, NowMs()), LeaderEpoch(0)).status());
  EXPECT_EQ(log->SegmentCount(), 2u);

  config_.segment_ms = absl::Hours(1);
  config_.segment_index_bytes = 8 * 4;
  config_.index_interval_bytes = 1;
  fs_.SetFaultHook(nullptr);
  MemFileSystem other;
  auto small = PartitionLog::Open(other, "/p", config_, clock_);
  ASSERT_TRUE(small.ok());
  for (int i = 0; i < 12; ++i) EDDY_ASSERT_OK((*small)->AppendAsLeader(MakeBatch(1, NowMs()), LeaderEpoch(0)).status());
  EXPECT_GE((*small)->SegmentCount(), 2u);
}

TEST_F(PartitionLogTest, OffsetForTimestampFindsFirstRecordAtOrAfter) {
  auto log = OpenLog();
  // Batches of 10 records with timestamps 1000 + 10*i ... + 9.
  for (int i = 0; i < 50; ++i) EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(10, 1000 + 10 * i), LeaderEpoch(0)).status());
  EDDY_ASSERT_OK_AND_ASSIGN(std::optional<Offset> o, log->OffsetForTimestamp(1234));
  EXPECT_EQ(o, Offset(234));
  EDDY_ASSERT_OK_AND_ASSIGN(o, log->OffsetForTimestamp(0));
  EXPECT_EQ(o, Offset(0));
  EDDY_ASSERT_OK_AND_ASSIGN(o, log->OffsetForTimestamp(5000));
  EXPECT_EQ(o, std::nullopt);
}

TEST_F(PartitionLogTest, TruncateToDropsWholeBatchesAndEpochEntries) {
  auto log = OpenLog();
  for (int i = 0; i < 30; ++i) EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(10, NowMs()), LeaderEpoch(i / 10)).status());
  const size_t segments = log->SegmentCount();
  EDDY_ASSERT_OK(log->TruncateTo(Offset(155)));
  EXPECT_EQ(log->LogEndOffset(), Offset(150));
  EXPECT_LE(log->SegmentCount(), segments);
  EXPECT_EQ(log->LatestEpoch()->epoch, LeaderEpoch(1));
  EDDY_ASSERT_OK_AND_ASSIGN(AppendResult a, log->AppendAsLeader(MakeBatch(1, NowMs()), LeaderEpoch(5)));
  EXPECT_EQ(a.base_offset, Offset(150));
  EXPECT_EQ(log->EndOffsetForEpoch(LeaderEpoch(1)), std::make_pair(LeaderEpoch(1), Offset(150)));
  // Reopen sees the truncated log.
  EDDY_ASSERT_OK(log->Close());
  log.reset();
  log = OpenLog();
  EXPECT_EQ(log->LogEndOffset(), Offset(151));
  EXPECT_EQ(log->LatestEpoch()->epoch, LeaderEpoch(5));
}

TEST_F(PartitionLogTest, TruncateFullyAndStartAtRestartsTheLog) {
  auto log = OpenLog();
  for (int i = 0; i < 30; ++i) EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(10, NowMs()), LeaderEpoch(1)).status());
  EDDY_ASSERT_OK(log->TruncateFullyAndStartAt(Offset(5000)));
  EXPECT_EQ(log->LogStartOffset(), Offset(5000));
  EXPECT_EQ(log->LogEndOffset(), Offset(5000));
  EXPECT_EQ(log->SegmentCount(), 1u);
  EXPECT_FALSE(log->LatestEpoch().has_value());
  log.reset();
  log = OpenLog();
  EXPECT_EQ(log->LogStartOffset(), Offset(5000));
  EXPECT_EQ(log->LogEndOffset(), Offset(5000));
}

TEST_F(PartitionLogTest, AdvanceLogStartOffsetHidesAndDeletesOldSegments) {
  auto log = OpenLog();
  for (int i = 0; i < 60; ++i) EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(10, NowMs()), LeaderEpoch(0)).status());
  const size_t before = log->SegmentCount();
  EDDY_ASSERT_OK(log->AdvanceLogStartOffset(Offset(333)));
  EXPECT_EQ(log->LogStartOffset(), Offset(333));
  EXPECT_LT(log->SegmentCount(), before);
  EXPECT_THAT(log->Read(Offset(332)), StatusIs(absl::StatusCode::kOutOfRange));
  EDDY_ASSERT_OK_AND_ASSIGN(ReadResult r, log->Read(Offset(333)));
  EXPECT_EQ(SplitBatches(r.records).at(0).base_offset, 330);
  EXPECT_THAT(log->AdvanceLogStartOffset(Offset(601)), StatusIs(absl::StatusCode::kOutOfRange));
  log.reset();
  log = OpenLog();
  EXPECT_EQ(log->LogStartOffset(), Offset(333));
}

TEST_F(PartitionLogTest, CleanCloseMeansNothingToRecover) {
  auto log = OpenLog();
  for (int i = 0; i < 40; ++i) EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(10, NowMs()), LeaderEpoch(0)).status());
  EDDY_ASSERT_OK(log->Close());
  EXPECT_EQ(log->RecoveryPoint(), Offset(400));
  log.reset();
  fs_.SimulateCrash(/*seed=*/7);  // nothing unsynced is left to lose
  log = OpenLog();
  EXPECT_EQ(log->LogEndOffset(), Offset(400));
  EXPECT_EQ(log->recovery_stats().segments_recovered, 1);  // only the active segment's tail
  EXPECT_EQ(log->recovery_stats().bytes_truncated, 0u);
}

TEST_F(PartitionLogTest, CleanReopenLoadsClosedSegmentsOnFirstUse) {
  auto log = OpenLog();
  for (int i = 0; i < 40; ++i) EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(10, 1000 + i), LeaderEpoch(0)).status());
  EDDY_ASSERT_OK(log->Close());
  const size_t segments = log->SegmentCount();
  ASSERT_GT(segments, 3u);
  log.reset();
  std::vector<std::string> index_opens;
  fs_.SetFaultHook([&](FsOp op, const std::string& path) {
    if (op == FsOp::kOpen && path.ends_with(".index")) index_opens.push_back(path);
    return absl::OkStatus();
  });
  log = OpenLog();
  // Only the active segment's indexes are opened; the closed, flushed ones wait for a use.
  EXPECT_EQ(index_opens.size(), 1u);
  EXPECT_EQ(log->LogEndOffset(), Offset(400));
  EDDY_ASSERT_OK_AND_ASSIGN(ReadResult r, log->Read(Offset(3)));
  EXPECT_EQ(SplitBatches(r.records).front().base_offset, 0);
  EXPECT_EQ(index_opens.size(), 2u);
  EXPECT_EQ(index_opens.back(), "/data/topic-0/00000000000000000000.index");
  // Timestamp lookups and time retention see the lazily loaded segments' max timestamps.
  EDDY_ASSERT_OK_AND_ASSIGN(std::optional<Offset> at, log->OffsetForTimestamp(1020));
  EXPECT_EQ(at, Offset(119));  // batch 11 holds offsets 110..119, timestamps 1011..1020
  config_.retention_ms = absl::Milliseconds(1);
  log.reset();
  fs_.SetFaultHook(nullptr);
  log = OpenLog();
  EDDY_ASSERT_OK_AND_ASSIGN(RetentionResult retained, log->ApplyRetention());
  EXPECT_EQ(retained.segments_deleted, static_cast<int>(segments) - 1);
}

TEST_F(PartitionLogTest, FlushRolledLeavesOnlyTheActiveSegmentToRecover) {
  auto log = OpenLog();
  for (int i = 0; i < 40; ++i) EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(10, NowMs()), LeaderEpoch(0)).status());
  ASSERT_GT(log->SegmentCount(), 3u);
  EDDY_ASSERT_OK(log->FlushRolled());
  const Offset rolled_at = log->RecoveryPoint();
  EXPECT_GT(rolled_at, Offset(0));
  EXPECT_LT(rolled_at, log->LogEndOffset());
  EDDY_ASSERT_OK(log->FlushRolled());  // nothing rolled since: no-op
  EXPECT_EQ(log->RecoveryPoint(), rolled_at);
  log.reset();
  fs_.SimulateCrash(/*seed=*/3, /*keep_unsynced=*/false);
  log = OpenLog();
  EXPECT_EQ(log->recovery_stats().segments_recovered, 1);
  EXPECT_GE(log->LogEndOffset(), rolled_at);  // everything in the rolled segments survived
  EDDY_ASSERT_OK_AND_ASSIGN(ReadResult r, log->Read(Offset(0)));
  EXPECT_EQ(SplitBatches(r.records).front().base_offset, 0);
}

TEST_F(PartitionLogTest, FetchReadsCanSkipTheCrcCheck) {
  auto log = OpenLog();
  EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(5, NowMs()), LeaderEpoch(0)).status());
  EDDY_ASSERT_OK(log->Flush());
  EDDY_ASSERT_OK(fs_.CorruptByte("/data/topic-0/00000000000000000000.log", 200));
  EXPECT_THAT(log->Read(Offset(0)), StatusIs(absl::StatusCode::kDataLoss));
  EDDY_ASSERT_OK_AND_ASSIGN(ReadResult r, log->Read(Offset(0), {.verify_crc = false}));
  auto batches = SplitBatches(r.records);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_FALSE(batches[0].crc_ok);  // served as stored: the consumer's own CRC check catches it
}

TEST_F(PartitionLogTest, AppendFromCallerBufferRewritesItInPlace) {
  auto log = OpenLog();
  EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(2, NowMs()), LeaderEpoch(0)).status());
  std::string buffer = MakeBatch(3, NowMs());
  EDDY_ASSERT_OK_AND_ASSIGN(AppendResult a,
                            log->AppendAsLeader(std::span<char>(buffer.data(), buffer.size()), LeaderEpoch(4)));
  EXPECT_EQ(a.base_offset, Offset(2));
  auto rewritten = SplitBatches(buffer);
  ASSERT_EQ(rewritten.size(), 1u);
  EXPECT_EQ(rewritten[0].base_offset, 2);
  EXPECT_EQ(rewritten[0].epoch, 4);
  EDDY_ASSERT_OK_AND_ASSIGN(ReadResult r, log->Read(Offset(2)));
  EXPECT_EQ(r.records, buffer);
}

TEST_F(PartitionLogTest, LogAppendTimeStampsBatchesAndRecomputesTheCrc) {
  config_.log_append_time = true;
  auto log = OpenLog();
  clock_.Set(absl::FromUnixMillis(5'000'000));
  EDDY_ASSERT_OK_AND_ASSIGN(AppendResult a, log->AppendAsLeader(MakeBatch(3, 1000), LeaderEpoch(0)));
  EXPECT_EQ(a.log_append_time_ms, 5'000'000);
  EXPECT_EQ(a.max_timestamp, 5'000'000);
  clock_.Set(absl::FromUnixMillis(6'000'000));
  EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(3, 1000), LeaderEpoch(0)).status());
  EDDY_ASSERT_OK_AND_ASSIGN(ReadResult r, log->Read(Offset(0), {.verify_crc = true}));
  std::string_view rest = r.records;
  for (int64_t expected : {5'000'000, 6'000'000}) {
    EDDY_ASSERT_OK_AND_ASSIGN(internal::BatchHeader h, internal::ParseBatchHeader(rest));
    EXPECT_TRUE(h.attributes & internal::kTimestampTypeBit);
    EXPECT_EQ(h.max_timestamp, expected);
    EXPECT_EQ(h.base_timestamp, 1000);  // the producer's timestamps stay in the records
    EXPECT_TRUE(internal::VerifyBatchCrc(rest.substr(0, h.size_in_bytes())));
    rest.remove_prefix(h.size_in_bytes());
  }
  // Timestamp lookups use the append time: the second batch is the first at or after 5,500,000.
  EDDY_ASSERT_OK_AND_ASSIGN(std::optional<Offset> at, log->OffsetForTimestamp(5'500'000));
  EXPECT_EQ(at, Offset(3));
  // A follower of the same topic (LogAppendTime too) keeps the leader's bytes as they are.
  EDDY_ASSERT_OK_AND_ASSIGN(auto follower, PartitionLog::Open(fs_, "/data/topic-0-follower", config_, clock_));
  EDDY_ASSERT_OK(follower->AppendAsFollower(r.records).status());
  EDDY_ASSERT_OK_AND_ASSIGN(ReadResult copied, follower->Read(Offset(0)));
  EXPECT_EQ(copied.records, r.records);
}

TEST_F(PartitionLogTest, FlushMessagesOneSyncsEveryBatch) {
  config_.flush_messages = 1;
  auto log = OpenLog();
  for (int i = 0; i < 25; ++i) {
    EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(3, NowMs()), LeaderEpoch(0)).status());
    EXPECT_EQ(log->RecoveryPoint(), log->LogEndOffset());
  }
  log.reset();
  fs_.SimulateCrash(/*seed=*/3, /*keep_unsynced=*/false);
  log = OpenLog();
  EXPECT_EQ(log->LogEndOffset(), Offset(75));
}

TEST_F(PartitionLogTest, FlushMsFlushesOnAppendAndTick) {
  config_.flush_ms = absl::Seconds(5);
  auto log = OpenLog();
  EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(3, NowMs()), LeaderEpoch(0)).status());
  EXPECT_EQ(log->RecoveryPoint(), Offset(0));
  clock_.Advance(absl::Seconds(6));
  EDDY_ASSERT_OK(log->MaybeFlush());
  EXPECT_EQ(log->RecoveryPoint(), Offset(3));
}

TEST_F(PartitionLogTest, MetricsTrackSegmentsBytesAndTraffic) {
  metrics::Registry registry;
  StorageMetrics m(registry);
  {
    EDDY_ASSERT_OK_AND_ASSIGN(auto log, PartitionLog::Open(fs_, "/data/m-0", config_, clock_, &m));
    for (int i = 0; i < 40; ++i) EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(10, NowMs()), LeaderEpoch(0)).status());
    EXPECT_EQ(m.segments.Value(), static_cast<double>(log->SegmentCount()));
    EXPECT_EQ(m.bytes.Value(), static_cast<double>(log->SizeBytes()));
    EXPECT_EQ(m.appended_bytes.Value(), static_cast<double>(log->SizeBytes()));
    EDDY_ASSERT_OK(log->Read(Offset(0)).status());
    EXPECT_GT(m.read_bytes.Value(), 0);
    EDDY_ASSERT_OK(log->TruncateTo(Offset(155)));
    EDDY_ASSERT_OK(log->AdvanceLogStartOffset(Offset(100)));
    EXPECT_EQ(m.segments.Value(), static_cast<double>(log->SegmentCount()));
    EXPECT_EQ(m.bytes.Value(), static_cast<double>(log->SizeBytes()));
    EXPECT_EQ(m.flush_latency.Count(), 1u);  // the truncation flushed
    EXPECT_EQ(m.recovery_duration.Count(), 1u);
  }
  EXPECT_EQ(m.segments.Value(), 0);
  EXPECT_EQ(m.bytes.Value(), 0);
  EXPECT_NE(registry.Expose().find("eddy_broker_storage_flush_latency_seconds_bucket"), std::string::npos);
}

TEST_F(PartitionLogTest, OpenReportsTheFailingDirectory) {
  fs_.SetFaultHook([](FsOp op, const std::string&) {
    return op == FsOp::kListDir ? absl::InternalError("EIO") : absl::OkStatus();
  });
  auto log = PartitionLog::Open(fs_, "/data/broken-3", config_, clock_);
  EXPECT_THAT(log, StatusIs(absl::StatusCode::kInternal));
  EXPECT_NE(log.status().message().find("/data/broken-3"), std::string::npos) << log.status();
}

}  // namespace
}  // namespace eddy::storage
