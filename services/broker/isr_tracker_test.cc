// IsrTracker: follower progress, the high watermark and acks=all waiters.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/broker/isr_tracker_test_fixture.h"

namespace eddy::broker::testing {
namespace {

using kafka::ErrorCode;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST_F(IsrTrackerTest, HighWatermarkIsMinimumLogEndOverIsr) {
  Start({kLeader, kFollowerA, kFollowerB});
  Append(10);
  EXPECT_EQ(tracker_->high_watermark(), Offset(0));  // followers not heard from yet
  Fetch(kFollowerA, 10);
  Fetch(kFollowerB, 5);
  EXPECT_EQ(tracker_->high_watermark(), Offset(5));
  Fetch(kFollowerB, 10);
  EXPECT_EQ(tracker_->high_watermark(), Offset(10));
}

TEST_F(IsrTrackerTest, HighWatermarkNeverMovesBack) {
  Start({kLeader, kFollowerA}, Offset(7));
  Fetch(kFollowerA, 3);  // a follower that has not caught up yet
  EXPECT_EQ(tracker_->high_watermark(), Offset(7));
}

TEST_F(IsrTrackerTest, FollowersOutsideTheIsrDoNotHoldTheHighWatermark) {
  Start({kLeader, kFollowerA});
  Append(10);
  Fetch(kFollowerA, 10);
  Fetch(kFollowerB, 2);
  EXPECT_EQ(tracker_->high_watermark(), Offset(10));
}

TEST_F(IsrTrackerTest, FetchReachingThePreviousLogEndProvesCaughtUpAtThatFetch) {
  Start({kLeader, kFollowerA, kFollowerB});
  Append(10);
  const absl::Time first_fetch = clock_.Now() + absl::Seconds(1);
  clock_.Advance(absl::Seconds(1));
  Fetch(kFollowerA, 5);
  clock_.Advance(absl::Seconds(20));
  Append(10);
  Fetch(kFollowerA,
        10);  // reaches the log end (10) of its previous fetch, not the current one (20)
  EXPECT_EQ(tracker_->follower(kFollowerA)->last_caught_up, first_fetch);
  EXPECT_EQ(tracker_->follower(kFollowerA)->log_end, Offset(10));
  clock_.Advance(absl::Seconds(5));
  Fetch(kFollowerA, 20);  // reaches the current log end
  EXPECT_EQ(tracker_->follower(kFollowerA)->last_caught_up, clock_.Now());
}

TEST_F(IsrTrackerTest, FetchFromUnknownBrokerIsNotLeaderOrFollower) {
  Start({kLeader, kFollowerA, kFollowerB});
  EXPECT_EQ(tracker_->OnFollowerFetch(BrokerId(9), Offset(0)), ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ(tracker_->OnFollowerFetch(kLeader, Offset(0)), ErrorCode::kNotLeaderOrFollower);
}

TEST_F(IsrTrackerTest, AcksAllWaiterCompletesWhenHighWatermarkPassesIt) {
  Start({kLeader, kFollowerA, kFollowerB});
  Append(10);
  tracker_->AddAcksAllWaiter(1, Offset(9), clock_.Now() + absl::Seconds(30));
  Append(5);
  tracker_->AddAcksAllWaiter(2, Offset(14), clock_.Now() + absl::Seconds(30));
  Fetch(kFollowerA, 15);
  Fetch(kFollowerB, 9);
  EXPECT_THAT(tracker_->TakeOutput().completions, IsEmpty());  // HW 9 does not cover offset 9
  Fetch(kFollowerB, 10);
  EXPECT_THAT(tracker_->TakeOutput().completions,
              ElementsAre(AcksAllCompletion{1, ErrorCode::kNone}));
  Fetch(kFollowerB, 15);
  EXPECT_THAT(tracker_->TakeOutput().completions,
              ElementsAre(AcksAllCompletion{2, ErrorCode::kNone}));
  EXPECT_EQ(tracker_->waiter_count(), 0u);
}

TEST_F(IsrTrackerTest, WaiterAlreadyCoveredByHighWatermarkCompletesAtOnce) {
  options_.min_insync_replicas = 1;
  Start({kLeader});
  Append(3);
  tracker_->AddAcksAllWaiter(5, Offset(2), clock_.Now() + absl::Seconds(30));
  EXPECT_THAT(tracker_->TakeOutput().completions,
              ElementsAre(AcksAllCompletion{5, ErrorCode::kNone}));
}

TEST_F(IsrTrackerTest, AcksAllWaiterTimesOutAtItsDeadline) {
  Start({kLeader, kFollowerA, kFollowerB});
  Append(1);
  tracker_->AddAcksAllWaiter(7, Offset(0), clock_.Now() + absl::Seconds(5));
  clock_.Advance(absl::Seconds(5) - absl::Milliseconds(1));
  tracker_->Tick();
  EXPECT_THAT(tracker_->TakeOutput().completions, IsEmpty());
  clock_.Advance(absl::Milliseconds(1));
  tracker_->Tick();
  EXPECT_THAT(tracker_->TakeOutput().completions,
              ElementsAre(AcksAllCompletion{7, ErrorCode::kRequestTimedOut}));
}

TEST_F(IsrTrackerTest, AcksAllRejectedBeforeAppendBelowMinInsync) {
  Start({kLeader});
  EXPECT_EQ(tracker_->CheckAcksAll(), ErrorCode::kNotEnoughReplicas);
  Start({kLeader, kFollowerB});
  EXPECT_EQ(tracker_->CheckAcksAll(), ErrorCode::kNone);
}

TEST_F(IsrTrackerTest, HighWatermarkFrozenWhileIsrBelowMinInsync) {
  // KIP-966: a lone leader must not expose records only it holds.
  Start({kLeader});
  Append(10);
  EXPECT_EQ(tracker_->high_watermark(), Offset(0));
  options_.min_insync_replicas = 1;
  Start({kLeader});
  Append(10);
  EXPECT_EQ(tracker_->high_watermark(), Offset(10));
}

TEST_F(IsrTrackerTest, WaiterFailsWhenIsrShrinksBelowMinInsync) {
  Start({kLeader, kFollowerA});
  Append(10);
  Fetch(kFollowerA, 0);
  tracker_->AddAcksAllWaiter(3, Offset(9), clock_.Now() + absl::Seconds(60));
  clock_.Advance(absl::Seconds(31));
  tracker_->Tick();
  IsrTrackerOutput proposal = tracker_->TakeOutput();
  ASSERT_TRUE(proposal.alter_partition.has_value());
  EXPECT_THAT(proposal.completions,
              IsEmpty());  // still pending: the ISR is unchanged until committed
  tracker_->OnAlterPartitionResponse(ErrorCode::kNone, {kLeader}, PartitionEpoch(11));
  EXPECT_THAT(tracker_->TakeOutput().completions,
              ElementsAre(AcksAllCompletion{3, ErrorCode::kNotEnoughReplicasAfterAppend}));
  EXPECT_EQ(tracker_->high_watermark(), Offset(0));
}

}  // namespace
}  // namespace eddy::broker::testing
