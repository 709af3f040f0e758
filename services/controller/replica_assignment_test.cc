#include "services/controller/replica_assignment.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace eddy::controller {
namespace {

using eddy::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<BrokerId> Ids(std::initializer_list<int32_t> ids) {
  std::vector<BrokerId> out;
  for (int32_t id : ids) out.emplace_back(id);
  return out;
}

std::vector<BrokerPlacement> Brokers(int n, int racks) {
  std::vector<BrokerPlacement> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({BrokerId(i), racks == 0 ? "" : "rack" + std::to_string(i % racks)});
  }
  return out;
}

// The placement in the comment of Kafka's AdminUtils.assignReplicasToBrokers (5 brokers, 10
// partitions, 3 replicas, start index and shift 0).
TEST(ReplicaAssignmentTest, MatchesKafkasDocumentedRackUnawarePlacement) {
  EDDY_ASSERT_OK_AND_ASSIGN(auto placement,
                            AssignReplicas(Brokers(5, 0), 10, 3, {.fixed_start_index = 0}));
  ASSERT_EQ(placement.size(), 10u);
  EXPECT_EQ(placement[0], Ids({0, 1, 2}));
  EXPECT_EQ(placement[4], Ids({4, 0, 1}));
  EXPECT_EQ(placement[5], Ids({0, 2, 3}));
  EXPECT_EQ(placement[9], Ids({4, 1, 2}));
}

// Kafka's AdminRackAwareTest.testGetRackAlternatedBrokerListAndAssignReplicasToBrokers.
TEST(ReplicaAssignmentTest, MatchesKafkasRackAwarePlacement) {
  std::vector<BrokerPlacement> brokers = {{BrokerId(0), "rack1"}, {BrokerId(1), "rack3"},
                                          {BrokerId(2), "rack3"}, {BrokerId(3), "rack2"},
                                          {BrokerId(4), "rack2"}, {BrokerId(5), "rack1"}};
  std::vector<BrokerId> alternated;
  for (const BrokerPlacement& b : RackAlternatedBrokers(brokers)) alternated.push_back(b.id);
  EXPECT_EQ(alternated, Ids({0, 3, 1, 5, 4, 2}));

  EDDY_ASSERT_OK_AND_ASSIGN(auto placement,
                            AssignReplicas(brokers, 7, 3, {.fixed_start_index = 0}));
  EXPECT_THAT(placement, ElementsAre(Ids({0, 3, 1}), Ids({3, 1, 5}), Ids({1, 5, 4}), Ids({5, 4, 2}),
                                     Ids({4, 2, 0}), Ids({2, 0, 3}), Ids({0, 4, 2})));
}

TEST(ReplicaAssignmentTest, SpreadsReplicasAndLeadersEvenlyAcrossRacks) {
  for (uint64_t seed : {1u, 2u, 3u, 99u}) {
    EDDY_ASSERT_OK_AND_ASSIGN(auto placement,
                              AssignReplicas(Brokers(6, 3), 600, 3, {.seed = seed}));
    std::map<BrokerId, int> replicas;
    std::map<BrokerId, int> leaders;
    for (const auto& p : placement) {
      ASSERT_EQ(p.size(), 3u);
      std::set<int32_t> racks;
      std::set<BrokerId> distinct(p.begin(), p.end());
      EXPECT_EQ(distinct.size(), 3u);
      for (BrokerId b : p) {
        racks.insert(b.value() % 3);
        ++replicas[b];
      }
      EXPECT_EQ(racks.size(), 3u) << "every partition spans all racks";
      ++leaders[p.front()];
    }
    for (int b = 0; b < 6; ++b) {
      EXPECT_EQ(replicas[BrokerId(b)], 300) << "broker " << b << " seed " << seed;
      EXPECT_EQ(leaders[BrokerId(b)], 100) << "broker " << b << " seed " << seed;
    }
  }
}

TEST(ReplicaAssignmentTest, UnevenRacksStillGetEveryRackBeforeRepeating) {
  // Two racks of 3 and 1 brokers: each partition with 2 replicas must use both racks.
  std::vector<BrokerPlacement> brokers = {
      {BrokerId(1), "a"}, {BrokerId(2), "a"}, {BrokerId(3), "a"}, {BrokerId(4), "b"}};
  EDDY_ASSERT_OK_AND_ASSIGN(auto placement, AssignReplicas(brokers, 40, 2, {.seed = 7}));
  for (const auto& p : placement) {
    EXPECT_TRUE(p[0] == BrokerId(4) || p[1] == BrokerId(4)) << p[0] << "," << p[1];
  }
}

TEST(ReplicaAssignmentTest, DeterministicForASeedAndVariesAcrossSeeds) {
  EDDY_ASSERT_OK_AND_ASSIGN(auto a, AssignReplicas(Brokers(7, 0), 20, 3, {.seed = 5}));
  EDDY_ASSERT_OK_AND_ASSIGN(auto b, AssignReplicas(Brokers(7, 0), 20, 3, {.seed = 5}));
  EXPECT_EQ(a, b);
  std::set<BrokerId> first_leaders;
  for (uint64_t seed = 0; seed < 30; ++seed) {
    EDDY_ASSERT_OK_AND_ASSIGN(auto p, AssignReplicas(Brokers(7, 0), 1, 3, {.seed = seed}));
    first_leaders.insert(p[0][0]);
  }
  EXPECT_GT(first_leaders.size(), 3u) << "the start index should depend on the seed";
}

TEST(ReplicaAssignmentTest, ContinuesFromStartPartition) {
  EDDY_ASSERT_OK_AND_ASSIGN(auto all,
                            AssignReplicas(Brokers(5, 0), 10, 3, {.fixed_start_index = 0}));
  EDDY_ASSERT_OK_AND_ASSIGN(
      auto tail,
      AssignReplicas(Brokers(5, 0), 4, 3, {.start_partition = 6, .fixed_start_index = 0}));
  // As in Kafka, leaders continue the round robin; the follower shift restarts (it is only bumped
  // for partitions placed in this call), so only the first replicas line up.
  ASSERT_EQ(tail.size(), 4u);
  for (size_t i = 0; i < tail.size(); ++i) EXPECT_EQ(tail[i][0], all[6 + i][0]) << i;
  EXPECT_EQ(tail[0], Ids({1, 2, 3}));
}

TEST(ReplicaAssignmentTest, PartialRackInformationIsIgnored) {
  std::vector<BrokerPlacement> brokers = {
      {BrokerId(0), "a"}, {BrokerId(1), ""}, {BrokerId(2), "b"}};
  EDDY_ASSERT_OK_AND_ASSIGN(auto placement,
                            AssignReplicas(brokers, 3, 3, {.fixed_start_index = 0}));
  EXPECT_EQ(placement[0], Ids({0, 1, 2}));
}

TEST(ReplicaAssignmentTest, RejectsImpossibleRequestsWithKafkasMessages) {
  EXPECT_THAT(AssignReplicas(Brokers(2, 0), 1, 3, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Replication factor: 3 larger than available brokers: 2.")));
  EXPECT_THAT(AssignReplicas(Brokers(2, 0), 0, 1, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("partitions")));
  EXPECT_THAT(AssignReplicas(Brokers(2, 0), 1, 0, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Replication factor")));
  EXPECT_THAT(AssignReplicas({}, 1, 1, {}), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace eddy::controller
