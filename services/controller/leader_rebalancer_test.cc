#include "services/controller/leader_rebalancer.h"

#include "gtest/gtest.h"
#include "services/controller/metadata_test_fixture.h"

namespace eddy::controller {
namespace {

using testing::Ids;
using testing::MetadataFixture;

class LeaderRebalancerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int32_t id : {1, 2, 3}) f_.AddBroker(id);
    f_.AddTopic("t", {Ids({1, 2}), Ids({2, 3}), Ids({3, 1})});
  }

  // MoveLeader makes `leader` lead partition `index` of "t" (an election away from preferred).
  void MoveLeader(int32_t index, int32_t leader) {
    eddy::v1::PartitionChangeRecord change;
    *change.mutable_topic_id() = TopicIdToProto(f_.image().FindTopicByName("t")->id);
    change.set_partition(index);
    change.set_leader(leader);
    f_.Apply({Wrap(change)});
  }

  MetadataFixture f_;
  common::ManualClock clock_;
};

TEST_F(LeaderRebalancerTest, ChecksOneIntervalAfterLeadingAndEveryIntervalAfter) {
  LeaderRebalancer rebalancer({.check_interval = absl::Seconds(300)}, clock_);
  EXPECT_FALSE(rebalancer.Due()) << "not leading yet";
  rebalancer.StartLeading();
  EXPECT_FALSE(rebalancer.Due()) << "Kafka waits one interval after becoming active";
  clock_.Advance(absl::Seconds(299));
  EXPECT_FALSE(rebalancer.Due());
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(rebalancer.Due());
  EXPECT_FALSE(rebalancer.Due()) << "the next check is an interval later";
  clock_.Advance(absl::Seconds(300));
  EXPECT_TRUE(rebalancer.Due());

  // A stalled tick thread runs one check, not one per missed interval.
  clock_.Advance(absl::Seconds(3000));
  EXPECT_TRUE(rebalancer.Due());
  EXPECT_FALSE(rebalancer.Due());

  rebalancer.StopLeading();
  clock_.Advance(absl::Seconds(600));
  EXPECT_FALSE(rebalancer.Due()) << "a follower does not rebalance";
  rebalancer.StartLeading();
  clock_.Advance(absl::Seconds(299));
  EXPECT_FALSE(rebalancer.Due()) << "a new term starts a new interval";
}

TEST_F(LeaderRebalancerTest, DisabledNeverChecks) {
  LeaderRebalancer rebalancer({.enabled = false, .check_interval = absl::Seconds(1)}, clock_);
  rebalancer.StartLeading();
  clock_.Advance(absl::Hours(1));
  EXPECT_FALSE(rebalancer.Due());
}

TEST_F(LeaderRebalancerTest, DueCheckElectsPreferredLeadersBackOnlyAboveTheImbalanceShare) {
  LeaderRebalancer rebalancer({.check_interval = absl::Seconds(10), .imbalance_percentage = 10},
                              clock_);
  rebalancer.StartLeading();
  MoveLeader(0, 2);  // broker 1 prefers 1 partition and leads none of it: 100% imbalanced
  clock_.Advance(absl::Seconds(10));
  ASSERT_TRUE(rebalancer.Due());
  auto result = rebalancer.Rebalance(f_.image());
  ASSERT_EQ(result.response.size(), 1u);
  EXPECT_EQ(result.response[0].topic, "t");
  EXPECT_EQ(result.response[0].partition, 0);
  EXPECT_TRUE(result.response[0].error.ok()) << result.response[0].error.message;
  const LeaderEpoch before = f_.Partition("t", 0).leader_epoch;
  f_.Apply(result.records);
  EXPECT_EQ(f_.Partition("t", 0).leader, BrokerId(1));
  EXPECT_GT(f_.Partition("t", 0).leader_epoch, before);
  EXPECT_TRUE(rebalancer.Rebalance(f_.image()).records.empty()) << "balanced now";

  // At 100% no broker is ever "more than" imbalanced, so nothing moves.
  LeaderRebalancer lenient({.check_interval = absl::Seconds(10), .imbalance_percentage = 100},
                           clock_);
  MoveLeader(1, 3);
  EXPECT_TRUE(lenient.Rebalance(f_.image()).records.empty());
  EXPECT_FALSE(rebalancer.Rebalance(f_.image()).records.empty());
}

TEST_F(LeaderRebalancerTest, PreferredReplicaOutsideTheIsrOrFencedIsNotElected) {
  LeaderRebalancer rebalancer({.check_interval = absl::Seconds(10)}, clock_);
  MoveLeader(0, 2);
  eddy::v1::FenceBrokerRecord fence;
  fence.set_broker_id(1);
  fence.set_broker_epoch(f_.image().FindBroker(BrokerId(1))->broker_epoch());
  f_.Apply({Wrap(fence)});
  EXPECT_TRUE(rebalancer.Rebalance(f_.image()).records.empty());
}

}  // namespace
}  // namespace eddy::controller
