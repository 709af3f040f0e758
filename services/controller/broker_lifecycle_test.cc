#include "services/controller/broker_lifecycle.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/controller/metadata_test_fixture.h"

namespace eddy::controller {
namespace {

using kafka::ErrorCode;
using testing::Ids;
using testing::MetadataFixture;

class BrokerLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int32_t id = 1; id <= 3; ++id) epochs_[id] = f_.AddBroker(id);
  }

  void Fence(int32_t id) {
    auto result = FenceBroker(f_.image(), BrokerId(id));
    ASSERT_TRUE(result.response.ok()) << result.response.message;
    f_.Apply(result.records);
    EXPECT_FALSE(f_.image().IsUnfenced(BrokerId(id)));
  }

  void Unfence(int32_t id) {
    auto result = UnfenceBroker(f_.image(), BrokerId(id), epochs_[id]);
    ASSERT_TRUE(result.response.ok()) << result.response.message;
    f_.Apply(result.records);
  }

  MetadataFixture f_;
  std::map<int32_t, BrokerEpoch> epochs_;
};

TEST_F(BrokerLifecycleTest, FencingTheLeaderElectsTheNextIsrMemberAndBumpsEpochs) {
  f_.AddTopic("t", {Ids({1, 2, 3}), Ids({2, 3, 1})});
  Fence(1);
  const PartitionState& p0 = f_.Partition("t", 0);
  EXPECT_EQ(p0.leader, BrokerId(2));
  EXPECT_EQ(p0.isr, Ids({2, 3}));
  EXPECT_EQ(p0.leader_epoch, LeaderEpoch(1));
  EXPECT_EQ(p0.partition_epoch, PartitionEpoch(1));
  // Partition 1 keeps its leader; only its ISR shrinks, so only the partition epoch moves.
  const PartitionState& p1 = f_.Partition("t", 1);
  EXPECT_EQ(p1.leader, BrokerId(2));
  EXPECT_EQ(p1.isr, Ids({2, 3}));
  EXPECT_EQ(p1.leader_epoch, LeaderEpoch(0));
  EXPECT_EQ(p1.partition_epoch, PartitionEpoch(1));
}

TEST_F(BrokerLifecycleTest, NeverElectsOutsideIsrAndElrWithoutUncleanElection) {
  f_.AddTopic("t", {Ids({1, 2, 3})});
  Fence(3);
  Fence(2);
  EXPECT_EQ(f_.Partition("t", 0).isr, Ids({1}));
  Unfence(2);
  Unfence(3);
  Fence(1);
  const PartitionState& p = f_.Partition("t", 0);
  EXPECT_EQ(p.leader, kNoLeader) << "2 and 3 left the ISR and may miss committed data";
  EXPECT_TRUE(p.isr.empty());
  EXPECT_EQ(p.elr, Ids({1})) << "KIP-966: the last ISR member stays eligible";
  Unfence(1);
  EXPECT_EQ(f_.Partition("t", 0).leader, BrokerId(1));
  EXPECT_EQ(f_.Partition("t", 0).isr, Ids({1}));
  EXPECT_TRUE(f_.Partition("t", 0).elr.empty());
}

TEST_F(BrokerLifecycleTest, UncleanElectionWhenTheTopicAllowsIt) {
  f_.AddTopic("t", {Ids({1, 2, 3})});
  f_.SetConfig(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, "t", "unclean.leader.election.enable", "true");
  Fence(3);
  Fence(2);
  Unfence(2);
  Fence(1);
  const PartitionState& p = f_.Partition("t", 0);
  EXPECT_EQ(p.leader, BrokerId(2));
  EXPECT_EQ(p.isr, Ids({2}));
  EXPECT_TRUE(p.elr.empty());
}

TEST_F(BrokerLifecycleTest, EligibleLeaderReplicasFollowKip966) {
  f_.AddTopic("t", {Ids({1, 2, 3})});
  f_.SetConfig(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, "t", "min.insync.replicas", "2");
  Fence(3);
  EXPECT_EQ(f_.Partition("t", 0).isr, Ids({1, 2}));
  EXPECT_TRUE(f_.Partition("t", 0).elr.empty()) << "ISR still at min.insync.replicas";
  Fence(2);
  EXPECT_EQ(f_.Partition("t", 0).isr, Ids({1}));
  EXPECT_EQ(f_.Partition("t", 0).elr, Ids({2}));
  Fence(1);
  EXPECT_EQ(f_.Partition("t", 0).leader, kNoLeader);
  EXPECT_EQ(f_.Partition("t", 0).elr, Ids({1, 2}));
  Unfence(3);
  EXPECT_EQ(f_.Partition("t", 0).leader, kNoLeader) << "3 is neither in ISR nor ELR";
  Unfence(2);
  const PartitionState& p = f_.Partition("t", 0);
  EXPECT_EQ(p.leader, BrokerId(2)) << "elected from the ELR";
  EXPECT_EQ(p.isr, Ids({2}));
  EXPECT_EQ(p.elr, Ids({1}));
}

TEST_F(BrokerLifecycleTest, UncleanShutdownLeavesTheElr) {
  f_.AddTopic("t", {Ids({1, 2, 3})});
  f_.SetConfig(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, "t", "min.insync.replicas", "2");
  Fence(3);
  Fence(2);
  Fence(1);
  ASSERT_EQ(f_.Partition("t", 0).elr, Ids({1, 2}));
  RegisterBrokerRequest request{
      .broker_id = BrokerId(1), .incarnation_id = "restarted", .clean_shutdown = false};
  auto result = RegisterBroker(f_.image(), request, /*previous_lease_live=*/false);
  ASSERT_TRUE(result.response.ok());
  f_.Apply(result.records);
  EXPECT_EQ(f_.Partition("t", 0).elr, Ids({2}));
  EXPECT_EQ(f_.Partition("t", 0).last_known_elr, Ids({1}));
}

TEST_F(BrokerLifecycleTest, ACleanShutdownIsOneThatPresentsTheReplacedEpoch) {
  EXPECT_TRUE(ShutDownCleanly(f_.image(), BrokerId(1), epochs_[1]));
  EXPECT_FALSE(ShutDownCleanly(f_.image(), BrokerId(1), BrokerEpoch(epochs_[1].value() + 1)));
  EXPECT_FALSE(ShutDownCleanly(f_.image(), BrokerId(1), BrokerEpoch(0))) << "unknown: unclean";
  EXPECT_TRUE(ShutDownCleanly(f_.image(), BrokerId(99), BrokerEpoch(0))) << "a first start";
}

TEST_F(BrokerLifecycleTest, ControlledShutdownMovesLeadershipAway) {
  f_.AddTopic("t", {Ids({1, 2}), Ids({2, 1})});
  auto result = BeginControlledShutdown(f_.image(), BrokerId(1), epochs_[1]);
  ASSERT_TRUE(result.response.ok());
  f_.Apply(result.records);
  EXPECT_TRUE(f_.image().FindBroker(BrokerId(1))->in_controlled_shutdown());
  EXPECT_FALSE(f_.image().IsUsable(BrokerId(1)));
  EXPECT_EQ(f_.Partition("t", 0).leader, BrokerId(2));
  EXPECT_EQ(f_.Partition("t", 0).isr, Ids({2}));
  EXPECT_EQ(f_.Partition("t", 1).isr, Ids({2}));
}

TEST_F(BrokerLifecycleTest, DuplicateRegistrationWhileTheLeaseIsLive) {
  f_.AddTopic("t", {Ids({1, 2})});
  RegisterBrokerRequest request{.broker_id = BrokerId(1), .incarnation_id = "other"};
  auto refused = RegisterBroker(f_.image(), request, /*previous_lease_live=*/true);
  EXPECT_EQ(refused.response.code, ErrorCode::kDuplicateBrokerRegistration);
  EXPECT_TRUE(refused.records.empty());

  auto accepted = RegisterBroker(f_.image(), request, /*previous_lease_live=*/false);
  ASSERT_TRUE(accepted.response.ok());
  f_.Apply(accepted.records);
  const auto* reg = f_.image().FindBroker(BrokerId(1));
  EXPECT_EQ(reg->incarnation_id(), "other");
  EXPECT_TRUE(reg->fenced());
  EXPECT_GT(reg->broker_epoch(), epochs_[1].value());
  EXPECT_EQ(f_.Partition("t", 0).leader, BrokerId(2)) << "the old incarnation's leadership moved";
}

TEST_F(BrokerLifecycleTest, EpochAndRegistrationChecks) {
  EXPECT_EQ(UnfenceBroker(f_.image(), BrokerId(1), epochs_[1] + 100).response.code,
            ErrorCode::kStaleBrokerEpoch);
  EXPECT_EQ(UnfenceBroker(f_.image(), BrokerId(9), BrokerEpoch(1)).response.code,
            ErrorCode::kStaleBrokerEpoch);
  EXPECT_EQ(FenceBroker(f_.image(), BrokerId(9)).response.code, ErrorCode::kBrokerIdNotRegistered);
  Fence(2);
  EXPECT_TRUE(FenceBroker(f_.image(), BrokerId(2)).records.empty()) << "already fenced";
  auto unregister = UnregisterBroker(f_.image(), BrokerId(3));
  ASSERT_TRUE(unregister.response.ok());
  f_.Apply(unregister.records);
  EXPECT_EQ(f_.image().FindBroker(BrokerId(3)), nullptr);
}

}  // namespace
}  // namespace eddy::controller
