// PartitionFanOut through the handlers built on it (ListOffsets, DeleteRecords): one message per
// leader broker, results merged back in the client's order, and the per-partition errors for
// partitions that no leader answered for.
#include "services/gateway/handlers/data_routing.h"

#include <deque>
#include <optional>
#include <span>
#include <string>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/delete_records.h"
#include "libs/kafka/messages/list_offsets.h"
#include "services/gateway/kafka_dispatcher.h"
#include "services/gateway/testing/fixed_cluster.h"
#include "services/gateway/testing/kafka_test_client.h"
#include "tests/testing/status_matchers.h"

namespace eddy::gateway {
namespace {

using kafka::ErrorCode;
using kafka::ToInt;
using testing::ScriptedBrokers;

class PartitionFanOutTest : public ::testing::Test {
 protected:
  PartitionFanOutTest() : source_(testing::TwoGatewaysOneTopic()) {
    context_.metadata = &source_;
    context_.brokers = &brokers_;
    context_.config.auto_create_topics_enable = false;
  }

  template <typename Request>
  void Dispatch(const Request& request, int16_t version) {
    std::string frame = testing::KafkaTestClient::Frame(request, version, 7);
    auto payload = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(frame.data()) + 4,
                                            frame.size() - 4);
    ASSERT_THAT(dispatcher_.Dispatch(client_, payload,
                                     [this](ResponseFrame f) {
                                       absl::MutexLock lock(&mu_);
                                       result_ = std::move(f);
                                     }),
                eddy::testing::IsOk());
  }

  bool Answered() {
    absl::MutexLock lock(&mu_);
    return result_.has_value();
  }

  template <typename Response>
  Response Decoded(int16_t version) {
    absl::MutexLock lock(&mu_);
    EXPECT_TRUE(result_.has_value() && result_->ok() && result_->value().has_value());
    const std::string bytes = result_->value()->Flatten();
    kafka::Reader reader(reinterpret_cast<const uint8_t*>(bytes.data()) + 4, bytes.size() - 4);
    EXPECT_THAT(kafka::DecodeResponseHeader(reader, Response::kApiKey, version).status(),
                eddy::testing::IsOk());
    Response response;
    EXPECT_THAT(response.Decode(reader, version), eddy::testing::IsOk());
    return response;
  }

  testing::FixedView source_;
  ScriptedBrokers brokers_;
  GatewayContext context_;
  KafkaDispatcher dispatcher_{context_};
  ClientInfo client_;
  absl::Mutex mu_;
  std::optional<ResponseFrame> result_ ABSL_GUARDED_BY(mu_);
};

// Topic "t": partitions 0 and 2 led by broker 10, partition 1 by broker 11.
kafka::ListOffsetsRequest ListLatest(std::initializer_list<int32_t> partitions) {
  kafka::ListOffsetsRequest request;
  request.replica_id = -1;
  auto& topic = request.topics.emplace_back();
  topic.name = "t";
  for (int32_t p : partitions) topic.partitions.push_back({.partition_index = p, .timestamp = -1});
  auto& unknown = request.topics.emplace_back();
  unknown.name = "nope";
  unknown.partitions.push_back({.partition_index = 0, .timestamp = -1});
  return request;
}

eddy::v1::DataResponse ListOffsetsAnswer(int32_t partition, int64_t offset) {
  eddy::v1::DataResponse answer;
  auto* r = answer.mutable_list_offsets()->add_results();
  r->mutable_partition()->set_topic("t");
  r->mutable_partition()->set_partition(partition);
  r->set_offset(offset);
  r->set_timestamp(-1);
  r->set_leader_epoch(3);
  return answer;
}

TEST_F(PartitionFanOutTest, ListOffsetsMergesLeadersAnswersInClientOrder) {
  Dispatch(ListLatest({2, 1, 0, 1}), 7);
  std::deque<ScriptedBrokers::Sent> sent = brokers_.Take();
  ASSERT_EQ(sent.size(), 2u);
  for (auto& s : sent) {
    if (s.broker == 11) {
      // The duplicate of partition 1 is not forwarded.
      ASSERT_EQ(s.request.list_offsets().partitions_size(), 1);
      s.callback(ListOffsetsAnswer(1, 100));
    }
  }
  EXPECT_FALSE(Answered());
  for (auto& s : sent) {
    if (s.broker == 10) {
      ASSERT_EQ(s.request.list_offsets().partitions_size(), 2);
      EXPECT_EQ(s.request.list_offsets().partitions(0).partition().partition(), 2);
      EXPECT_EQ(s.request.list_offsets().partitions(1).partition().partition(), 0);
      // Broker 10 answers for partition 2 only.
      s.callback(ListOffsetsAnswer(2, 200));
    }
  }
  auto response = Decoded<kafka::ListOffsetsResponse>(7);
  ASSERT_EQ(response.topics.size(), 2u);
  const auto& parts = response.topics[0].partitions;
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0].partition_index, 2);
  EXPECT_EQ(parts[0].error_code, 0);
  EXPECT_EQ(parts[0].offset, 200);
  EXPECT_EQ(parts[0].leader_epoch, 3);
  EXPECT_EQ(parts[1].partition_index, 1);
  EXPECT_EQ(parts[1].offset, 100);
  EXPECT_EQ(parts[2].partition_index, 0);
  EXPECT_EQ(parts[2].error_code, ToInt(ErrorCode::kNotLeaderOrFollower));
  EXPECT_EQ(parts[3].partition_index, 1);
  EXPECT_EQ(parts[3].error_code, ToInt(ErrorCode::kInvalidRequest));
  EXPECT_EQ(response.topics[1].partitions[0].error_code,
            ToInt(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(PartitionFanOutTest, DeleteRecordsGetsTheFailedCallsErrorPerPartition) {
  kafka::DeleteRecordsRequest request;
  request.timeout_ms = 1000;
  auto& topic = request.topics.emplace_back();
  topic.name = "t";
  topic.partitions.push_back({.partition_index = 0, .offset = 5});
  topic.partitions.push_back({.partition_index = 1, .offset = 6});
  Dispatch(request, 2);
  std::deque<ScriptedBrokers::Sent> sent = brokers_.Take();
  ASSERT_EQ(sent.size(), 2u);
  for (auto& s : sent) {
    if (s.broker == 10) {
      EXPECT_EQ(s.request.delete_records().timeout_ms(), 1000);
      s.callback(absl::DeadlineExceededError("no answer in time"));
    } else {
      eddy::v1::DataResponse answer;
      auto* r = answer.mutable_delete_records()->add_results();
      r->mutable_partition()->set_topic("t");
      r->mutable_partition()->set_partition(1);
      r->set_low_watermark(6);
      s.callback(answer);
    }
  }
  auto response = Decoded<kafka::DeleteRecordsResponse>(2);
  const auto& parts = response.topics[0].partitions;
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].error_code, ToInt(ErrorCode::kRequestTimedOut));
  EXPECT_EQ(parts[0].low_watermark, -1);
  EXPECT_EQ(parts[1].error_code, 0);
  EXPECT_EQ(parts[1].low_watermark, 6);
}

}  // namespace
}  // namespace eddy::gateway
