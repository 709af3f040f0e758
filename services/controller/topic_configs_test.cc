#include "services/controller/topic_configs.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/controller/metadata_records.h"
#include "services/controller/metadata_state_machine.h"
#include "tests/testing/status_matchers.h"

namespace eddy::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

std::optional<std::string> Check(std::string_view name, std::string_view value) {
  const ConfigDef* def = FindTopicConfig(name);
  EXPECT_NE(def, nullptr) << name;
  return def == nullptr ? std::nullopt : ValidateConfigValue(*def, value);
}

TEST(TopicConfigsTest, KnowsKafkasCommonTopicConfigsAndDefaults) {
  for (std::string_view name : {"cleanup.policy",
                                "retention.ms",
                                "retention.bytes",
                                "segment.bytes",
                                "segment.ms",
                                "min.insync.replicas",
                                "max.message.bytes",
                                "message.timestamp.type",
                                "compression.type",
                                "unclean.leader.election.enable",
                                "delete.retention.ms",
                                "min.compaction.lag.ms",
                                "min.cleanable.dirty.ratio",
                                "flush.messages",
                                "flush.ms",
                                "message.timestamp.difference.max.ms",
                                "message.timestamp.before.max.ms",
                                "message.timestamp.after.max.ms",
                                "local.retention.ms",
                                "local.retention.bytes"}) {
    const ConfigDef* def = FindTopicConfig(name);
    ASSERT_NE(def, nullptr) << name;
    EXPECT_EQ(ValidateConfigValue(*def, def->default_value), std::nullopt)
        << name << " default must be valid";
  }
  EXPECT_EQ(FindTopicConfig("retention.ms")->default_value, "604800000");
  EXPECT_EQ(FindTopicConfig("segment.bytes")->default_value, "1073741824");
  EXPECT_EQ(FindTopicConfig("max.message.bytes")->default_value, "1048588");
  EXPECT_EQ(FindTopicConfig("no.such.config"), nullptr);
  EXPECT_TRUE(
      std::is_sorted(TopicConfigDefs().begin(), TopicConfigDefs().end(),
                     [](const ConfigDef& a, const ConfigDef& b) { return a.name < b.name; }));
}

TEST(TopicConfigsTest, RejectsBadValuesWithKafkasMessages) {
  EXPECT_THAT(Check("retention.ms", "abc"),
              Optional(std::string(
                  "Invalid value abc for configuration retention.ms: Not a number of type LONG")));
  EXPECT_THAT(Check("retention.ms", "-5"), Optional(HasSubstr("Value must be at least -1")));
  EXPECT_EQ(Check("retention.ms", "-1"), std::nullopt);
  EXPECT_THAT(Check("segment.bytes", "13"), Optional(HasSubstr("Value must be at least 14")));
  EXPECT_THAT(Check("segment.bytes", "3000000000"), Optional(HasSubstr("type INT")));
  EXPECT_THAT(Check("min.insync.replicas", "0"), Optional(HasSubstr("at least 1")));
  EXPECT_THAT(Check("min.cleanable.dirty.ratio", "1.5"),
              Optional(HasSubstr("Value must be no more than 1")));
  EXPECT_EQ(Check("min.cleanable.dirty.ratio", "0.25"), std::nullopt);
  EXPECT_THAT(Check("message.timestamp.type", "NowTime"),
              Optional(HasSubstr("String must be one of: CreateTime, LogAppendTime")));
  EXPECT_THAT(Check("compression.type", "brotli"), Optional(HasSubstr("String must be one of")));
  EXPECT_THAT(Check("unclean.leader.election.enable", "yes"),
              Optional(HasSubstr("Expected value to be either true or false")));
  EXPECT_EQ(Check("unclean.leader.election.enable", "TRUE"), std::nullopt);
  EXPECT_EQ(Check("cleanup.policy", "compact, delete"), std::nullopt);
  EXPECT_EQ(Check("cleanup.policy", ""), std::nullopt);
  EXPECT_THAT(Check("cleanup.policy", "compact,shred"),
              Optional(HasSubstr("String must be one of: compact, delete")));
  EXPECT_THAT(Check("flush.messages", "0"), Optional(HasSubstr("at least 1")));
  EXPECT_EQ(Check("retention.bytes", "-1"), std::nullopt);
}

TEST(TopicConfigsTest, ValidatesWholeConfigSets) {
  EXPECT_EQ(ValidateConfigs(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, {{"retention.ms", "1000"}}),
            std::nullopt);
  EXPECT_THAT(ValidateConfigs(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, {{"retention.hours", "1"}}),
              Optional(std::string("Unknown topic config name: retention.hours")));
  EXPECT_THAT(ValidateConfigs(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC,
                              {{"min.compaction.lag.ms", "10"}, {"max.compaction.lag.ms", "5"}}),
              Optional(HasSubstr("min.compaction.lag.ms (10) > max.compaction.lag.ms (5)")));
  EXPECT_EQ(ValidateConfigs(eddy::v1::CONFIG_RESOURCE_TYPE_CLUSTER, {{"log.retention.ms", "5"}}),
            std::nullopt);
  EXPECT_THAT(ValidateConfigs(eddy::v1::CONFIG_RESOURCE_TYPE_BROKER, {{"retention.ms", "5"}}),
              Optional(HasSubstr("Unknown broker config name")));
  EXPECT_THAT(ValidateConfigs(eddy::v1::CONFIG_RESOURCE_TYPE_BROKER, {{"log.retention.ms", "x"}}),
              Optional(HasSubstr("Not a number of type LONG")));
}

TEST(TopicConfigsTest, SplitsListsLikeKafka) {
  EXPECT_THAT(SplitList(" compact ,delete "), ElementsAre("compact", "delete"));
  EXPECT_TRUE(SplitList("  ").empty());
}

TEST(TopicConfigsTest, EffectiveValueFallsBackToClusterDefaultThenKafkaDefault) {
  MetadataStateMachine sm;
  auto set = [&](eddy::v1::ConfigResourceType type, std::string resource, std::string name,
                 std::string value, int64_t index) {
    eddy::v1::ConfigRecord r;
    r.set_resource_type(type);
    r.set_resource_name(std::move(resource));
    r.set_name(std::move(name));
    r.set_value(std::move(value));
    ASSERT_TRUE(sm.Apply(Wrap(r), LogIndex(index)).ok());
  };
  EXPECT_EQ(MinInsyncReplicas(sm.image(), "t"), 1);
  EXPECT_FALSE(UncleanLeaderElectionEnabled(sm.image(), "t"));
  set(eddy::v1::CONFIG_RESOURCE_TYPE_CLUSTER, "", "min.insync.replicas", "2", 1);
  set(eddy::v1::CONFIG_RESOURCE_TYPE_CLUSTER, "", "log.retention.ms", "1000", 2);
  EXPECT_EQ(MinInsyncReplicas(sm.image(), "t"), 2);
  EXPECT_EQ(EffectiveTopicConfig(sm.image(), "t", "retention.ms"), "1000");
  set(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, "t", "min.insync.replicas", "3", 3);
  set(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, "t", "unclean.leader.election.enable", "true", 4);
  EXPECT_EQ(MinInsyncReplicas(sm.image(), "t"), 3);
  EXPECT_EQ(MinInsyncReplicas(sm.image(), "other"), 2);
  EXPECT_TRUE(UncleanLeaderElectionEnabled(sm.image(), "t"));
  EXPECT_EQ(EffectiveTopicConfig(sm.image(), "t", "segment.ms"), "604800000");
}

}  // namespace
}  // namespace eddy::controller
