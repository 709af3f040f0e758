#include "services/broker/leader_epoch_truncation.h"

#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/kafka/record_batch_builder.h"
#include "libs/storage/mem_file_system.h"
#include "libs/storage/partition_log.h"
#include "tests/testing/status_matchers.h"

namespace eddy::broker {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::IsOkAndHolds;
using ::eddy::testing::StatusIs;
using ::testing::Eq;

// EpochStarts is an epoch cache as {epoch -> start offset} answering EndOffsetForEpoch like
// LeaderEpochCache (KIP-279) for a log ending at `log_end`.
std::pair<LeaderEpoch, Offset> EndOffsetFor(const std::map<int32_t, int64_t>& starts,
                                            int64_t log_end, LeaderEpoch requested) {
  auto higher = starts.upper_bound(requested.value());
  if (higher == starts.end()) {
    if (starts.empty() || requested.value() != starts.rbegin()->first)
      return {LeaderEpoch(-1), Offset(-1)};
    return {requested, Offset(log_end)};
  }
  if (higher == starts.begin()) return {requested, Offset(higher->second)};
  return {LeaderEpoch(std::prev(higher)->first), Offset(higher->second)};
}

TEST(ComputeFollowerTruncationTest, SameEpochTruncatesToTheSmallerEnd) {
  const std::map<int32_t, int64_t> follower{{1, 0}, {3, 5}};
  auto ends = [&](LeaderEpoch e) { return EndOffsetFor(follower, 9, e); };
  EXPECT_THAT(ComputeFollowerTruncation({LeaderEpoch(3), Offset(7)}, Offset(9), ends),
              IsOkAndHolds(Eq(TruncationDecision{Offset(7), true})));
  // The leader holds more of the epoch than the follower: nothing to cut.
  EXPECT_THAT(ComputeFollowerTruncation({LeaderEpoch(3), Offset(12)}, Offset(9), ends),
              IsOkAndHolds(Eq(TruncationDecision{Offset(9), true})));
}

TEST(ComputeFollowerTruncationTest, UnknownLeaderEpochTakesAnotherRound) {
  // The follower led epoch 3 alone; the leader went from epoch 1 to 2 (at 5) and 4 (at 8).
  std::map<int32_t, int64_t> follower{{1, 0}, {3, 5}};
  const std::map<int32_t, int64_t> leader{{1, 0}, {2, 5}, {4, 8}};
  int64_t follower_end = 9;
  auto follower_ends = [&](LeaderEpoch e) { return EndOffsetFor(follower, follower_end, e); };

  const auto first_answer = EndOffsetFor(leader, 12, LeaderEpoch(3));
  EXPECT_EQ(first_answer, std::make_pair(LeaderEpoch(2), Offset(8)));
  absl::StatusOr<TruncationDecision> first = ComputeFollowerTruncation(
      {first_answer.first, first_answer.second}, Offset(follower_end), follower_ends);
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(*first, (TruncationDecision{Offset(5), false}));

  follower.erase(3);
  follower_end = 5;
  const auto second_answer = EndOffsetFor(leader, 12, LeaderEpoch(1));
  EXPECT_THAT(ComputeFollowerTruncation({second_answer.first, second_answer.second},
                                        Offset(follower_end), follower_ends),
              IsOkAndHolds(Eq(TruncationDecision{Offset(5), true})));
}

TEST(ComputeFollowerTruncationTest, FollowerWithoutAnEarlierEpochTruncatesToTheLeaderEnd) {
  const std::map<int32_t, int64_t> follower{{5, 20}};
  auto ends = [&](LeaderEpoch e) { return EndOffsetFor(follower, 30, e); };
  EXPECT_THAT(ComputeFollowerTruncation({LeaderEpoch(3), Offset(18)}, Offset(30), ends),
              IsOkAndHolds(Eq(TruncationDecision{Offset(18), true})));
}

TEST(ComputeFollowerTruncationTest, UndefinedAnswerIsAnErrorNotAHighWatermarkFallback) {
  const std::map<int32_t, int64_t> follower{{1, 0}};
  auto ends = [&](LeaderEpoch e) { return EndOffsetFor(follower, 4, e); };
  EXPECT_THAT(ComputeFollowerTruncation({LeaderEpoch(-1), Offset(-1)}, Offset(4), ends),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(ComputeFollowerTruncationTest, WorksOnALeaderEpochCache) {
  storage::MemFileSystem fs;
  ASSERT_THAT(fs.CreateDirs("/p"), IsOk());
  absl::StatusOr<std::unique_ptr<storage::LeaderEpochCache>> cache =
      storage::LeaderEpochCache::Load(fs, "/p/leader-epoch-checkpoint");
  ASSERT_THAT(cache, IsOk());
  (*cache)->Assign(LeaderEpoch(1), Offset(0));
  (*cache)->Assign(LeaderEpoch(2), Offset(6));
  EXPECT_THAT(ComputeFollowerTruncation({LeaderEpoch(1), Offset(4)}, **cache, Offset(10)),
              IsOkAndHolds(Eq(TruncationDecision{Offset(4), true})));
}

// The KIP-101 divergence scenario on two real PartitionLogs.
class DivergenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = OpenLog("/data/a/t-0");
    b_ = OpenLog("/data/b/t-0");
    ASSERT_TRUE(a_ && b_);
  }

  std::unique_ptr<storage::PartitionLog> OpenLog(const std::string& dir) {
    absl::StatusOr<std::unique_ptr<storage::PartitionLog>> opened =
        storage::PartitionLog::Open(fs_, dir, storage::LogConfig{}, clock_);
    EXPECT_THAT(opened, IsOk());
    return opened.ok() ? *std::move(opened) : nullptr;
  }

  void AppendAsLeader(storage::PartitionLog& log, int32_t epoch, const std::string& value,
                      int count) {
    kafka::RecordBatchBuilder builder({});
    for (int i = 0; i < count; ++i)
      builder.Append(1'700'000'000'000, "key", value + std::to_string(i));
    absl::StatusOr<std::string> bytes = builder.Build();
    ASSERT_THAT(bytes, IsOk());
    ASSERT_THAT(log.AppendAsLeader(*bytes, LeaderEpoch(epoch)), IsOk());
  }

  // Replicate copies the leader's batches from the follower's log end (one follower fetch).
  static void Replicate(const storage::PartitionLog& leader, storage::PartitionLog& follower) {
    absl::StatusOr<storage::ReadResult> read = leader.Read(follower.LogEndOffset());
    ASSERT_THAT(read, IsOk());
    if (!read->records.empty()) {
      ASSERT_THAT(follower.AppendAsFollower(read->records), IsOk());
    }
  }

  static std::string Contents(const storage::PartitionLog& log) {
    absl::StatusOr<storage::ReadResult> read = log.Read(Offset(0), {.max_bytes = 1 << 20});
    EXPECT_THAT(read, IsOk());
    return read.ok() ? read->records : std::string();
  }

  storage::MemFileSystem fs_;
  common::ManualClock clock_;
  std::unique_ptr<storage::PartitionLog> a_;
  std::unique_ptr<storage::PartitionLog> b_;
};

TEST_F(DivergenceTest, ReturningLeaderIsTruncatedToTheEpochBoundaryNotItsHighWatermark) {
  // Epoch 1: A leads; offsets 0..4 reach B; A's HW had only advanced to 3 when it heard last.
  AppendAsLeader(*a_, 1, "committed", 5);
  Replicate(*a_, *b_);
  const Offset a_high_watermark(3);
  // A appends an uncommitted tail 5..7 and dies before B fetches it.
  AppendAsLeader(*a_, 1, "lost", 3);
  ASSERT_EQ(a_->LogEndOffset(), Offset(8));

  // Epoch 2: B leads and writes different records at 5..8.
  AppendAsLeader(*b_, 2, "new", 4);
  ASSERT_EQ(b_->LogEndOffset(), Offset(9));

  // A returns as follower: OffsetForLeaderEpoch(its latest epoch, 1) on B.
  std::optional<storage::LeaderEpochCache::Entry> latest = a_->LatestEpoch();
  ASSERT_TRUE(latest.has_value());
  ASSERT_EQ(latest->epoch, LeaderEpoch(1));
  const auto [epoch, end] = b_->EndOffsetForEpoch(latest->epoch);
  EXPECT_EQ(epoch, LeaderEpoch(1));
  EXPECT_EQ(end, Offset(5));

  absl::StatusOr<TruncationDecision> decision = TruncateFollower(*a_, {epoch, end});
  ASSERT_THAT(decision, IsOk());
  EXPECT_EQ(*decision, (TruncationDecision{Offset(5), true}));
  EXPECT_EQ(a_->LogEndOffset(), Offset(5));
  // Truncating to the HW would have dropped the committed records 3 and 4.
  EXPECT_GT(a_->LogEndOffset(), a_high_watermark);
  EXPECT_EQ(a_->LatestEpoch()->epoch, LeaderEpoch(1));

  Replicate(*b_, *a_);
  EXPECT_EQ(a_->LogEndOffset(), Offset(9));
  EXPECT_EQ(Contents(*a_), Contents(*b_));
  EXPECT_EQ(a_->LatestEpoch(), b_->LatestEpoch());
}

}  // namespace
}  // namespace eddy::broker
