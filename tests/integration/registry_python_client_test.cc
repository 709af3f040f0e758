// Acceptance 1 (registry half): /usr/bin/python3 with Debian's confluent-kafka 1.7
// SchemaRegistryClient drives a real eddy-registry (registry_python_client.py).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kPython[] = "/usr/bin/python3";

TEST(RegistryPythonClientTest, SchemaRegistryClientRoundTrips) {
  EDDY_ASSERT_OK_AND_ASSIGN(
      ProcessResult probe,
      RunProcess({kPython, "-c", "import confluent_kafka.schema_registry"}, {}, absl::Seconds(30)));
  if (probe.exit_code != 0) {
    GTEST_SKIP() << "python3-confluent-kafka and python3-requests are needed: " << probe.err;
  }
  LocalClusterOptions options;
  options.bin_dir = EDDY_BIN_DIR;
  options.brokers = 0;
  options.coordinators = 0;
  options.gateways = 0;
  options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
  LocalCluster cluster(options);
  EDDY_ASSERT_OK(cluster.Start());

  EDDY_ASSERT_OK_AND_ASSIGN(
      ProcessResult result,
      RunProcess({kPython, std::string(EDDY_SOURCE_DIR) + "/tests/integration/registry_python_client.py",
                  cluster.RegistryUrl()},
                 {}, absl::Seconds(120)));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("all steps passed")) << result.out << result.err;
}

}  // namespace
}  // namespace eddy::testing
