// Acceptance 2: @kafkajs/confluent-schema-registry from npm (pinned in tests/clients/node,
// installed by ./dev with `npm ci`) registers AVRO, PROTOBUF and JSON schemas with references
// against a real eddy-registry and round-trips records through them (registry_node_client.js).
#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;

TEST(RegistryNodeClientTest, ConfluentSchemaRegistryClientEncodesAndDecodes) {
  const std::string modules = std::string(EDDY_SOURCE_DIR) + "/tests/clients/node/node_modules";
  ASSERT_TRUE(std::filesystem::exists(modules + "/@kafkajs/confluent-schema-registry"))
      << "the pinned Node.js clients are missing: run ./dev deps (npm ci in tests/clients/node)";
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
      RunProcess({"/usr/bin/node",
                  std::string(EDDY_SOURCE_DIR) + "/tests/integration/registry_node_client.js",
                  cluster.RegistryUrl()},
                 {"EDDY_NODE_MODULES=" + modules}, absl::Seconds(60)));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  for (const char* step : {"ok avro-with-reference", "ok protobuf-with-reference",
                           "ok json-with-reference", "ok json-validation", "all ok"}) {
    EXPECT_THAT(result.out, HasSubstr(step)) << result.out << result.err;
  }
}

}  // namespace
}  // namespace eddy::testing
