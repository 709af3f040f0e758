#include "services/controller/coordinator_shards.h"

#include <map>

#include "gtest/gtest.h"
#include "services/controller/metadata_test_fixture.h"

namespace eddy::controller {
namespace {

using testing::MetadataFixture;

constexpr auto kGroup = eddy::v1::COORDINATOR_TYPE_GROUP;

std::vector<NodeId> Nodes(std::initializer_list<int32_t> ids) {
  std::vector<NodeId> out;
  for (int32_t id : ids) out.emplace_back(id);
  return out;
}

class CoordinatorShardsTest : public ::testing::Test {
 protected:
  size_t Assign(std::vector<NodeId> live) {
    auto result = AssignCoordinatorShards(f_.image(), kGroup, kDefaultCoordinatorShards, live);
    EXPECT_EQ(result.records.size(), result.response.size());
    f_.Apply(result.records);
    return result.response.size();
  }

  std::map<NodeId, int> Loads() {
    std::map<NodeId, int> loads;
    for (int32_t shard = 0; shard < kDefaultCoordinatorShards; ++shard) {
      ++loads[Owner(shard).owner];
    }
    return loads;
  }

  CoordinatorShardOwner Owner(int32_t shard) {
    return f_.image().coordinator_shards().at(CoordinatorShardKey{kGroup, shard});
  }

  MetadataFixture f_;
};

TEST_F(CoordinatorShardsTest, SpreadsShardsEvenly) {
  EXPECT_EQ(Assign(Nodes({1, 2, 3})), 50u);
  std::map<NodeId, int> loads = Loads();
  EXPECT_EQ(loads.size(), 3u);
  for (const auto& [node, load] : loads) EXPECT_TRUE(load == 16 || load == 17) << load;
  EXPECT_EQ(Assign(Nodes({1, 2, 3})), 0u) << "stable when nothing changes";
}

TEST_F(CoordinatorShardsTest, ReassignsOnlyTheShardsOfAFailedCoordinator) {
  Assign(Nodes({1, 2, 3}));
  std::map<int32_t, CoordinatorShardOwner> before;
  for (int32_t s = 0; s < kDefaultCoordinatorShards; ++s) before[s] = Owner(s);
  const size_t orphaned = static_cast<size_t>(Loads()[NodeId(2)]);
  EXPECT_EQ(Assign(Nodes({1, 3})), orphaned);
  for (int32_t s = 0; s < kDefaultCoordinatorShards; ++s) {
    if (before[s].owner == NodeId(2)) {
      EXPECT_NE(Owner(s).owner, NodeId(2));
      EXPECT_EQ(Owner(s).epoch, before[s].epoch + 1) << "a move fences the old owner";
    } else {
      EXPECT_EQ(Owner(s), before[s]) << "shard " << s << " must stay put";
    }
  }
  EXPECT_EQ(Loads()[NodeId(1)], 25);
  EXPECT_EQ(Loads()[NodeId(3)], 25);
}

TEST_F(CoordinatorShardsTest, AJoiningCoordinatorTakesItsShareWithMinimalMoves) {
  Assign(Nodes({1, 2}));
  EXPECT_EQ(Assign(Nodes({1, 2, 3})), 16u);
  std::map<NodeId, int> loads = Loads();
  EXPECT_EQ(loads[NodeId(3)], 16);
  EXPECT_EQ(loads[NodeId(1)] + loads[NodeId(2)], 34);
}

TEST_F(CoordinatorShardsTest, NoLiveCoordinatorLeavesShardsUnowned) {
  Assign(Nodes({1}));
  EXPECT_EQ(Assign({}), 50u);
  EXPECT_EQ(Loads()[NodeId(-1)], 50);
  EXPECT_EQ(Assign({}), 0u);
}

}  // namespace
}  // namespace eddy::controller
