// Acceptance 1 (metadata): kcat (librdkafka) -L through the gateways lists both gateways as the
// brokers, and a topic with its partitions, each led by a gateway.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;

TEST(GatewayKcatTest, ListsGatewaysTopicsAndPartitions) {
  std::unique_ptr<LocalCluster> cluster = StartE2eCluster();
  ASSERT_NE(cluster, nullptr);
  // Asking for a topic's metadata auto-creates it (auto.create.topics.enable); kcat -L -t keeps
  // asking until the partitions have leaders.
  std::string out;
  ASSERT_TRUE(WaitFor(
      [&] {
        absl::StatusOr<ProcessResult> result = RunProcess(
            {"/usr/bin/kcat", "-L", "-b", cluster->KafkaBootstrap(), "-t", "kcat-listed", "-m", "5"}, {},
            absl::Seconds(20));
        if (!result.ok()) {
          out = result.status().ToString();
          return false;
        }
        out = result->out + result->err;
        // Gateways learn of each other from the controller's member list within a poll or two.
        return result->exit_code == 0 && out.find("2 brokers:") != std::string::npos &&
               out.find("partition 0, leader") != std::string::npos &&
               out.find("Leader not available") == std::string::npos;
      },
      absl::Seconds(60)))
      << out;
  EXPECT_THAT(out, HasSubstr("2 brokers:"));
  EXPECT_THAT(out, HasSubstr("broker 1 at " + cluster->KafkaAddress(0)));
  EXPECT_THAT(out, HasSubstr("broker 2 at " + cluster->KafkaAddress(1)));
  EXPECT_THAT(out, HasSubstr("topic \"kcat-listed\" with"));
  // Every partition is presented as led by one of the two gateways.
  EXPECT_THAT(out, ::testing::AnyOf(HasSubstr("leader 1, replicas"), HasSubstr("leader 2, replicas")));

  // Through the second gateway, the whole listing shows the same brokers (once that gateway, too,
  // has polled the member list since the first one registered).
  std::string all;
  EXPECT_TRUE(WaitFor(
      [&] {
        absl::StatusOr<ProcessResult> result = RunProcess(
            {"/usr/bin/kcat", "-L", "-b", cluster->KafkaAddress(1), "-m", "5"}, {}, absl::Seconds(20));
        all = result.ok() ? result->out + result->err : result.status().ToString();
        return result.ok() && result->exit_code == 0 && all.find("2 brokers:") != std::string::npos;
      },
      absl::Seconds(30)))
      << all;
  EXPECT_THAT(all, HasSubstr("topic \"kcat-listed\""));
}

}  // namespace
}  // namespace eddy::testing
