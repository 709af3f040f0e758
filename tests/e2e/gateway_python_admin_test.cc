// Acceptance 2 (admin half): /usr/bin/python3 with confluent-kafka and kafka-python create,
// list, grow and delete topics through the gateways (gateway_python_admin.py), and describe and
// alter topic configs.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kPython[] = "/usr/bin/python3";

TEST(GatewayPythonAdminTest, AdminClientsManageTopicsAndConfigs) {
  std::unique_ptr<LocalCluster> cluster = StartE2eCluster();
  ASSERT_NE(cluster, nullptr);
  EDDY_ASSERT_OK_AND_ASSIGN(
      ProcessResult result,
      RunProcess({kPython, std::string(EDDY_SOURCE_DIR) + "/tests/e2e/gateway_python_admin.py",
                  cluster->KafkaBootstrap(), "configs"},
                 {}, absl::Seconds(150)));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("all steps passed")) << result.out << result.err;
}

}  // namespace
}  // namespace eddy::testing
