#include "services/controller/offsets_topic.h"

#include <set>

#include "gtest/gtest.h"
#include "services/controller/metadata_test_fixture.h"
#include "services/controller/topic_commands.h"

namespace eddy::controller {
namespace {

using testing::MetadataFixture;

class OffsetsTopicTest : public ::testing::Test {
 protected:
  std::string TopicConfig(const std::string& name) {
    return f_.image()
        .ConfigValue({eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, std::string(kOffsetsTopic)}, name)
        .value_or("(unset)");
  }

  MetadataFixture f_;
  ControllerOptions options_;
  std::mt19937_64 random_{7};
};

TEST_F(OffsetsTopicTest, WaitsUntilReplicationFactorBrokersAreUsable) {
  f_.AddBroker(1);
  f_.AddBroker(2);
  f_.AddBroker(3, "", /*fenced=*/true);
  ControllerResult<ApiError> result = CreateOffsetsTopic(f_.image(), options_, random_);
  EXPECT_TRUE(result.records.empty());
  EXPECT_EQ(result.response.code, kafka::ErrorCode::kCoordinatorNotAvailable);
  EXPECT_EQ(GroupCoordinatorShards(f_.image()), 0);
}

TEST_F(OffsetsTopicTest, CreatesACompactedTopicWithKafkasDefaults) {
  for (int32_t id : {1, 2, 3, 4}) f_.AddBroker(id);
  ControllerResult<ApiError> result = CreateOffsetsTopic(f_.image(), options_, random_);
  ASSERT_TRUE(result.response.ok()) << result.response.message;
  f_.Apply(result.records);

  const TopicState* topic = f_.image().FindTopicByName(kOffsetsTopic);
  ASSERT_NE(topic, nullptr);
  EXPECT_EQ(topic->partitions.size(), 50u);
  EXPECT_EQ(GroupCoordinatorShards(f_.image()), 50);
  for (const auto& [index, partition] : topic->partitions) {
    EXPECT_EQ(partition.replicas.size(), 3u) << "partition " << index;
    EXPECT_EQ(std::set<BrokerId>(partition.replicas.begin(), partition.replicas.end()).size(), 3u);
    EXPECT_TRUE(partition.HasLeader());
  }
  EXPECT_EQ(TopicConfig("cleanup.policy"), "compact");
  EXPECT_EQ(TopicConfig("segment.bytes"), "104857600");
  EXPECT_EQ(TopicConfig("compression.type"), "producer");

  EXPECT_TRUE(CreateOffsetsTopic(f_.image(), options_, random_).records.empty()) << "created once";
}

TEST_F(OffsetsTopicTest, HonoursConfiguredPartitionsAndReplicationFactor) {
  f_.AddBroker(1);
  options_.offsets_topic_num_partitions = 7;
  options_.offsets_topic_replication_factor = 1;
  ControllerResult<ApiError> result = CreateOffsetsTopic(f_.image(), options_, random_);
  ASSERT_TRUE(result.response.ok()) << result.response.message;
  f_.Apply(result.records);
  EXPECT_EQ(GroupCoordinatorShards(f_.image()), 7);
  EXPECT_EQ(f_.Partition(std::string(kOffsetsTopic), 0).replicas.size(), 1u);
}

TEST_F(OffsetsTopicTest, ClientsCannotDeleteIt) {
  f_.AddBroker(1);
  options_.offsets_topic_replication_factor = 1;
  f_.Apply(CreateOffsetsTopic(f_.image(), options_, random_).records);
  const TopicState* topic = f_.image().FindTopicByName(kOffsetsTopic);
  ASSERT_NE(topic, nullptr);

  eddy::v1::DeleteTopicsRequest request;
  request.add_names(std::string(kOffsetsTopic));
  *request.add_topic_ids() = TopicIdToProto(topic->id);
  ControllerResult<eddy::v1::DeleteTopicsResponse> result = DeleteTopics(f_.image(), request);
  EXPECT_TRUE(result.records.empty());
  ASSERT_EQ(result.response.results_size(), 2);
  for (const eddy::v1::TopicResult& r : result.response.results()) {
    EXPECT_EQ(r.error_code(), kafka::ToInt(kafka::ErrorCode::kInvalidTopicException));
    EXPECT_EQ(r.name(), kOffsetsTopic);
    EXPECT_NE(r.error_message().find("internal topic"), std::string::npos) << r.error_message();
  }
}

}  // namespace
}  // namespace eddy::controller
