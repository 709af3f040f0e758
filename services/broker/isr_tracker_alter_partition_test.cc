// IsrTracker: ISR shrink and expansion proposals and the controller's answers (KIP-497).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/broker/isr_tracker_test_fixture.h"

namespace eddy::broker::testing {
namespace {

using kafka::ErrorCode;
using ::testing::ElementsAre;

TEST_F(IsrTrackerTest, LaggingFollowerIsProposedForRemovalAfterLagTime) {
  Start({kLeader, kFollowerA, kFollowerB});
  Append(10);
  Fetch(kFollowerA, 10);
  clock_.Advance(absl::Seconds(30));
  Fetch(kFollowerA, 10);
  tracker_->Tick();
  EXPECT_FALSE(
      tracker_->TakeOutput().alter_partition.has_value());  // exactly the lag: still in sync
  clock_.Advance(absl::Milliseconds(1));
  Fetch(kFollowerA, 10);
  tracker_->Tick();
  IsrTrackerOutput output = tracker_->TakeOutput();
  ASSERT_TRUE(output.alter_partition.has_value());
  EXPECT_EQ(*output.alter_partition,
            (AlterPartitionProposal{LeaderEpoch(4), PartitionEpoch(10), {kLeader, kFollowerA}}));
  EXPECT_TRUE(tracker_->alter_partition_pending());
  EXPECT_THAT(tracker_->isr(),
              ElementsAre(kLeader, kFollowerA, kFollowerB));  // not until committed

  tracker_->OnAlterPartitionResponse(ErrorCode::kNone, {kLeader, kFollowerA}, PartitionEpoch(11));
  EXPECT_FALSE(tracker_->alter_partition_pending());
  EXPECT_THAT(tracker_->isr(), ElementsAre(kLeader, kFollowerA));
  EXPECT_EQ(tracker_->partition_epoch(), PartitionEpoch(11));
  EXPECT_EQ(tracker_->high_watermark(), Offset(10));  // follower B no longer holds it back
}

TEST_F(IsrTrackerTest, FollowerAtTheLogEndIsNeverLagging) {
  Start({kLeader, kFollowerA, kFollowerB});
  Fetch(kFollowerA, 0);
  Fetch(kFollowerB, 0);
  clock_.Advance(absl::Minutes(5));  // an idle partition
  tracker_->Tick();
  EXPECT_FALSE(tracker_->TakeOutput().alter_partition.has_value());
}

TEST_F(IsrTrackerTest, PendingChangeBlocksNewProposals) {
  Start({kLeader, kFollowerA, kFollowerB});
  Append(10);
  clock_.Advance(absl::Seconds(31));
  Fetch(kFollowerA, 10);
  tracker_->Tick();
  ASSERT_TRUE(tracker_->TakeOutput().alter_partition.has_value());
  clock_.Advance(absl::Seconds(31));
  tracker_->Tick();  // follower A lags now too, but B's removal is still in flight
  EXPECT_FALSE(tracker_->TakeOutput().alter_partition.has_value());
  Fetch(kFollowerB, 10);
  EXPECT_FALSE(tracker_->TakeOutput().alter_partition.has_value());
}

TEST_F(IsrTrackerTest, CaughtUpReplicaIsProposedForAdditionAndCountsForHighWatermarkMeanwhile) {
  Start({kLeader, kFollowerA}, Offset(10));
  Fetch(kFollowerA, 10);
  Fetch(kFollowerB, 9);
  EXPECT_FALSE(tracker_->TakeOutput().alter_partition.has_value());
  Fetch(kFollowerB, 10);
  IsrTrackerOutput output = tracker_->TakeOutput();
  ASSERT_TRUE(output.alter_partition.has_value());
  EXPECT_THAT(output.alter_partition->new_isr, ElementsAre(kLeader, kFollowerA, kFollowerB));

  // The maximal ISR includes B while the expansion is pending, so B holds the HW.
  Append(10);
  Fetch(kFollowerA, 20);
  EXPECT_EQ(tracker_->high_watermark(), Offset(10));
  Fetch(kFollowerB, 20);
  EXPECT_EQ(tracker_->high_watermark(), Offset(20));
}

TEST_F(IsrTrackerTest, ReplicaMissingTheCurrentEpochStartIsNotAdded) {
  // This leader's epoch began at 12; the HW is still 10 (follower A has not fetched further).
  Start({kLeader, kFollowerA}, Offset(10), /*epoch_start=*/Offset(12));
  Append(5);
  Fetch(kFollowerA, 10);
  ASSERT_EQ(tracker_->high_watermark(), Offset(10));
  Fetch(kFollowerB, 10);  // at the HW but short of the leader epoch's first offset
  EXPECT_FALSE(tracker_->TakeOutput().alter_partition.has_value());
  Fetch(kFollowerB, 12);
  EXPECT_TRUE(tracker_->TakeOutput().alter_partition.has_value());
}

TEST_F(IsrTrackerTest, FencedOrShuttingDownReplicaIsNotAddedUntilEligibleAgain) {
  Start({kLeader, kFollowerA}, Offset(10));
  tracker_->SetIneligibleReplicas({kFollowerB});
  Fetch(kFollowerB, 10);  // caught up, but the controller would answer INELIGIBLE_REPLICA
  Fetch(kFollowerB, 10);
  EXPECT_FALSE(tracker_->TakeOutput().alter_partition.has_value());
  EXPECT_FALSE(tracker_->alter_partition_pending());

  tracker_->SetIneligibleReplicas({});
  Fetch(kFollowerB, 10);
  IsrTrackerOutput output = tracker_->TakeOutput();
  ASSERT_TRUE(output.alter_partition.has_value());
  EXPECT_THAT(output.alter_partition->new_isr, ElementsAre(kLeader, kFollowerA, kFollowerB));
}

TEST_F(IsrTrackerTest, OperationNotAttemptedDropsTheProposal) {
  Start({kLeader, kFollowerA}, Offset(10));
  Fetch(kFollowerB, 10);
  ASSERT_TRUE(tracker_->TakeOutput().alter_partition.has_value());
  tracker_->OnAlterPartitionResponse(ErrorCode::kOperationNotAttempted, {}, PartitionEpoch(-1));
  EXPECT_FALSE(tracker_->alter_partition_pending());
  EXPECT_THAT(tracker_->isr(), ElementsAre(kLeader, kFollowerA));
  Fetch(kFollowerB, 10);  // proposes again
  EXPECT_TRUE(tracker_->TakeOutput().alter_partition.has_value());
}

TEST_F(IsrTrackerTest, StaleVersionWaitsForMetadata) {
  Start({kLeader, kFollowerA}, Offset(10));
  Fetch(kFollowerB, 10);
  ASSERT_TRUE(tracker_->TakeOutput().alter_partition.has_value());
  tracker_->OnAlterPartitionResponse(ErrorCode::kInvalidUpdateVersion, {}, PartitionEpoch(-1));
  EXPECT_TRUE(tracker_->alter_partition_pending());
  EXPECT_FALSE(tracker_->TakeOutput().alter_partition.has_value());

  PartitionAssignment older{
      kLeader, LeaderEpoch(4), PartitionEpoch(10), {kLeader, kFollowerA, kFollowerB}, {kLeader}};
  tracker_->OnPartitionChange(older);
  EXPECT_TRUE(tracker_->alter_partition_pending());
  PartitionAssignment newer = older;
  newer.partition_epoch = PartitionEpoch(12);
  newer.isr = {kLeader, kFollowerB};
  tracker_->OnPartitionChange(newer);
  EXPECT_FALSE(tracker_->alter_partition_pending());
  EXPECT_THAT(tracker_->isr(), ElementsAre(kLeader, kFollowerB));
  EXPECT_EQ(tracker_->partition_epoch(), PartitionEpoch(12));
}

TEST_F(IsrTrackerTest, OtherErrorsResendTheSameProposal) {
  Start({kLeader, kFollowerA}, Offset(10));
  Fetch(kFollowerB, 10);
  IsrTrackerOutput first = tracker_->TakeOutput();
  ASSERT_TRUE(first.alter_partition.has_value());
  tracker_->OnAlterPartitionResponse(ErrorCode::kNotController, {}, PartitionEpoch(-1));
  IsrTrackerOutput retry = tracker_->TakeOutput();
  ASSERT_TRUE(retry.alter_partition.has_value());
  EXPECT_EQ(*retry.alter_partition, *first.alter_partition);
}

TEST_F(IsrTrackerTest, ReassignmentDropsRemovedReplicas) {
  Start({kLeader, kFollowerA, kFollowerB});
  Append(10);
  Fetch(kFollowerA, 10);
  tracker_->OnPartitionChange(
      {kLeader, LeaderEpoch(4), PartitionEpoch(11), {kLeader, kFollowerA}, {kLeader, kFollowerA}});
  EXPECT_EQ(tracker_->follower(kFollowerB), nullptr);
  EXPECT_EQ(tracker_->OnFollowerFetch(kFollowerB, Offset(10)), ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ(tracker_->high_watermark(), Offset(10));
}

}  // namespace
}  // namespace eddy::broker::testing
