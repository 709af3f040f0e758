// KafkaDispatcher and the handlers against an in-memory cluster view and a scripted broker data
// path: ApiVersions negotiation, Metadata presenting gateways, and Produce/Fetch fanned out to
// leaders and merged back in the client's order.
#include "services/gateway/kafka_dispatcher.h"

#include <deque>
#include <map>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/api_versions.h"
#include "libs/kafka/messages/fetch.h"
#include "libs/kafka/messages/find_coordinator.h"
#include "libs/kafka/messages/metadata.h"
#include "libs/kafka/messages/produce.h"
#include "libs/kafka/partitioner.h"
#include "services/gateway/api_support.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/testing/fixed_cluster.h"
#include "services/gateway/testing/kafka_test_client.h"
#include "tests/testing/status_matchers.h"

namespace eddy::gateway {
namespace {

using kafka::ErrorCode;
using kafka::ToInt;

using testing::FixedView;
using testing::ScriptedBrokers;
using testing::TwoGatewaysOneTopic;

class KafkaDispatcherTest : public ::testing::Test {
 protected:
  KafkaDispatcherTest() : source_(TwoGatewaysOneTopic()) {
    context_.metadata = &source_;
    context_.brokers = &brokers_;
    context_.config.auto_create_topics_enable = false;
  }

  // Call dispatches one request and returns the response payload (after the size) once complete.
  template <typename Request>
  absl::StatusOr<std::optional<std::string>> Dispatch(const Request& request, int16_t version,
                                                      int32_t correlation_id = 42) {
    std::string frame = testing::KafkaTestClient::Frame(request, version, correlation_id);
    auto payload = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(frame.data()) + 4,
                                            frame.size() - 4);
    absl::Status status = dispatcher_.Dispatch(client_, payload, [this](ResponseFrame f) {
      absl::MutexLock lock(&mu_);
      result_ = std::move(f);
    });
    if (!status.ok()) return status;
    return absl::StatusOr<std::optional<std::string>>(std::nullopt);
  }

  std::optional<ResponseFrame> Result() {
    absl::MutexLock lock(&mu_);
    return std::exchange(result_, std::nullopt);
  }

  // Decoded returns the completed response decoded at `version` (header skipped).
  template <typename Response>
  Response Decoded(int16_t version) {
    std::optional<ResponseFrame> frame = Result();
    EXPECT_TRUE(frame.has_value());
    EXPECT_TRUE(frame->ok());
    EXPECT_TRUE(frame->value().has_value());
    const std::string bytes = frame->value()->Flatten();
    EXPECT_GE(bytes.size(), 4u);
    kafka::Reader size_reader(reinterpret_cast<const uint8_t*>(bytes.data()), 4);
    int32_t size = -1;
    EXPECT_THAT(size_reader.Int32(size, "size"), eddy::testing::IsOk());
    EXPECT_EQ(static_cast<size_t>(size), bytes.size() - 4);
    kafka::Reader reader(reinterpret_cast<const uint8_t*>(bytes.data()) + 4, bytes.size() - 4);
    EXPECT_THAT(kafka::DecodeResponseHeader(reader, Response::kApiKey, version).status(),
                eddy::testing::IsOk());
    Response response;
    EXPECT_THAT(response.Decode(reader, version), eddy::testing::IsOk());
    EXPECT_EQ(reader.remaining(), 0u);
    return response;
  }

  FixedView source_;
  ScriptedBrokers brokers_;
  GatewayContext context_;
  KafkaDispatcher dispatcher_{context_};
  ClientInfo client_;
  absl::Mutex mu_;
  std::optional<ResponseFrame> result_ ABSL_GUARDED_BY(mu_);
};

TEST_F(KafkaDispatcherTest, ApiVersionsListsTheSupportedApisAndRecordsTheClient) {
  kafka::ApiVersionsRequest request;
  request.client_software_name = "librdkafka";
  request.client_software_version = "2.0.2";
  ASSERT_TRUE(Dispatch(request, 3).ok());
  auto response = Decoded<kafka::ApiVersionsResponse>(3);
  EXPECT_EQ(response.error_code, 0);
  EXPECT_EQ(response.api_keys.size(), SupportedApis().size());
  EXPECT_EQ(client_.software_name, "librdkafka");
  EXPECT_EQ(client_.software_version, "2.0.2");
  bool produce_from_zero = false;
  for (const auto& key : response.api_keys) {
    if (key.api_key == 0) produce_from_zero = key.min_version == 0;
  }
  EXPECT_TRUE(produce_from_zero);  // librdkafka's compression probe needs Produce v0 listed
}

TEST_F(KafkaDispatcherTest, ApiVersionsAboveTheMaximumGetsTheV0Fallback) {
  // Hand-built: ApiVersions v9 with a flexible header and an unparsable body.
  std::string frame;
  const size_t start = kafka::BeginFrame(frame);
  kafka::Writer writer(&frame);
  ASSERT_TRUE(kafka::EncodeRequestHeader(
                  {.api_key = 18, .api_version = 9, .correlation_id = 77, .client_id = "x"}, writer)
                  .ok());
  frame += "garbage";
  ASSERT_TRUE(kafka::EndFrame(frame, start).ok());
  ASSERT_TRUE(dispatcher_
                  .Dispatch(client_,
                            std::span<const uint8_t>(
                                reinterpret_cast<const uint8_t*>(frame.data()) + 4, frame.size() - 4),
                            [this](ResponseFrame f) {
                              absl::MutexLock lock(&mu_);
                              result_ = std::move(f);
                            })
                  .ok());
  std::optional<ResponseFrame> result = Result();
  ASSERT_TRUE(result.has_value() && result->ok() && result->value().has_value());
  // size 16 | correlation 77 | error 35 | one entry: key 18, 0..4 (kafka-protocol.md §2.5)
  EXPECT_EQ(result->value()->Flatten(),
            std::string("\x00\x00\x00\x10\x00\x00\x00\x4d\x00\x23\x00\x00\x00\x01"
                        "\x00\x12\x00\x00\x00\x04",
                        20));
}

TEST_F(KafkaDispatcherTest, InvalidSoftwareNameIsInvalidRequest) {
  kafka::ApiVersionsRequest request;
  request.client_software_name = "-bad name";
  request.client_software_version = "1";
  ASSERT_TRUE(Dispatch(request, 3).ok());
  EXPECT_EQ(Decoded<kafka::ApiVersionsResponse>(3).error_code, ToInt(ErrorCode::kInvalidRequest));
}

TEST_F(KafkaDispatcherTest, UnsupportedVersionsAndUnknownKeysClose) {
  kafka::ProduceRequest produce;
  EXPECT_FALSE(Dispatch(produce, 2).ok());  // Produce < 3: legacy message sets
  kafka::FetchRequest fetch;
  EXPECT_FALSE(Dispatch(fetch, 13).ok());  // Fetch by topic id is not served
  std::string frame("\x00\x00\x00\x0e\x03\xe7\x00\x00\x00\x00\x00\x01\xff\xff", 14);  // key 999
  EXPECT_FALSE(dispatcher_
                   .Dispatch(client_,
                             std::span<const uint8_t>(
                                 reinterpret_cast<const uint8_t*>(frame.data()) + 4, 10),
                             [](ResponseFrame) {})
                   .ok());
}

TEST_F(KafkaDispatcherTest, MetadataPresentsGatewaysAsBrokers) {
  kafka::MetadataRequest request;
  request.topics.emplace();
  request.topics->push_back({.name = std::string("t")});
  request.topics->push_back({.name = std::string("missing")});
  ASSERT_TRUE(Dispatch(request, 9).ok());
  auto response = Decoded<kafka::MetadataResponse>(9);
  ASSERT_EQ(response.brokers.size(), 2u);
  EXPECT_EQ(response.brokers[0].node_id, 1);
  EXPECT_EQ(response.brokers[0].port, 9001);
  EXPECT_EQ(response.brokers[1].node_id, 2);
  EXPECT_EQ(response.cluster_id, "cluster-x");
  EXPECT_EQ(response.controller_id, 1);
  ASSERT_EQ(response.topics.size(), 2u);
  const auto& t = response.topics[0];
  ASSERT_EQ(t.partitions.size(), 3u);
  std::set<int32_t> leaders;
  for (const auto& p : t.partitions) {
    EXPECT_EQ(p.error_code, 0);
    EXPECT_EQ(p.leader_epoch, 3);
    EXPECT_EQ(p.replica_nodes.size(), 2u);
    EXPECT_EQ(p.replica_nodes.front(), p.leader_id);
    leaders.insert(p.leader_id);
  }
  EXPECT_EQ(leaders, (std::set<int32_t>{1, 2}));  // spread over both gateways
  EXPECT_EQ(response.topics[1].error_code, ToInt(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(KafkaDispatcherTest, FindCoordinatorNamesAGatewayForTransactionsAndWaitsForGroupShards) {
  kafka::FindCoordinatorRequest request;
  request.key = "txn-a";
  request.key_type = 1;
  ASSERT_TRUE(Dispatch(request, 1).ok());
  auto response = Decoded<kafka::FindCoordinatorResponse>(1);
  EXPECT_EQ(response.error_code, 0);
  EXPECT_TRUE(response.node_id == 1 || response.node_id == 2);
  // No __consumer_offsets in this cluster: a group cannot be served yet
  // (group_handlers_test.cc covers the routed case).
  request.key = "group-a";
  request.key_type = 0;
  ASSERT_TRUE(Dispatch(request, 1).ok());
  response = Decoded<kafka::FindCoordinatorResponse>(1);
  EXPECT_EQ(response.error_code, ToInt(ErrorCode::kCoordinatorNotAvailable));
  EXPECT_EQ(response.node_id, -1);
}

kafka::ProduceRequest ProduceToPartitions(std::vector<int32_t> partitions) {
  kafka::ProduceRequest request;
  request.acks = -1;
  request.timeout_ms = 1000;
  auto& topic = request.topic_data.emplace_back();
  topic.name = "t";
  for (int32_t p : partitions) {
    topic.partition_data.push_back({.index = p, .records = "batch-" + std::to_string(p)});
  }
  auto& unknown = request.topic_data.emplace_back();
  unknown.name = "nope";
  unknown.partition_data.push_back({.index = 0, .records = std::string("x")});
  return request;
}

TEST_F(KafkaDispatcherTest, ProduceFansOutOneMessagePerBrokerAndMergesInClientOrder) {
  ASSERT_TRUE(Dispatch(ProduceToPartitions({2, 1, 0}), 9).ok());
  std::deque<ScriptedBrokers::Sent> sent = brokers_.Take();
  ASSERT_EQ(sent.size(), 2u);  // brokers 10 (partitions 2, 0) and 11 (partition 1)
  EXPECT_FALSE(Result().has_value());
  // Broker 11 answers first; broker 10's stream then breaks.
  for (auto& s : sent) {
    if (s.broker == 11) {
      ASSERT_EQ(s.request.produce().partitions_size(), 1);
      EXPECT_EQ(s.request.produce().partitions(0).records(), "batch-1");
      EXPECT_EQ(s.request.produce().acks(), -1);
      eddy::v1::DataResponse answer;
      auto* r = answer.mutable_produce()->add_results();
      r->mutable_partition()->set_topic("t");
      r->mutable_partition()->set_partition(1);
      r->set_base_offset(100);
      s.callback(answer);
    }
  }
  EXPECT_FALSE(Result().has_value());
  for (auto& s : sent) {
    if (s.broker == 10) {
      ASSERT_EQ(s.request.produce().partitions_size(), 2);
      s.callback(absl::UnavailableError("stream broke"));
    }
  }
  auto response = Decoded<kafka::ProduceResponse>(9);
  ASSERT_EQ(response.responses.size(), 2u);
  const auto& parts = response.responses[0].partition_responses;
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].index, 2);
  EXPECT_EQ(parts[0].error_code, ToInt(ErrorCode::kNotLeaderOrFollower));
  EXPECT_EQ(parts[1].index, 1);
  EXPECT_EQ(parts[1].error_code, 0);
  EXPECT_EQ(parts[1].base_offset, 100);
  EXPECT_EQ(parts[2].index, 0);
  EXPECT_EQ(parts[2].error_code, ToInt(ErrorCode::kNotLeaderOrFollower));
  EXPECT_EQ(response.responses[1].partition_responses[0].error_code,
            ToInt(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(KafkaDispatcherTest, ProduceWithAcksZeroHasNoResponse) {
  kafka::ProduceRequest request = ProduceToPartitions({0});
  request.acks = 0;
  ASSERT_TRUE(Dispatch(request, 9).ok());
  std::optional<ResponseFrame> result = Result();
  ASSERT_TRUE(result.has_value() && result->ok());
  EXPECT_FALSE(result->value().has_value());
  EXPECT_EQ(brokers_.Take().size(), 1u);
}

TEST_F(KafkaDispatcherTest, InvalidAcksIsAnErrorPerPartition) {
  kafka::ProduceRequest request = ProduceToPartitions({0});
  request.acks = 2;
  ASSERT_TRUE(Dispatch(request, 7).ok());
  auto response = Decoded<kafka::ProduceResponse>(7);
  EXPECT_EQ(response.responses[0].partition_responses[0].error_code,
            ToInt(ErrorCode::kInvalidRequiredAcks));
  EXPECT_TRUE(brokers_.Take().empty());
}

TEST_F(KafkaDispatcherTest, FetchPassesRecordBytesThroughAndCarriesTheLongPoll) {
  kafka::FetchRequest request;
  request.max_wait_ms = 500;
  request.min_bytes = 1;
  request.max_bytes = 1 << 20;
  auto& topic = request.topics.emplace_back();
  topic.topic = "t";
  topic.partitions.push_back({.partition = 1, .fetch_offset = 5, .partition_max_bytes = 1024});
  ASSERT_TRUE(Dispatch(request, 11).ok());
  std::deque<ScriptedBrokers::Sent> sent = brokers_.Take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].broker, 11);
  EXPECT_EQ(sent[0].request.fetch().max_wait_ms(), 500);
  EXPECT_EQ(sent[0].request.fetch().replica_id(), -1);
  EXPECT_EQ(sent[0].request.fetch().partitions(0).fetch_offset(), 5);
  eddy::v1::DataResponse answer;
  auto* r = answer.mutable_fetch()->add_results();
  r->mutable_partition()->set_topic("t");
  r->mutable_partition()->set_partition(1);
  r->set_high_watermark(9);
  r->set_records(std::string("\x00\x01raw batch bytes", 17));
  sent[0].callback(answer);
  auto response = Decoded<kafka::FetchResponse>(11);
  ASSERT_EQ(response.responses.size(), 1u);
  const auto& p = response.responses[0].partitions[0];
  EXPECT_EQ(p.error_code, 0);
  EXPECT_EQ(p.high_watermark, 9);
  EXPECT_EQ(*p.records, std::string("\x00\x01raw batch bytes", 17));
  EXPECT_EQ(response.session_id, 0);
}

// Fetched records reach the client from the brokers' answers: the frame carries them as splices
// (one per partition with records at least Responder::kSpliceMinBytes long), not copies, at a
// classic and at a flexible (compact records) version, with partitions from two brokers.
TEST_F(KafkaDispatcherTest, FetchWritesLargeRecordsFromTheBrokersAnswers) {
  for (int16_t version : {4, 12}) {
    SCOPED_TRACE(version);
    kafka::FetchRequest request;
    request.max_wait_ms = 100;
    request.min_bytes = 1;
    request.max_bytes = 50 << 20;
    auto& topic = request.topics.emplace_back();
    topic.topic = "t";
    for (int32_t p : {0, 1, 2}) {
      topic.partitions.push_back(
          {.partition = p, .fetch_offset = 0, .partition_max_bytes = 1 << 20});
    }
    ASSERT_TRUE(Dispatch(request, version).ok());
    std::deque<ScriptedBrokers::Sent> sent = brokers_.Take();
    ASSERT_EQ(sent.size(), 2u);
    std::map<int32_t, std::string> records = {{0, std::string(300000, 'a')},
                                              {1, std::string(Responder::kSpliceMinBytes, 'b')},
                                              {2, "small"}};
    for (ScriptedBrokers::Sent& s : sent) {
      eddy::v1::DataResponse answer;
      for (const auto& fp : s.request.fetch().partitions()) {
        auto* r = answer.mutable_fetch()->add_results();
        *r->mutable_partition() = fp.partition();
        r->set_high_watermark(1000 + fp.partition().partition());
        r->set_records(records[fp.partition().partition()]);
      }
      s.callback(answer);
    }
    std::optional<ResponseFrame> frame = Result();
    ASSERT_TRUE(frame.has_value() && frame->ok() && frame->value().has_value());
    const OutboundFrame& out = frame->value().value();
    ASSERT_EQ(out.splices.size(), 2u);
    EXPECT_EQ(out.splices[0].bytes, records[0]);
    EXPECT_EQ(out.splices[1].bytes, records[1]);
    EXPECT_LT(out.encoded.size(), 200u);
    {
      absl::MutexLock lock(&mu_);
      result_ = std::move(*frame);
    }
    auto response = Decoded<kafka::FetchResponse>(version);
    ASSERT_EQ(response.responses.size(), 1u);
    ASSERT_EQ(response.responses[0].partitions.size(), 3u);
    for (int32_t p : {0, 1, 2}) {
      const auto& partition = response.responses[0].partitions[p];
      EXPECT_EQ(partition.partition_index, p);
      EXPECT_EQ(partition.error_code, 0);
      EXPECT_EQ(partition.high_watermark, 1000 + p);
      EXPECT_EQ(*partition.records, records[p]);
    }
  }
}

}  // namespace
}  // namespace eddy::gateway
