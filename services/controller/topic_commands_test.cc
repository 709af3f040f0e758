#include "services/controller/topic_commands.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/controller/broker_lifecycle.h"
#include "services/controller/metadata_test_fixture.h"

namespace eddy::controller {
namespace {

using kafka::ErrorCode;
using ::testing::HasSubstr;
using testing::Ids;
using testing::MetadataFixture;

eddy::v1::CreatableTopic Topic(const std::string& name, int32_t partitions, int32_t rf) {
  eddy::v1::CreatableTopic t;
  t.set_name(name);
  t.set_num_partitions(partitions);
  t.set_replication_factor(rf);
  return t;
}

class TopicCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int32_t id = 1; id <= 3; ++id) f_.AddBroker(id, "rack" + std::to_string(id));
  }

  // Create runs CreateTopics for one topic, applies its records and returns the result.
  eddy::v1::TopicResult Create(const eddy::v1::CreatableTopic& topic, bool validate_only = false) {
    eddy::v1::CreateTopicsRequest request;
    *request.add_topics() = topic;
    request.set_validate_only(validate_only);
    auto result = CreateTopics(f_.image(), options_, request, random_);
    EXPECT_EQ(result.response.results_size(), 1);
    const eddy::v1::TopicResult& r = result.response.results(0);
    if (r.error_code() != 0 || validate_only) {
      EXPECT_TRUE(result.records.empty());
      if (r.error_code() != 0) {
        EXPECT_FALSE(r.error_message().empty());
      }
    }
    f_.Apply(result.records);
    return r;
  }

  ErrorCode CreateError(const eddy::v1::CreatableTopic& topic) {
    return static_cast<ErrorCode>(Create(topic).error_code());
  }

  MetadataFixture f_;
  ControllerOptions options_;
  std::mt19937_64 random_{42};
};

TEST_F(TopicCommandsTest, CreatesTopicsWhoseRecordsBuildTheReportedTopic) {
  eddy::v1::CreatableTopic spec = Topic("orders", 6, 3);
  (*spec.mutable_configs())["retention.ms"] = "1000";
  eddy::v1::TopicResult result = Create(spec);
  ASSERT_EQ(result.error_code(), 0) << result.error_message();
  EXPECT_EQ(result.num_partitions(), 6);
  EXPECT_EQ(result.replication_factor(), 3);

  const TopicState* topic = f_.image().FindTopicByName("orders");
  ASSERT_NE(topic, nullptr);
  EXPECT_EQ(TopicIdToProto(topic->id).value(), result.topic_id().value());
  ASSERT_EQ(topic->partitions.size(), 6u);
  std::map<BrokerId, int> leaders;
  for (const auto& [index, p] : topic->partitions) {
    EXPECT_EQ(p.replicas.size(), 3u);
    EXPECT_EQ(p.isr, p.replicas);
    EXPECT_EQ(p.leader, p.replicas.front());
    ++leaders[p.leader];
  }
  EXPECT_EQ(leaders.size(), 3u) << "leaders spread over the brokers";
  EXPECT_EQ(
      f_.image().ConfigValue({eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, "orders"}, "retention.ms"),
      "1000");
}

TEST_F(TopicCommandsTest, MinusOneMeansTheBrokerDefaults) {
  options_.default_num_partitions = 4;
  options_.default_replication_factor = 2;
  eddy::v1::TopicResult result = Create(Topic("d", -1, -1));
  ASSERT_EQ(result.error_code(), 0) << result.error_message();
  EXPECT_EQ(result.num_partitions(), 4);
  EXPECT_EQ(result.replication_factor(), 2);
}

TEST_F(TopicCommandsTest, ValidateOnlyReportsWithoutRecords) {
  eddy::v1::TopicResult ok = Create(Topic("v", 2, 2), /*validate_only=*/true);
  EXPECT_EQ(ok.error_code(), 0);
  EXPECT_EQ(ok.num_partitions(), 2);
  EXPECT_EQ(f_.image().FindTopicByName("v"), nullptr);
  EXPECT_EQ(Create(Topic("v", 2, 9), true).error_code(),
            kafka::ToInt(ErrorCode::kInvalidReplicationFactor));
}

TEST_F(TopicCommandsTest, RejectsBadTopicsWithKafkasCodes) {
  ASSERT_EQ(CreateError(Topic("a.b", 1, 1)), ErrorCode::kNone);
  EXPECT_EQ(CreateError(Topic("a.b", 1, 1)), ErrorCode::kTopicAlreadyExists);
  EXPECT_EQ(Create(Topic("a_b", 1, 1)).error_message(),
            "Topic 'a_b' collides with existing topic: a.b");
  EXPECT_EQ(CreateError(Topic("a_b", 1, 1)), ErrorCode::kInvalidTopicException);
  EXPECT_EQ(CreateError(Topic("bad name", 1, 1)), ErrorCode::kInvalidTopicException);
  EXPECT_EQ(CreateError(Topic("..", 1, 1)), ErrorCode::kInvalidTopicException);
  EXPECT_EQ(CreateError(Topic(std::string(250, 'x'), 1, 1)), ErrorCode::kInvalidTopicException);
  EXPECT_EQ(CreateError(Topic("p", 0, 1)), ErrorCode::kInvalidPartitions);
  EXPECT_EQ(Create(Topic("p", 2147483647, 1)).error_message(),
            "Number of partitions 2147483647 exceeds the limit of 100000 per topic.");
  EXPECT_EQ(CreateError(Topic("p", -2, 1)), ErrorCode::kInvalidPartitions);
  EXPECT_EQ(CreateError(Topic("p", 1, 0)), ErrorCode::kInvalidReplicationFactor);
  EXPECT_EQ(CreateError(Topic("p", 1, -3)), ErrorCode::kInvalidReplicationFactor);
  EXPECT_THAT(Create(Topic("p", 1, 4)).error_message(),
              HasSubstr("cannot be reached because only 3 broker(s)"));

  eddy::v1::CreatableTopic bad_config = Topic("c", 1, 1);
  (*bad_config.mutable_configs())["retention.ms"] = "soon";
  EXPECT_EQ(Create(bad_config).error_message(),
            "Invalid value soon for configuration retention.ms: Not a number of type LONG");
  eddy::v1::CreatableTopic unknown_config = Topic("c", 1, 1);
  (*unknown_config.mutable_configs())["retention.days"] = "1";
  EXPECT_EQ(CreateError(unknown_config), ErrorCode::kInvalidConfig);
  EXPECT_EQ(f_.image().topics().size(), 1u);
}

TEST_F(TopicCommandsTest, ReplicationFactorCountsOnlyUsableBrokers) {
  f_.Apply(FenceBroker(f_.image(), BrokerId(3)).records);
  EXPECT_EQ(CreateError(Topic("t", 3, 3)), ErrorCode::kInvalidReplicationFactor);
  ASSERT_EQ(CreateError(Topic("t", 3, 2)), ErrorCode::kNone);
  for (const auto& [index, p] : f_.image().FindTopicByName("t")->partitions) {
    EXPECT_FALSE(Contains(p.replicas, BrokerId(3)));
  }
}

TEST_F(TopicCommandsTest, OneRequestHandlesEachTopicOnItsOwn) {
  eddy::v1::CreateTopicsRequest request;
  *request.add_topics() = Topic("x.y", 1, 1);
  *request.add_topics() = Topic("x_y", 1, 1);
  *request.add_topics() = Topic("dup", 1, 1);
  *request.add_topics() = Topic("dup", 1, 1);
  *request.add_topics() = Topic("fine", 1, 1);
  auto result = CreateTopics(f_.image(), options_, request, random_);
  ASSERT_EQ(result.response.results_size(), 5);
  EXPECT_EQ(result.response.results(0).error_code(), 0);
  EXPECT_EQ(result.response.results(1).error_code(),
            kafka::ToInt(ErrorCode::kInvalidTopicException));
  EXPECT_EQ(result.response.results(2).error_code(), kafka::ToInt(ErrorCode::kInvalidRequest));
  EXPECT_EQ(result.response.results(3).error_code(), kafka::ToInt(ErrorCode::kInvalidRequest));
  EXPECT_EQ(result.response.results(4).error_code(), 0);
  f_.Apply(result.records);
  EXPECT_EQ(f_.image().topics().size(), 2u);
  EXPECT_NE(result.response.results(0).topic_id().value(),
            result.response.results(4).topic_id().value());
}

TEST_F(TopicCommandsTest, SameSeedSameRecords) {
  eddy::v1::CreateTopicsRequest request;
  *request.add_topics() = Topic("s", 12, 2);
  std::mt19937_64 a(7), b(7);
  auto first = CreateTopics(f_.image(), options_, request, a);
  auto second = CreateTopics(f_.image(), options_, request, b);
  ASSERT_EQ(first.records.size(), second.records.size());
  for (size_t i = 0; i < first.records.size(); ++i) {
    EXPECT_EQ(first.records[i].SerializeAsString(), second.records[i].SerializeAsString());
  }
}

eddy::v1::CreatableTopic Manual(std::map<int32_t, std::vector<int32_t>> assignment) {
  eddy::v1::CreatableTopic t = Topic("m", -1, -1);
  for (const auto& [index, brokers] : assignment) {
    eddy::v1::BrokerList& list = (*t.mutable_assignments())[index];
    for (int32_t b : brokers) list.add_broker_ids(b);
  }
  return t;
}

TEST_F(TopicCommandsTest, ManualAssignments) {
  eddy::v1::CreatableTopic with_rf = Manual({{0, {1, 2}}});
  with_rf.set_replication_factor(2);
  EXPECT_EQ(CreateError(with_rf), ErrorCode::kInvalidRequest);
  EXPECT_EQ(CreateError(Manual({{0, {1, 2}}, {2, {2, 3}}})), ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(CreateError(Manual({{0, {1, 9}}})), ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(CreateError(Manual({{0, {1, 1}}})), ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(CreateError(Manual({{0, {1, 2}}, {1, {3}}})), ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(CreateError(Manual({{0, {}}})), ErrorCode::kInvalidReplicaAssignment);

  f_.Apply(FenceBroker(f_.image(), BrokerId(3)).records);
  EXPECT_THAT(Create(Manual({{0, {3}}})).error_message(), HasSubstr("are fenced"));
  ASSERT_EQ(CreateError(Manual({{0, {3, 1}}, {1, {2, 3}}})), ErrorCode::kNone);
  const PartitionState& p0 = f_.Partition("m", 0);
  EXPECT_EQ(p0.replicas, Ids({3, 1}));
  EXPECT_EQ(p0.isr, Ids({1})) << "fenced replicas start outside the ISR";
  EXPECT_EQ(p0.leader, BrokerId(1));
}

TEST_F(TopicCommandsTest, DeletesTopicsByNameAndId) {
  f_.AddTopic("a", {Ids({1})});
  f_.AddTopic("b", {Ids({2})});
  const common::Uuid b_id = f_.image().FindTopicByName("b")->id;
  eddy::v1::DeleteTopicsRequest request;
  request.add_names("a");
  request.add_names("missing");
  *request.add_topic_ids() = TopicIdToProto(b_id);
  *request.add_topic_ids() = TopicIdToProto(common::Uuid::FromMsbLsb(5, 5));
  auto result = DeleteTopics(f_.image(), request);
  ASSERT_EQ(result.response.results_size(), 4);
  EXPECT_EQ(result.response.results(0).error_code(), 0);
  EXPECT_EQ(result.response.results(1).error_code(),
            kafka::ToInt(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(result.response.results(2).error_code(), 0);
  EXPECT_EQ(result.response.results(2).name(), "b");
  EXPECT_EQ(result.response.results(3).error_code(), kafka::ToInt(ErrorCode::kUnknownTopicId));
  f_.Apply(result.records);
  EXPECT_TRUE(f_.image().topics().empty());
}

TEST_F(TopicCommandsTest, DeletingOneTopicByNameAndIdRemovesItOnce) {
  f_.AddTopic("a", {Ids({1})});
  eddy::v1::DeleteTopicsRequest request;
  request.add_names("a");
  *request.add_topic_ids() = TopicIdToProto(f_.image().FindTopicByName("a")->id);
  auto result = DeleteTopics(f_.image(), request);
  EXPECT_EQ(result.records.size(), 1u);
  f_.Apply(result.records);

  eddy::v1::DeleteTopicsRequest twice;
  twice.add_names("x");
  twice.add_names("x");
  EXPECT_EQ(DeleteTopics(f_.image(), twice).response.results(0).error_code(),
            kafka::ToInt(ErrorCode::kInvalidRequest));
}

TEST_F(TopicCommandsTest, CreatePartitionsOnlyIncreases) {
  f_.AddTopic("t", {Ids({1, 2}), Ids({2, 3})});
  auto grow = [&](int32_t count, std::vector<std::vector<int32_t>> assignments = {},
                  bool validate_only = false) {
    eddy::v1::CreatePartitionsRequest request;
    request.set_validate_only(validate_only);
    auto* topic = request.add_topics();
    topic->set_name("t");
    topic->set_count(count);
    for (const auto& brokers : assignments) {
      auto* list = topic->add_assignments();
      for (int32_t b : brokers) list->add_broker_ids(b);
    }
    auto result = CreatePartitions(f_.image(), options_, request, random_);
    f_.Apply(result.records);
    return result.response.results(0);
  };
  EXPECT_EQ(grow(2).error_code(), kafka::ToInt(ErrorCode::kInvalidPartitions));
  EXPECT_EQ(grow(1).error_message(),
            "The topic t currently has 2 partition(s); 1 would not be an increase.");
  EXPECT_EQ(grow(4, {{1, 2}}).error_code(), kafka::ToInt(ErrorCode::kInvalidReplicaAssignment));
  EXPECT_EQ(grow(3, {{1, 2, 3}}).error_code(), kafka::ToInt(ErrorCode::kInvalidReplicaAssignment));
  EXPECT_EQ(grow(5, {}, /*validate_only=*/true).error_code(), 0);
  EXPECT_EQ(grow(2147483647).error_code(), kafka::ToInt(ErrorCode::kInvalidPartitions));
  EXPECT_EQ(f_.image().FindTopicByName("t")->partitions.size(), 2u);

  ASSERT_EQ(grow(3, {{3, 1}}).error_code(), 0);
  EXPECT_EQ(f_.Partition("t", 2).replicas, Ids({3, 1}));
  eddy::v1::TopicResult auto_placed = grow(6);
  ASSERT_EQ(auto_placed.error_code(), 0) << auto_placed.error_message();
  EXPECT_EQ(auto_placed.num_partitions(), 6);
  for (int32_t p = 3; p < 6; ++p) EXPECT_EQ(f_.Partition("t", p).replicas.size(), 2u);

  eddy::v1::CreatePartitionsRequest unknown;
  unknown.add_topics()->set_name("nope");
  EXPECT_EQ(CreatePartitions(f_.image(), options_, unknown, random_).response.results(0).error_code(),
            kafka::ToInt(ErrorCode::kUnknownTopicOrPartition));
}

}  // namespace
}  // namespace eddy::controller
