// Acceptance 4: kill -9 one gateway during a 60 s produce/consume stream
// (gateway_failover_stream.py): the clients carry on through the other gateway and no acknowledged
// record is lost.
#include <filesystem>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;

TEST(GatewayFailoverTest, ClientsCarryOnThroughTheOtherGateway) {
  std::unique_ptr<LocalCluster> cluster = StartE2eCluster();
  ASSERT_NE(cluster, nullptr);
  const std::string progress = cluster->data_dir() + "/stream-progress";
  absl::StatusOr<ProcessResult> result;
  std::thread stream([&] {
    result = RunProcess({"/usr/bin/python3",
                         std::string(EDDY_SOURCE_DIR) + "/tests/e2e/gateway_failover_stream.py",
                         cluster->KafkaBootstrap(), "failover", "60", progress},
                        {}, absl::Seconds(300));
  });
  const bool streaming =
      WaitFor([&] { return std::filesystem::exists(progress); }, absl::Seconds(90));
  if (streaming) {
    EXPECT_THAT(cluster->Kill(Role::kGateway, 0), IsOk());
  }
  stream.join();
  ASSERT_TRUE(streaming) << "the stream never got going";
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0) << result->out << result->err;
  EXPECT_THAT(result->out, HasSubstr("all steps passed")) << result->out << result->err;
}

}  // namespace
}  // namespace eddy::testing
