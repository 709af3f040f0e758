#include "services/controller/partition_commands.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/controller/broker_lifecycle.h"
#include "services/controller/metadata_test_fixture.h"

namespace eddy::controller {
namespace {

using kafka::ErrorCode;
using testing::Ids;
using testing::MetadataFixture;

class PartitionCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int32_t id = 1; id <= 3; ++id) epochs_[id] = f_.AddBroker(id);
    topic_id_ = f_.AddTopic("t", {Ids({1, 2, 3})});
  }

  eddy::v1::AlterPartitionRequest Request(int32_t sender, std::vector<BrokerId> isr) {
    const PartitionState& p = f_.Partition("t", 0);
    eddy::v1::AlterPartitionRequest r;
    r.set_broker_id(sender);
    r.set_broker_epoch(epochs_[sender].value());
    r.mutable_partition()->set_topic("t");
    r.mutable_partition()->set_partition(0);
    r.set_leader_epoch(p.leader_epoch.value());
    r.set_partition_epoch(p.partition_epoch.value());
    for (BrokerId b : isr) r.add_new_isr(b.value());
    return r;
  }

  ErrorCode Alter(const eddy::v1::AlterPartitionRequest& request) {
    auto result = AlterPartition(f_.image(), request);
    if (result.response.error.ok()) {
      f_.Apply(result.records);
      EXPECT_EQ(f_.Partition("t", 0), result.response.partition)
          << "the response must describe the state the records produce";
    } else {
      EXPECT_TRUE(result.records.empty());
      EXPECT_FALSE(result.response.error.message.empty());
    }
    return result.response.error.code;
  }

  void Apply(const ControllerResult<ApiError>& result) {
    ASSERT_TRUE(result.response.ok()) << result.response.message;
    f_.Apply(result.records);
  }

  ElectLeadersRequest Elect(ElectionType type) {
    return ElectLeadersRequest{type, std::vector<TopicPartitions>{{"t", {0}}}};
  }

  MetadataFixture f_;
  std::map<int32_t, BrokerEpoch> epochs_;
  common::Uuid topic_id_;
};

TEST_F(PartitionCommandsTest, LeaderShrinksAndExpandsTheIsr) {
  EXPECT_EQ(Alter(Request(1, Ids({1, 2}))), ErrorCode::kNone);
  EXPECT_EQ(f_.Partition("t", 0).isr, Ids({1, 2}));
  EXPECT_EQ(f_.Partition("t", 0).partition_epoch, PartitionEpoch(1));
  EXPECT_EQ(f_.Partition("t", 0).leader_epoch, LeaderEpoch(0));
  EXPECT_EQ(Alter(Request(1, Ids({1, 2, 3}))), ErrorCode::kNone);
  EXPECT_EQ(f_.Partition("t", 0).isr, Ids({1, 2, 3}));
  EXPECT_EQ(f_.Partition("t", 0).partition_epoch, PartitionEpoch(2));
}

TEST_F(PartitionCommandsTest, ShrinkingBelowMinIsrFillsTheElrAndExpandingEmptiesIt) {
  f_.SetConfig(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, "t", "min.insync.replicas", "2");
  EXPECT_EQ(Alter(Request(1, Ids({1}))), ErrorCode::kNone);
  EXPECT_EQ(f_.Partition("t", 0).elr, Ids({2, 3}));
  EXPECT_EQ(Alter(Request(1, Ids({1, 3}))), ErrorCode::kNone);
  EXPECT_TRUE(f_.Partition("t", 0).elr.empty());
}

TEST_F(PartitionCommandsTest, RejectsStaleOrForeignRequests) {
  auto stale_partition_epoch = Request(1, Ids({1, 2}));
  stale_partition_epoch.set_partition_epoch(7);
  EXPECT_EQ(Alter(stale_partition_epoch), ErrorCode::kInvalidUpdateVersion);

  auto stale_leader_epoch = Request(1, Ids({1, 2}));
  stale_leader_epoch.set_leader_epoch(3);
  EXPECT_EQ(Alter(stale_leader_epoch), ErrorCode::kFencedLeaderEpoch);

  EXPECT_EQ(Alter(Request(2, Ids({2, 3}))), ErrorCode::kNotLeaderOrFollower);

  auto stale_broker_epoch = Request(1, Ids({1, 2}));
  stale_broker_epoch.set_broker_epoch((epochs_[1] - 1).value());
  EXPECT_EQ(Alter(stale_broker_epoch), ErrorCode::kStaleBrokerEpoch);

  auto unknown_id = Request(1, Ids({1}));
  *unknown_id.mutable_partition()->mutable_topic_id() =
      TopicIdToProto(common::Uuid::FromMsbLsb(9, 9));
  EXPECT_EQ(Alter(unknown_id), ErrorCode::kUnknownTopicId);

  auto by_id = Request(1, Ids({1, 2}));
  by_id.mutable_partition()->set_topic("");
  *by_id.mutable_partition()->mutable_topic_id() = TopicIdToProto(topic_id_);
  EXPECT_EQ(Alter(by_id), ErrorCode::kNone);

  auto unknown_partition = Request(1, Ids({1}));
  unknown_partition.mutable_partition()->set_partition(5);
  EXPECT_EQ(Alter(unknown_partition), ErrorCode::kUnknownTopicOrPartition);
}

TEST_F(PartitionCommandsTest, RejectsInvalidOrIneligibleIsrs) {
  EXPECT_EQ(Alter(Request(1, Ids({2, 3}))), ErrorCode::kInvalidRequest) << "leader missing";
  EXPECT_EQ(Alter(Request(1, Ids({1, 4}))), ErrorCode::kInvalidRequest) << "not a replica";
  EXPECT_EQ(Alter(Request(1, Ids({1, 1}))), ErrorCode::kInvalidRequest) << "duplicate";
  EXPECT_EQ(Alter(Request(1, Ids({1, 2}))), ErrorCode::kNone);
  Apply(FenceBroker(f_.image(), BrokerId(3)));
  EXPECT_EQ(Alter(Request(1, Ids({1, 2, 3}))), ErrorCode::kIneligibleReplica);
}

TEST_F(PartitionCommandsTest, AFencedLeadersLaterAlterPartitionIsRejected) {
  auto before_fence = Request(1, Ids({1, 2}));
  Apply(FenceBroker(f_.image(), BrokerId(1)));
  EXPECT_EQ(f_.Partition("t", 0).leader, BrokerId(2));
  EXPECT_EQ(Alter(before_fence), ErrorCode::kFencedLeaderEpoch);
}

TEST_F(PartitionCommandsTest, PreferredElectionMovesLeadershipBack) {
  Apply(FenceBroker(f_.image(), BrokerId(1)));
  Apply(UnfenceBroker(f_.image(), BrokerId(1), epochs_[1]));
  ASSERT_EQ(f_.Partition("t", 0).leader, BrokerId(2));

  auto unavailable = ElectLeaders(f_.image(), Elect(ElectionType::kPreferred));
  ASSERT_EQ(unavailable.response.size(), 1u);
  EXPECT_EQ(unavailable.response[0].error.code, ErrorCode::kPreferredLeaderNotAvailable)
      << "broker 1 is not back in the ISR";

  ASSERT_EQ(Alter(Request(2, Ids({2, 3, 1}))), ErrorCode::kNone);
  auto elected = ElectLeaders(f_.image(), Elect(ElectionType::kPreferred));
  ASSERT_TRUE(elected.response[0].error.ok()) << elected.response[0].error.message;
  const LeaderEpoch before = f_.Partition("t", 0).leader_epoch;
  f_.Apply(elected.records);
  EXPECT_EQ(f_.Partition("t", 0).leader, BrokerId(1));
  EXPECT_EQ(f_.Partition("t", 0).leader_epoch, before + 1);

  EXPECT_EQ(ElectLeaders(f_.image(), Elect(ElectionType::kPreferred)).response[0].error.code,
            ErrorCode::kElectionNotNeeded);
  auto unknown = ElectLeaders(
      f_.image(),
      {ElectionType::kPreferred, std::vector<TopicPartitions>{{"nope", {0}}, {"t", {4}}}});
  EXPECT_EQ(unknown.response[0].error.code, ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(unknown.response[1].error.code, ErrorCode::kUnknownTopicOrPartition);
}

TEST_F(PartitionCommandsTest, UncleanElectionOnlyForLeaderlessPartitions) {
  EXPECT_EQ(ElectLeaders(f_.image(), Elect(ElectionType::kUnclean)).response[0].error.code,
            ErrorCode::kElectionNotNeeded);
  Apply(FenceBroker(f_.image(), BrokerId(3)));
  Apply(FenceBroker(f_.image(), BrokerId(2)));
  Apply(FenceBroker(f_.image(), BrokerId(1)));
  EXPECT_EQ(ElectLeaders(f_.image(), Elect(ElectionType::kUnclean)).response[0].error.code,
            ErrorCode::kEligibleLeadersNotAvailable);
  Apply(UnfenceBroker(f_.image(), BrokerId(2), epochs_[2]));
  ASSERT_EQ(f_.Partition("t", 0).leader, kNoLeader) << "2 left the ISR before the last fence";

  auto unclean = ElectLeaders(f_.image(), {ElectionType::kUnclean, std::nullopt});
  ASSERT_EQ(unclean.response.size(), 1u);
  ASSERT_TRUE(unclean.response[0].error.ok());
  f_.Apply(unclean.records);
  EXPECT_EQ(f_.Partition("t", 0).leader, BrokerId(2));
  EXPECT_EQ(f_.Partition("t", 0).isr, Ids({2}));
  EXPECT_TRUE(f_.Partition("t", 0).elr.empty());
}

TEST_F(PartitionCommandsTest, RebalanceElectsPreferredLeadersOfImbalancedBrokers) {
  f_.AddTopic("r", {Ids({1, 2}), Ids({1, 2}), Ids({1, 2}), Ids({2, 1})});
  eddy::v1::PartitionChangeRecord move;
  *move.mutable_topic_id() = TopicIdToProto(f_.image().FindTopicByName("r")->id);
  move.set_partition(0);
  move.set_leader(2);
  f_.Apply({Wrap(move)});

  EXPECT_TRUE(RebalancePreferredLeaders(f_.image(), {.imbalance_percentage = 50}).records.empty())
      << "1 of broker 1's 4 preferred partitions (25%) is below 50%";
  auto result = RebalancePreferredLeaders(f_.image(), {});
  ASSERT_EQ(result.response.size(), 1u);
  EXPECT_EQ(result.response[0].topic, "r");
  EXPECT_EQ(result.response[0].partition, 0);
  f_.Apply(result.records);
  EXPECT_EQ(f_.Partition("r", 0).leader, BrokerId(1));
  EXPECT_TRUE(RebalancePreferredLeaders(f_.image(), {}).records.empty());
}

}  // namespace
}  // namespace eddy::controller
