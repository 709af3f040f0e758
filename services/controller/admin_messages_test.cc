#include "services/controller/admin_messages.h"

#include "gtest/gtest.h"

namespace eddy::controller {
namespace {

TEST(AdminMessagesTest, ConfigTypesAreKafkasCodes) {
  EXPECT_EQ(KafkaConfigType(ConfigType::kBoolean), 1);
  EXPECT_EQ(KafkaConfigType(ConfigType::kString), 2);
  EXPECT_EQ(KafkaConfigType(ConfigType::kInt), 3);
  EXPECT_EQ(KafkaConfigType(ConfigType::kLong), 5);
  EXPECT_EQ(KafkaConfigType(ConfigType::kDouble), 6);
  EXPECT_EQ(KafkaConfigType(ConfigType::kList), 7);
}

TEST(AdminMessagesTest, DescribeWithoutNamesMeansEveryConfig) {
  eddy::v1::DescribeConfigsRequest request;
  auto* all = request.add_resources();
  all->mutable_resource()->set_type(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC);
  all->mutable_resource()->set_name("t");
  auto* some = request.add_resources();
  some->mutable_resource()->set_type(eddy::v1::CONFIG_RESOURCE_TYPE_BROKER);
  some->mutable_resource()->set_name("3");
  some->add_names("log.retention.ms");
  std::vector<DescribeConfigsItem> items = FromProto(request);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].resource.name, "t");
  EXPECT_FALSE(items[0].names.has_value());
  EXPECT_EQ(items[1].resource.type, eddy::v1::CONFIG_RESOURCE_TYPE_BROKER);
  ASSERT_TRUE(items[1].names.has_value());
  EXPECT_EQ(*items[1].names, std::vector<std::string>{"log.retention.ms"});
}

TEST(AdminMessagesTest, IncrementalOpsKeepKafkasCodesAndRejectOthersByValue) {
  eddy::v1::IncrementalAlterConfigsRequest request;
  auto* resource = request.add_resources();
  for (int op : {0, 1, 2, 3, 9, 100000}) {
    auto* operation = resource->add_operations();
    operation->set_name("retention.ms");
    operation->set_op(op);
  }
  std::vector<IncrementalAlterConfigsItem> items = FromProto(request);
  ASSERT_EQ(items.size(), 1u);
  ASSERT_EQ(items[0].operations.size(), 6u);
  EXPECT_EQ(items[0].operations[0].op, AlterConfigOp::kSet);
  EXPECT_EQ(items[0].operations[1].op, AlterConfigOp::kDelete);
  EXPECT_EQ(items[0].operations[2].op, AlterConfigOp::kAppend);
  EXPECT_EQ(items[0].operations[3].op, AlterConfigOp::kSubtract);
  EXPECT_EQ(static_cast<int>(items[0].operations[4].op), 9);
  // Out of int8 range: still not a valid op (the command answers INVALID_REQUEST).
  const int clamped = static_cast<int>(items[0].operations[5].op);
  EXPECT_TRUE(clamped < 0 || clamped > 3);
}

TEST(AdminMessagesTest, ElectLeadersAllPartitionsIsKafkasNullTopicPartitions) {
  eddy::v1::ElectLeadersRequest request;
  request.set_election_type(1);
  request.set_all_partitions(true);
  ElectLeadersRequest all = FromProto(request);
  EXPECT_EQ(all.type, ElectionType::kUnclean);
  EXPECT_FALSE(all.topic_partitions.has_value());

  request.set_all_partitions(false);
  request.set_election_type(0);
  auto* topic = request.add_topics();
  topic->set_name("t");
  topic->add_partitions(4);
  ElectLeadersRequest some = FromProto(request);
  EXPECT_EQ(some.type, ElectionType::kPreferred);
  ASSERT_TRUE(some.topic_partitions.has_value());
  ASSERT_EQ(some.topic_partitions->size(), 1u);
  EXPECT_EQ((*some.topic_partitions)[0].topic, "t");
  EXPECT_EQ((*some.topic_partitions)[0].partitions, std::vector<int32_t>{4});
}

TEST(AdminMessagesTest, ResultsCarryCodesMessagesAndBlocks) {
  AllocateProducerIdsResult ok;
  ok.block = ProducerIdBlock{BrokerId(1), ProducerId(2000), 1000};
  eddy::v1::AllocateProducerIdsResponse response = ToProto(ok);
  EXPECT_EQ(response.error_code(), 0);
  EXPECT_EQ(response.first_producer_id(), 2000);
  EXPECT_EQ(response.producer_id_count(), 1000);

  AllocateProducerIdsResult stale;
  stale.error = ApiError(kafka::ErrorCode::kStaleBrokerEpoch);
  response = ToProto(stale);
  EXPECT_EQ(response.error_code(), 77);
  EXPECT_FALSE(response.error_message().empty());
  EXPECT_EQ(response.producer_id_count(), 0);

  std::vector<DescribeConfigsResult> described(1);
  described[0].resource = {eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, "t"};
  described[0].configs.push_back(
      {"retention.ms", "5", ConfigSource::kDynamicTopicConfig, ConfigType::kLong});
  eddy::v1::DescribeConfigsResponse describe = ToProto(described);
  ASSERT_EQ(describe.results_size(), 1);
  ASSERT_EQ(describe.results(0).configs_size(), 1);
  EXPECT_EQ(describe.results(0).configs(0).source(), 1);
  EXPECT_EQ(describe.results(0).configs(0).type(), 5);
  EXPECT_EQ(describe.results(0).configs(0).value(), "5");
}

}  // namespace
}  // namespace eddy::controller
