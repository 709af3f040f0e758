#include "services/controller/config_commands.h"

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

const ConfigResource kTopic{eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, "t"};
const ConfigResource kCluster{eddy::v1::CONFIG_RESOURCE_TYPE_CLUSTER, ""};

class ConfigCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int32_t id = 1; id <= 3; ++id) f_.AddBroker(id);
    f_.AddTopic("t", {Ids({1, 2, 3})});
  }

  ApiError Incremental(const ConfigResource& resource, std::vector<ConfigOperation> ops,
                       bool validate_only = false) {
    auto result = IncrementalAlterConfigs(f_.image(), {{resource, std::move(ops)}}, validate_only);
    EXPECT_EQ(result.response.size(), 1u);
    if (!result.response[0].error.ok()) {
      EXPECT_TRUE(result.records.empty());
    }
    f_.Apply(result.records);
    return result.response[0].error;
  }

  std::optional<std::string> Value(const ConfigResource& resource, const std::string& name) {
    return f_.image().ConfigValue(resource, name);
  }

  const DescribedConfig& Describe(const ConfigResource& resource, const std::string& name) {
    described_ = DescribeConfigs(f_.image(), {{resource, std::vector<std::string>{name}}});
    EXPECT_EQ(described_.size(), 1u);
    EXPECT_TRUE(described_[0].error.ok()) << described_[0].error.message;
    EXPECT_EQ(described_[0].configs.size(), 1u);
    return described_[0].configs[0];
  }

  MetadataFixture f_;
  std::vector<DescribeConfigsResult> described_;
};

TEST_F(ConfigCommandsTest, SetAndDeleteTopicConfigs) {
  ASSERT_TRUE(Incremental(kTopic, {{"retention.ms", AlterConfigOp::kSet, "1000"},
                                   {"cleanup.policy", AlterConfigOp::kSet, "compact"}})
                  .ok());
  EXPECT_EQ(Value(kTopic, "retention.ms"), "1000");
  EXPECT_EQ(Value(kTopic, "cleanup.policy"), "compact");
  ASSERT_TRUE(Incremental(kTopic, {{"retention.ms", AlterConfigOp::kDelete, ""}}).ok());
  EXPECT_EQ(Value(kTopic, "retention.ms"), std::nullopt);
  EXPECT_EQ(Value(kTopic, "cleanup.policy"), "compact");
}

TEST_F(ConfigCommandsTest, AppendAndSubtractWorkOnListsOnly) {
  ASSERT_TRUE(Incremental(kTopic, {{"cleanup.policy", AlterConfigOp::kAppend, "compact"}}).ok());
  EXPECT_EQ(Value(kTopic, "cleanup.policy"), "delete,compact") << "appends to Kafka's default";
  ASSERT_TRUE(Incremental(kTopic, {{"cleanup.policy", AlterConfigOp::kSubtract, "delete"}}).ok());
  EXPECT_EQ(Value(kTopic, "cleanup.policy"), "compact");
  ApiError error = Incremental(kTopic, {{"retention.ms", AlterConfigOp::kAppend, "5"}});
  EXPECT_EQ(error.code, ErrorCode::kInvalidConfig);
  EXPECT_THAT(error.message, HasSubstr("append is not allowed for config key: retention.ms"));
}

TEST_F(ConfigCommandsTest, RejectsBadValuesUnknownNamesAndResources) {
  ApiError bad = Incremental(kTopic, {{"retention.ms", AlterConfigOp::kSet, "-9"}});
  EXPECT_EQ(bad.code, ErrorCode::kInvalidConfig);
  EXPECT_EQ(bad.message,
            "Invalid value -9 for configuration retention.ms: Value must be at least -1");
  EXPECT_EQ(Incremental(kTopic, {{"log.retention.ms", AlterConfigOp::kSet, "1"}}).code,
            ErrorCode::kInvalidConfig);
  EXPECT_EQ(Incremental(kTopic, {{"retention.ms", AlterConfigOp::kSet, "1"},
                                 {"retention.ms", AlterConfigOp::kDelete, ""}})
                .code,
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(Incremental({eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, "nope"},
                        {{"retention.ms", AlterConfigOp::kSet, "1"}})
                .code,
            ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(Incremental({eddy::v1::CONFIG_RESOURCE_TYPE_BROKER, "x"},
                        {{"log.retention.ms", AlterConfigOp::kSet, "1"}})
                .code,
            ErrorCode::kInvalidRequest);
  EXPECT_TRUE(f_.image().configs().empty());
}

TEST_F(ConfigCommandsTest, ValidateOnlyWritesNothing) {
  EXPECT_TRUE(Incremental(kTopic, {{"retention.ms", AlterConfigOp::kSet, "5"}}, true).ok());
  EXPECT_EQ(Value(kTopic, "retention.ms"), std::nullopt);
}

TEST_F(ConfigCommandsTest, AlterConfigsReplacesTheWholeSet) {
  ASSERT_TRUE(Incremental(kTopic, {{"retention.ms", AlterConfigOp::kSet, "1000"}}).ok());
  auto result = AlterConfigs(f_.image(), {{kTopic, {{"segment.ms", "5000"}}}}, false);
  ASSERT_TRUE(result.response[0].error.ok());
  f_.Apply(result.records);
  EXPECT_EQ(Value(kTopic, "retention.ms"), std::nullopt);
  EXPECT_EQ(Value(kTopic, "segment.ms"), "5000");
  auto bad = AlterConfigs(f_.image(), {{kTopic, {{"segment.ms", "0"}}}}, false);
  EXPECT_EQ(bad.response[0].error.code, ErrorCode::kInvalidConfig);
  EXPECT_TRUE(bad.records.empty());
}

TEST_F(ConfigCommandsTest, DescribeReportsValueAndSource) {
  EXPECT_EQ(Describe(kTopic, "retention.ms").value, "604800000");
  EXPECT_EQ(Describe(kTopic, "retention.ms").source, ConfigSource::kDefaultConfig);

  // Kafka's form of the cluster default: a broker resource with an empty name.
  ASSERT_TRUE(Incremental({eddy::v1::CONFIG_RESOURCE_TYPE_BROKER, ""},
                          {{"log.retention.ms", AlterConfigOp::kSet, "2000"}})
                  .ok());
  EXPECT_EQ(Value(kCluster, "log.retention.ms"), "2000");
  EXPECT_EQ(Describe(kTopic, "retention.ms").value, "2000");
  EXPECT_EQ(Describe(kTopic, "retention.ms").source, ConfigSource::kDynamicDefaultBrokerConfig);

  ASSERT_TRUE(Incremental(kTopic, {{"retention.ms", AlterConfigOp::kSet, "3000"}}).ok());
  EXPECT_EQ(Describe(kTopic, "retention.ms").value, "3000");
  EXPECT_EQ(Describe(kTopic, "retention.ms").source, ConfigSource::kDynamicTopicConfig);

  const ConfigResource broker{eddy::v1::CONFIG_RESOURCE_TYPE_BROKER, "2"};
  EXPECT_EQ(Describe(broker, "log.retention.ms").source, ConfigSource::kDynamicDefaultBrokerConfig);
  ASSERT_TRUE(Incremental(broker, {{"log.retention.ms", AlterConfigOp::kSet, "9"}}).ok());
  EXPECT_EQ(Describe(broker, "log.retention.ms").value, "9");
  EXPECT_EQ(Describe(broker, "log.retention.ms").source, ConfigSource::kDynamicBrokerConfig);

  auto all = DescribeConfigs(f_.image(), {{kTopic, std::nullopt}});
  EXPECT_EQ(all[0].configs.size(), TopicConfigDefs().size());
  auto missing = DescribeConfigs(f_.image(), {{{eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, "x"}, {}}});
  EXPECT_EQ(missing[0].error.code, ErrorCode::kUnknownTopicOrPartition);
}

TEST_F(ConfigCommandsTest, ChangingMinInsyncReplicasClearsTheElr) {
  ASSERT_TRUE(Incremental(kTopic, {{"min.insync.replicas", AlterConfigOp::kSet, "3"}}).ok());
  f_.Apply(FenceBroker(f_.image(), BrokerId(3)).records);
  ASSERT_EQ(f_.Partition("t", 0).elr, Ids({3}));
  ASSERT_TRUE(Incremental(kTopic, {{"min.insync.replicas", AlterConfigOp::kSet, "2"}}).ok());
  EXPECT_TRUE(f_.Partition("t", 0).elr.empty());
  EXPECT_TRUE(f_.Partition("t", 0).last_known_elr.empty());
}

}  // namespace
}  // namespace eddy::controller
