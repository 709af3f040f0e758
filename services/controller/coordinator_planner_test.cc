// The controller's coordinator shard wiring without the quorum: leases in a real ClusterMembership
// on a ManualClock, the metadata image built by applying the planner's records as the quorum would.
#include "services/controller/coordinator_planner.h"

#include <map>
#include <string>

#include "gtest/gtest.h"
#include "services/controller/cluster_membership.h"
#include "services/controller/metadata_test_fixture.h"
#include "services/controller/offsets_topic.h"

namespace eddy::controller {
namespace {

using testing::MetadataFixture;

constexpr absl::Duration kLease = absl::Seconds(2);
constexpr int32_t kShards = 50;

class CoordinatorPlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int32_t id : {1, 2, 3}) f_.AddBroker(id);
    std::mt19937_64 random(1);
    ControllerOptions options;
    f_.Apply(CreateOffsetsTopic(f_.image(), options, random).records);
    ASSERT_EQ(GroupCoordinatorShards(f_.image()), kShards);
    planner_.StartLeading();
  }

  int64_t Register(int32_t id) {
    eddy::v1::RegisterMemberRequest request;
    request.set_role(eddy::v1::MEMBER_ROLE_COORDINATOR);
    request.set_member_id(id);
    request.set_incarnation_id("coordinator-" + std::to_string(id));
    auto response = membership_.Register(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? response->member_epoch() : -1;
  }

  void Heartbeat(int32_t id, int64_t epoch, bool shutting_down = false) {
    eddy::v1::HeartbeatRequest request;
    request.set_role(eddy::v1::MEMBER_ROLE_COORDINATOR);
    request.set_member_id(id);
    request.set_member_epoch(epoch);
    request.set_shutting_down(shutting_down);
    EXPECT_FALSE(membership_.Heartbeat(request).reregister());
  }

  // Plan runs one tick's planning on `planner` and applies the moves; returns how many moved.
  size_t Plan(const CoordinatorPlanner& planner) {
    membership_.ExpireLeases();
    auto result = planner.AssignShards(f_.image(), membership_.Members());
    EXPECT_EQ(result.records.size(), result.response.size());
    f_.Apply(result.records);
    return result.response.size();
  }
  size_t Plan() { return Plan(planner_); }

  std::map<int32_t, int> Loads() const {
    std::map<int32_t, int> loads;
    for (int32_t shard = 0; shard < kShards; ++shard) ++loads[Owner(shard).owner.value()];
    return loads;
  }

  CoordinatorShardOwner Owner(int32_t shard) const {
    return f_.image().coordinator_shards().at({eddy::v1::COORDINATOR_TYPE_GROUP, shard});
  }

  common::ManualClock clock_;
  ClusterMembership membership_{{.session_timeout = kLease}, clock_};
  CoordinatorPlanner planner_{kLease, clock_};
  MetadataFixture f_;
};

TEST_F(CoordinatorPlannerTest, NothingToPlaceBeforeTheOffsetsTopicExists) {
  MetadataFixture empty;
  Register(1);
  EXPECT_TRUE(planner_.AssignShards(empty.image(), membership_.Members()).records.empty());
}

TEST_F(CoordinatorPlannerTest, RegisteredCoordinatorsSplitTheShards) {
  EXPECT_EQ(Plan(), 0u) << "no coordinator yet";
  Register(1);
  EXPECT_EQ(Plan(), 50u);
  EXPECT_EQ(Loads(), (std::map<int32_t, int>{{1, 50}}));
  Register(2);
  EXPECT_EQ(Plan(), 25u) << "the second takes its share with the fewest moves";
  EXPECT_EQ(Loads(), (std::map<int32_t, int>{{1, 25}, {2, 25}}));
  EXPECT_EQ(Plan(), 0u) << "stable while nothing changes";
}

TEST_F(CoordinatorPlannerTest, AnExpiredCoordinatorsShardsMoveToTheSurvivorWithNewEpochs) {
  const int64_t one = Register(1);
  Register(2);
  Plan();
  std::map<int32_t, CoordinatorShardOwner> before;
  for (int32_t s = 0; s < kShards; ++s) before[s] = Owner(s);

  clock_.Advance(kLease - absl::Milliseconds(1));
  Heartbeat(1, one);
  EXPECT_EQ(Plan(), 0u) << "2's lease is still live";
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_EQ(Plan(), 25u);
  EXPECT_EQ(Loads(), (std::map<int32_t, int>{{1, 50}}));
  for (int32_t s = 0; s < kShards; ++s) {
    if (before[s].owner == NodeId(2)) {
      EXPECT_EQ(Owner(s).epoch, before[s].epoch + 1) << "shard " << s;
    } else {
      EXPECT_EQ(Owner(s), before[s]) << "shard " << s << " stays put";
    }
  }
}

TEST_F(CoordinatorPlannerTest, ACleanShutdownMovesShardsAtOnce) {
  Register(1);
  const int64_t two = Register(2);
  Plan();
  Heartbeat(2, two, /*shutting_down=*/true);
  EXPECT_EQ(Plan(), 25u);
  EXPECT_EQ(Loads(), (std::map<int32_t, int>{{1, 50}}));
}

TEST_F(CoordinatorPlannerTest, ANewLeaderGivesOwnersItHasNotHeardFromOneLease) {
  Register(1);
  Register(2);
  Plan();
  // Failover: the new leader's membership is empty until coordinators register again.
  membership_.Clear();
  CoordinatorPlanner new_leader(kLease, clock_);
  new_leader.StartLeading();
  EXPECT_EQ(Plan(new_leader), 0u) << "owners keep their shards while unheard of";
  const int64_t one = Register(1);
  clock_.Advance(kLease - absl::Milliseconds(1));
  Heartbeat(1, one);
  EXPECT_EQ(Plan(new_leader), 0u) << "2 may still re-register";
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_EQ(Plan(new_leader), 25u) << "2 never came back";
  EXPECT_EQ(Loads(), (std::map<int32_t, int>{{1, 50}}));
}

TEST_F(CoordinatorPlannerTest, AnOwnerKnownToBeShuttingDownGetsNoGrace) {
  Register(1);
  Register(2);
  Plan();
  membership_.Clear();
  CoordinatorPlanner new_leader(kLease, clock_);
  new_leader.StartLeading();
  Register(1);
  const int64_t two = Register(2);
  Heartbeat(2, two, /*shutting_down=*/true);
  EXPECT_EQ(Plan(new_leader), 25u);
  EXPECT_EQ(Loads(), (std::map<int32_t, int>{{1, 50}}));
}

TEST_F(CoordinatorPlannerTest, PlacementIsDeterministic) {
  Register(3);
  Register(1);
  Register(2);
  auto a = planner_.AssignShards(f_.image(), membership_.Members());
  CoordinatorPlanner other(kLease, clock_);
  auto b = other.AssignShards(f_.image(), membership_.Members());
  ASSERT_EQ(a.records.size(), b.records.size());
  for (size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(a.records[i].SerializeAsString(), b.records[i].SerializeAsString());
  }
}

}  // namespace
}  // namespace eddy::controller
