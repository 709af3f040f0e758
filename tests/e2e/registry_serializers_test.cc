// Issue 9, acceptance 1 (serializer half): confluent-kafka's JSONSerializer and ProtobufSerializer
// round-trip records through Eddy — schemas registered in eddy-registry, records through the
// gateways and brokers (registry_serializers.py).
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;

TEST(RegistrySerializersTest, JsonAndProtobufRoundTripThroughTheGateway) {
  std::unique_ptr<LocalCluster> cluster = StartE2eCluster({.registries = 1});
  ASSERT_NE(cluster, nullptr);
  const std::string script = std::string(EDDY_SOURCE_DIR) + "/tests/e2e/registry_serializers.py";
  EDDY_ASSERT_OK_AND_ASSIGN(
      ProcessResult result,
      RunProcess({"/usr/bin/python3", script, cluster->KafkaBootstrap(), cluster->RegistryUrl()},
                 {}, absl::Seconds(150)));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("all steps passed")) << result.out << result.err;
}

}  // namespace
}  // namespace eddy::testing
