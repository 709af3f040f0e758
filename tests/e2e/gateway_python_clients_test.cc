// Acceptance 2 (data half): /usr/bin/python3 with confluent-kafka (acks=all, idempotence,
// murmur2_random) and kafka-python produce keyed records with headers and timestamps through the
// gateways, read them back with manual assignment and seek, and look up offsets by timestamp
// (gateway_python_clients.py); every key lands on libs/kafka's murmur2 partition. Neither Python
// client has DeleteRecords, so the test sends it over the wire itself and the Python consumer
// checks the new low watermark.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/kafka/messages/delete_records.h"
#include "services/gateway/testing/kafka_test_client.h"
#include "tests/e2e/e2e_cluster.h"
#include "tests/e2e/partition_check.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kPython[] = "/usr/bin/python3";
constexpr char kTopic[] = "py-data";

TEST(GatewayPythonClientsTest, ProduceConsumeSeekOffsetsForTimesDeleteRecords) {
  std::unique_ptr<LocalCluster> cluster = StartE2eCluster();
  ASSERT_NE(cluster, nullptr);
  const std::string script = std::string(EDDY_SOURCE_DIR) + "/tests/e2e/gateway_python_clients.py";
  EDDY_ASSERT_OK_AND_ASSIGN(
      ProcessResult produced,
      RunProcess({kPython, script, cluster->KafkaBootstrap(), "produce", kTopic}, {},
                 absl::Seconds(150)));
  ASSERT_EQ(produced.exit_code, 0) << produced.out << produced.err;
  ASSERT_THAT(produced.out, HasSubstr("all steps passed")) << produced.out << produced.err;
  EXPECT_EQ(CheckPartitions(produced.out, "confluent", 6), 120);
  EXPECT_EQ(CheckPartitions(produced.out, "kafka-python", 6), 120);

  // DeleteRecords v2 through the second gateway: partition 0 up to offset 2.
  gateway::testing::KafkaTestClient client(cluster->KafkaPort(1));
  kafka::DeleteRecordsRequest request;
  request.timeout_ms = 30000;
  auto& topic = request.topics.emplace_back();
  topic.name = kTopic;
  topic.partitions.push_back({.partition_index = 0, .offset = 2});
  ASSERT_TRUE(client.Send(request, 2, 11));
  std::optional<std::string> frame = client.ReadFrame(absl::Seconds(60));
  ASSERT_TRUE(frame.has_value());
  kafka::Reader reader(frame->data(), frame->size());
  ASSERT_TRUE(kafka::DecodeResponseHeader(reader, 21, 2).ok());
  kafka::DeleteRecordsResponse response;
  EDDY_ASSERT_OK(response.Decode(reader, 2));
  ASSERT_EQ(response.topics.size(), 1u);
  ASSERT_EQ(response.topics[0].partitions.size(), 1u);
  EXPECT_EQ(response.topics[0].partitions[0].error_code, 0);
  EXPECT_EQ(response.topics[0].partitions[0].low_watermark, 2);

  EDDY_ASSERT_OK_AND_ASSIGN(
      ProcessResult checked,
      RunProcess({kPython, script, cluster->KafkaBootstrap(), "check-deleted", kTopic, "2"}, {},
                 absl::Seconds(60)));
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_THAT(checked.out, HasSubstr("all steps passed")) << checked.out << checked.err;
}

}  // namespace
}  // namespace eddy::testing
