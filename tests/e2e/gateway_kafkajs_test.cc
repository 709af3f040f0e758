// Issue 7, acceptance 3: kafkajs from npm (pinned in tests/e2e/package.json; ./dev test runs
// `npm ci` there) creates a topic, fetches its metadata, produces and consumes from the beginning
// in a consumer group. Issue 8, acceptance 2 (kafkajs half): a group commits, a restarted member
// resumes at the committed offsets, admin describe/list show it, fromBeginning false is "latest".
#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_cluster.h"
#include "tests/e2e/partition_check.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;

ProcessResult RunKafkajs(const std::string& mode) {
  const std::string dir = std::string(EDDY_SOURCE_DIR) + "/tests/e2e";
  EXPECT_TRUE(std::filesystem::exists(dir + "/node_modules/kafkajs"))
      << "kafkajs is not installed: run `npm ci` in tests/e2e (./dev test does)";
  std::unique_ptr<LocalCluster> cluster = StartE2eCluster({.coordinators = 1});
  if (cluster == nullptr) return ProcessResult{.exit_code = -1};
  absl::StatusOr<ProcessResult> result =
      RunProcess({"/usr/bin/node", dir + "/kafkajs_client.js", cluster->KafkaBootstrap(), mode},
                 {"NODE_PATH=" + dir + "/node_modules"}, absl::Seconds(150));
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : ProcessResult{.exit_code = -1};
}

TEST(GatewayKafkajsTest, AdminKeyedProduceAndConsumeFromBeginning) {
  ProcessResult result = RunKafkajs("consume");
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("all steps passed")) << result.out << result.err;
  // kafkajs's default partitioner picks libs/kafka's murmur2 partition for every key.
  EXPECT_EQ(CheckPartitions(result.out, "kafkajs", 3), 100);
}

TEST(GatewayKafkajsTest, GroupResumesAtCommittedOffsetsAndLatestSkipsOldRecords) {
  ProcessResult result = RunKafkajs("group");
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("all steps passed")) << result.out << result.err;
}

}  // namespace
}  // namespace eddy::testing
