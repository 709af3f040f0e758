// Issue 8, acceptance 1: confluent-kafka consumers in one group through the gateways
// (group_confluent.py): 3 members on 6 partitions get 2 each, a 4th joins, one is kill -9ed and one
// closes, their partitions move after the session timeout, every record is consumed at least once
// and committed offsets never go backwards. Once with the eager range assignor (every rebalance
// revokes everything) and once with cooperative-sticky (only moved partitions are revoked).
#include <iostream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;

void RunScenario(const std::string& strategy, const std::string& topic) {
  std::unique_ptr<LocalCluster> cluster = StartE2eCluster({.coordinators = 1});
  ASSERT_NE(cluster, nullptr);
  const std::string script = std::string(EDDY_SOURCE_DIR) + "/tests/e2e/group_confluent.py";
  EDDY_ASSERT_OK_AND_ASSIGN(
      ProcessResult result,
      RunProcess({"/usr/bin/python3", script, cluster->KafkaBootstrap(), strategy, topic,
                  cluster->data_dir()},
                 {}, absl::Seconds(150)));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("all steps passed")) << result.out << result.err;
  std::cout << result.out;
}

TEST(GroupConfluentTest, EagerRangeGroupRebalancesAndFailsOver) {
  RunScenario("range", "grp-range");
}

TEST(GroupConfluentTest, CooperativeStickyRevokesOnlyMovedPartitions) {
  RunScenario("cooperative-sticky", "grp-coop");
}

}  // namespace
}  // namespace eddy::testing
