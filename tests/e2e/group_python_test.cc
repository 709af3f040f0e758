// Issue 8, acceptances 2 (kafka-python half) and 4: kafka-python group consumers through the
// gateways join, consume and commit, resume at the committed offsets after a restart, and follow
// auto_offset_reset earliest/latest/none as with Kafka; kafka-python's and confluent-kafka's admin
// clients list and describe the group with its member and assignment (group_python.py).
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

TEST(GroupPythonTest, KafkaPythonGroupsResumeAndAdminClientsDescribeThem) {
  std::unique_ptr<LocalCluster> cluster = StartE2eCluster({.coordinators = 1});
  ASSERT_NE(cluster, nullptr);
  const std::string script = std::string(EDDY_SOURCE_DIR) + "/tests/e2e/group_python.py";
  EDDY_ASSERT_OK_AND_ASSIGN(
      ProcessResult result,
      RunProcess({"/usr/bin/python3", script, cluster->KafkaBootstrap()}, {}, absl::Seconds(150)));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("all steps passed")) << result.out << result.err;
  std::cout << result.out;
}

}  // namespace
}  // namespace eddy::testing
