// The controller's admin API end to end on three real eddy-controller processes (issue 5): config
// describe/alter/incremental alter (Kafka's names, defaults, sources and INVALID_CONFIG),
// validate-only requests that write nothing, Kafka's error codes with messages for invalid topic
// requests (acceptance 5), ElectLeaders (preferred and unclean) and AllocateProducerIds.
//
// Brokers are registered through the controller's gRPC API by FakeBrokers, so the test decides
// which broker is alive (and sends the AlterPartition calls a partition leader would) without
// broker processes doing so behind its back.
#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "proto/eddy/v1/controller.grpc.pb.h"
#include "tests/integration/controller_test_client.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr int kControllers = 3;
constexpr int kBrokers = 3;
constexpr int kLeaseMs = 1500;

// Kafka's error codes the test expects.
constexpr int kUnknownTopicOrPartition = 3;
constexpr int kInvalidTopic = 17;
constexpr int kInvalidPartitions = 37;
constexpr int kInvalidReplicationFactor = 38;
constexpr int kInvalidConfig = 40;
constexpr int kInvalidRequest = 42;
constexpr int kStaleBrokerEpoch = 77;
constexpr int kPreferredLeaderNotAvailable = 80;
constexpr int kEligibleLeadersNotAvailable = 83;
constexpr int kElectionNotNeeded = 84;

// Kafka's ConfigSource and ConfigType codes.
constexpr int kDynamicTopicConfig = 1;
constexpr int kDynamicDefaultBrokerConfig = 3;
constexpr int kDefaultConfig = 5;
constexpr int kTypeLong = 5;
constexpr int kTypeList = 7;

using Stub = eddy::v1::Controller::Stub;

class ControllerAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LocalClusterOptions options;
    options.bin_dir = EDDY_BIN_DIR;
    options.controllers = kControllers;
    options.brokers = 0;
    options.coordinators = 0;
    options.registries = 0;
    options.gateways = 0;
    options.member_session_timeout_ms = kLeaseMs;
    options.member_heartbeat_interval_ms = 200;
    options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
    cluster_ = std::make_unique<LocalCluster>(options);
    EDDY_ASSERT_OK(cluster_->Start());
    std::vector<std::string> addresses;
    for (int i = 0; i < kControllers; ++i) {
      addresses.push_back(cluster_->GrpcAddress(Role::kController, i));
    }
    client_ = std::make_unique<ControllerClient>(addresses);
    brokers_ = std::make_unique<FakeBrokers>(addresses, kBrokers, absl::Milliseconds(200));
    ASSERT_TRUE(WaitFor([&] { return UnfencedBrokers() == kBrokers; }, absl::Seconds(20)))
        << "the fake brokers did not register and unfence";
  }

  void TearDown() override { brokers_.reset(); }

  // UnfencedBrokers counts the brokers the leader's image holds unfenced.
  int UnfencedBrokers() {
    eddy::v1::GetClusterStatusResponse status;
    if (!client_->Call(&Stub::GetClusterStatus, eddy::v1::GetClusterStatusRequest(), &status)
             .ok()) {
      return -1;
    }
    return static_cast<int>(status.health().brokers() - status.health().fenced_brokers());
  }

  eddy::v1::TopicResult CreateTopic(const std::string& name, int partitions, int rf,
                                    std::map<std::string, std::string> configs = {},
                                    bool validate_only = false) {
    eddy::v1::CreateTopicsRequest request;
    request.set_validate_only(validate_only);
    eddy::v1::CreatableTopic* topic = request.add_topics();
    topic->set_name(name);
    topic->set_num_partitions(partitions);
    topic->set_replication_factor(rf);
    topic->mutable_configs()->insert(configs.begin(), configs.end());
    eddy::v1::CreateTopicsResponse response;
    const grpc::Status status = client_->Call(&Stub::CreateTopics, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.results_size(), 1);
    return response.results_size() == 1 ? response.results(0) : eddy::v1::TopicResult();
  }

  std::optional<eddy::v1::TopicMetadata> Topic(const std::string& name, size_t controller = 0) {
    std::optional<eddy::v1::MetadataDelta> snapshot = client_->Snapshot(controller);
    if (!snapshot.has_value()) return std::nullopt;
    for (const eddy::v1::TopicMetadata& topic : snapshot->topics()) {
      if (topic.name() == name) return topic;
    }
    return std::nullopt;
  }

  // WaitForPartition reads partition `index` of `topic` from the leader's replica (what the next
  // command sees) until `ready` holds.
  std::optional<eddy::v1::PartitionMetadata> WaitForPartition(
      const std::string& topic, int index,
      const std::function<bool(const eddy::v1::PartitionMetadata&)>& ready) {
    std::optional<eddy::v1::PartitionMetadata> found;
    const bool ok = WaitFor(
        [&] {
          eddy::v1::GetClusterStatusResponse status;
          if (!client_->Call(&Stub::GetClusterStatus, eddy::v1::GetClusterStatusRequest(), &status)
                   .ok()) {
            return false;
          }
          std::optional<eddy::v1::TopicMetadata> metadata =
              Topic(topic, static_cast<size_t>(status.controller_id() - 1));
          if (!metadata.has_value() || metadata->partitions_size() <= index) return false;
          if (!ready(metadata->partitions(index))) return false;
          found = metadata->partitions(index);
          return true;
        },
        absl::Seconds(15), absl::Milliseconds(50));
    return ok ? found : std::nullopt;
  }

  static eddy::v1::ConfigResourceRef TopicResource(const std::string& name) {
    eddy::v1::ConfigResourceRef ref;
    ref.set_type(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC);
    ref.set_name(name);
    return ref;
  }

  static eddy::v1::ConfigResourceRef ClusterResource() {
    eddy::v1::ConfigResourceRef ref;
    ref.set_type(eddy::v1::CONFIG_RESOURCE_TYPE_CLUSTER);
    return ref;
  }

  eddy::v1::DescribeConfigsResult Describe(const eddy::v1::ConfigResourceRef& resource,
                                           std::vector<std::string> names = {}) {
    eddy::v1::DescribeConfigsRequest request;
    auto* item = request.add_resources();
    *item->mutable_resource() = resource;
    for (const std::string& name : names) item->add_names(name);
    eddy::v1::DescribeConfigsResponse response;
    const grpc::Status status = client_->Call(&Stub::DescribeConfigs, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.results_size(), 1);
    return response.results_size() == 1 ? response.results(0) : eddy::v1::DescribeConfigsResult();
  }

  static std::optional<eddy::v1::DescribedConfigEntry> Entry(
      const eddy::v1::DescribeConfigsResult& result, const std::string& name) {
    for (const auto& entry : result.configs()) {
      if (entry.name() == name) return entry;
    }
    return std::nullopt;
  }

  eddy::v1::ConfigResourceResult Alter(const eddy::v1::ConfigResourceRef& resource,
                                       std::map<std::string, std::string> configs,
                                       bool validate_only = false) {
    eddy::v1::AlterConfigsRequest request;
    request.set_validate_only(validate_only);
    auto* item = request.add_resources();
    *item->mutable_resource() = resource;
    item->mutable_configs()->insert(configs.begin(), configs.end());
    eddy::v1::AlterConfigsResponse response;
    const grpc::Status status = client_->Call(&Stub::AlterConfigs, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.results_size(), 1);
    return response.results_size() == 1 ? response.results(0) : eddy::v1::ConfigResourceResult();
  }

  struct Op {
    std::string name;
    int op;
    std::string value;
  };

  eddy::v1::ConfigResourceResult IncrementalAlter(const eddy::v1::ConfigResourceRef& resource,
                                                  const std::vector<Op>& ops,
                                                  bool validate_only = false) {
    eddy::v1::IncrementalAlterConfigsRequest request;
    request.set_validate_only(validate_only);
    auto* item = request.add_resources();
    *item->mutable_resource() = resource;
    for (const Op& op : ops) {
      auto* operation = item->add_operations();
      operation->set_name(op.name);
      operation->set_op(op.op);
      operation->set_value(op.value);
    }
    eddy::v1::IncrementalAlterConfigsResponse response;
    const grpc::Status status = client_->Call(&Stub::IncrementalAlterConfigs, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.results_size(), 1);
    return response.results_size() == 1 ? response.results(0) : eddy::v1::ConfigResourceResult();
  }

  eddy::v1::ElectLeadersResponse Elect(int type, const std::string& topic,
                                       std::vector<int32_t> partitions) {
    eddy::v1::ElectLeadersRequest request;
    request.set_election_type(type);
    auto* item = request.add_topics();
    item->set_name(topic);
    for (int32_t p : partitions) item->add_partitions(p);
    eddy::v1::ElectLeadersResponse response;
    const grpc::Status status = client_->Call(&Stub::ElectLeaders, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  eddy::v1::AlterPartitionResponse AlterIsr(const std::string& topic,
                                            const eddy::v1::PartitionMetadata& partition,
                                            std::vector<int32_t> isr) {
    eddy::v1::AlterPartitionRequest request;
    request.set_broker_id(partition.leader());
    request.set_broker_epoch(brokers_->Epoch(partition.leader()));
    request.mutable_partition()->set_topic(topic);
    request.mutable_partition()->set_partition(partition.partition());
    request.set_leader_epoch(partition.leader_epoch());
    request.set_partition_epoch(partition.partition_epoch());
    for (int32_t b : isr) request.add_new_isr(b);
    eddy::v1::AlterPartitionResponse response;
    const grpc::Status status = client_->Call(&Stub::AlterPartition, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  eddy::v1::AllocateProducerIdsResponse AllocateProducerIds(int32_t broker, int64_t epoch) {
    eddy::v1::AllocateProducerIdsRequest request;
    request.set_broker_id(broker);
    request.set_broker_epoch(epoch);
    eddy::v1::AllocateProducerIdsResponse response;
    const grpc::Status status = client_->Call(&Stub::AllocateProducerIds, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // Metric reads an unlabelled sample from controller `index`'s /metrics (nullopt if absent).
  std::optional<double> Metric(int index, const std::string& name) {
    httplib::Client http("http://" + cluster_->HttpAddress(Role::kController, index));
    auto response = http.Get("/metrics");
    if (!response || response->status != 200) return std::nullopt;
    for (absl::string_view line : absl::StrSplit(response->body, '\n')) {
      if (!absl::ConsumePrefix(&line, name + " ")) continue;
      double value;
      if (absl::SimpleAtod(line, &value)) return value;
    }
    return std::nullopt;
  }

  // LeaderMetric waits until the active controller reports `name` satisfying `ok`.
  bool LeaderMetric(const std::string& name, const std::function<bool(double)>& ok) {
    return WaitFor(
        [&] {
          eddy::v1::GetClusterStatusResponse status;
          if (!client_->Call(&Stub::GetClusterStatus, eddy::v1::GetClusterStatusRequest(), &status)
                   .ok()) {
            return false;
          }
          std::optional<double> value = Metric(status.controller_id() - 1, name);
          return value.has_value() && ok(*value);
        },
        absl::Seconds(15), absl::Milliseconds(100));
  }

  std::unique_ptr<LocalCluster> cluster_;
  std::unique_ptr<ControllerClient> client_;
  std::unique_ptr<FakeBrokers> brokers_;
};

// The same cluster with the preferred-leader check every second (Kafka's
// leader.imbalance.check.interval.seconds, here through its EDDY_* variable).
class ControllerRebalanceTest : public ControllerAdminTest {
 protected:
  void SetUp() override {
    ::setenv("EDDY_LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS", "1", 1);
    ControllerAdminTest::SetUp();
    ::unsetenv("EDDY_LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS");
  }
};

TEST_F(ControllerAdminTest, DescribeAlterAndIncrementalAlterConfigs) {
  ASSERT_EQ(CreateTopic("configs", 3, 3).error_code(), 0);
  ASSERT_EQ(CreateTopic("other", 1, 1).error_code(), 0);

  // Kafka's defaults, with their types, before anything is set.
  eddy::v1::DescribeConfigsResult described = Describe(TopicResource("configs"));
  ASSERT_EQ(described.error_code(), 0) << described.error_message();
  std::optional<eddy::v1::DescribedConfigEntry> retention = Entry(described, "retention.ms");
  ASSERT_TRUE(retention.has_value());
  EXPECT_EQ(retention->value(), "604800000");
  EXPECT_EQ(retention->source(), kDefaultConfig);
  EXPECT_EQ(retention->type(), kTypeLong);
  ASSERT_TRUE(Entry(described, "cleanup.policy").has_value());
  EXPECT_EQ(Entry(described, "cleanup.policy")->type(), kTypeList);
  EXPECT_GT(described.configs_size(), 10);
  // Named configs only.
  EXPECT_EQ(Describe(TopicResource("configs"), {"segment.bytes"}).configs_size(), 1);

  // AlterConfigs replaces the resource's whole dynamic set; describe reads it back.
  eddy::v1::ConfigResourceResult altered =
      Alter(TopicResource("configs"), {{"retention.ms", "1000"}, {"cleanup.policy", "compact"}});
  ASSERT_EQ(altered.error_code(), 0) << altered.error_message();
  described = Describe(TopicResource("configs"), {"retention.ms", "cleanup.policy"});
  EXPECT_EQ(Entry(described, "retention.ms")->value(), "1000");
  EXPECT_EQ(Entry(described, "retention.ms")->source(), kDynamicTopicConfig);
  EXPECT_EQ(Entry(described, "cleanup.policy")->value(), "compact");
  altered = Alter(TopicResource("configs"), {{"segment.bytes", "1048576"}});
  ASSERT_EQ(altered.error_code(), 0) << altered.error_message();
  described = Describe(TopicResource("configs"), {"retention.ms", "segment.bytes"});
  EXPECT_EQ(Entry(described, "retention.ms")->value(), "604800000");
  EXPECT_EQ(Entry(described, "retention.ms")->source(), kDefaultConfig);
  EXPECT_EQ(Entry(described, "segment.bytes")->value(), "1048576");

  // Incremental: SET, DELETE and APPEND in one request.
  altered = IncrementalAlter(TopicResource("configs"), {{"retention.ms", 0, "2000"},
                                                        {"segment.bytes", 1, ""},
                                                        {"cleanup.policy", 2, "compact"}});
  ASSERT_EQ(altered.error_code(), 0) << altered.error_message();
  described = Describe(TopicResource("configs"), {"retention.ms", "segment.bytes", "cleanup.policy"});
  EXPECT_EQ(Entry(described, "retention.ms")->value(), "2000");
  EXPECT_EQ(Entry(described, "segment.bytes")->value(), "1073741824");
  EXPECT_EQ(Entry(described, "segment.bytes")->source(), kDefaultConfig);
  EXPECT_EQ(Entry(described, "cleanup.policy")->value(), "delete,compact");
  // SUBTRACT takes it out again.
  altered = IncrementalAlter(TopicResource("configs"), {{"cleanup.policy", 3, "delete"}});
  ASSERT_EQ(altered.error_code(), 0) << altered.error_message();
  EXPECT_EQ(Entry(Describe(TopicResource("configs"), {"cleanup.policy"}), "cleanup.policy")->value(),
            "compact");

  // A cluster default is what a topic without its own value reports, as a dynamic default.
  altered = IncrementalAlter(ClusterResource(), {{"log.retention.ms", 0, "5000"}});
  ASSERT_EQ(altered.error_code(), 0) << altered.error_message();
  retention = Entry(Describe(TopicResource("other"), {"retention.ms"}), "retention.ms");
  EXPECT_EQ(retention->value(), "5000");
  EXPECT_EQ(retention->source(), kDynamicDefaultBrokerConfig);
  EXPECT_EQ(Entry(Describe(TopicResource("configs"), {"retention.ms"}), "retention.ms")->value(),
            "2000");

  // validate_only checks and answers but writes nothing.
  altered = Alter(TopicResource("configs"), {{"retention.ms", "7"}}, /*validate_only=*/true);
  EXPECT_EQ(altered.error_code(), 0) << altered.error_message();
  altered = IncrementalAlter(TopicResource("configs"), {{"retention.ms", 0, "8"}},
                             /*validate_only=*/true);
  EXPECT_EQ(altered.error_code(), 0) << altered.error_message();
  EXPECT_EQ(Entry(Describe(TopicResource("configs"), {"retention.ms"}), "retention.ms")->value(),
            "2000");
  altered = Alter(TopicResource("configs"), {{"retention.ms", "x"}}, /*validate_only=*/true);
  EXPECT_EQ(altered.error_code(), kInvalidConfig);

  // The values survived replication: every controller's replica holds them.
  for (size_t c = 0; c < kControllers; ++c) {
    EXPECT_TRUE(WaitFor(
        [&] {
          std::optional<eddy::v1::TopicMetadata> topic = Topic("configs", c);
          return topic.has_value() && topic->configs().contains("retention.ms") &&
                 topic->configs().at("retention.ms") == "2000";
        },
        absl::Seconds(10)))
        << "controller " << c;
  }
}

TEST_F(ControllerAdminTest, InvalidConfigsGetInvalidConfigWithAMessage) {
  ASSERT_EQ(CreateTopic("strict", 1, 1).error_code(), 0);
  struct Case {
    std::map<std::string, std::string> configs;
    std::string message_part;
  };
  const std::vector<Case> cases = {
      {{{"no.such.config", "1"}}, "no.such.config"},
      {{{"retention.ms", "-5"}}, "retention.ms"},
      {{{"retention.ms", "soon"}}, "retention.ms"},
      {{{"min.insync.replicas", "0"}}, "min.insync.replicas"},
      {{{"cleanup.policy", "shred"}}, "cleanup.policy"},
      {{{"segment.bytes", "99999999999"}}, "segment.bytes"},
  };
  for (const Case& c : cases) {
    const std::string what = c.configs.begin()->first + "=" + c.configs.begin()->second;
    eddy::v1::ConfigResourceResult result = Alter(TopicResource("strict"), c.configs);
    EXPECT_EQ(result.error_code(), kInvalidConfig) << what;
    EXPECT_THAT(result.error_message(), HasSubstr(c.message_part)) << what;
    result = IncrementalAlter(TopicResource("strict"),
                              {{c.configs.begin()->first, 0, c.configs.begin()->second}});
    EXPECT_EQ(result.error_code(), kInvalidConfig) << what;
    EXPECT_THAT(result.error_message(), Not(IsEmpty())) << what;
    // The same configs refuse a new topic, validate-only or not.
    for (bool validate_only : {true, false}) {
      eddy::v1::TopicResult created = CreateTopic("refused", 1, 1, c.configs, validate_only);
      EXPECT_EQ(created.error_code(), kInvalidConfig) << what;
      EXPECT_THAT(created.error_message(), HasSubstr(c.message_part)) << what;
    }
  }
  // APPEND to a non-list config, a key twice, an unknown topic, a broker name that is no id.
  eddy::v1::ConfigResourceResult result =
      IncrementalAlter(TopicResource("strict"), {{"retention.ms", 2, "5"}});
  EXPECT_EQ(result.error_code(), kInvalidConfig);
  EXPECT_THAT(result.error_message(), HasSubstr("retention.ms"));
  result = IncrementalAlter(TopicResource("strict"),
                            {{"retention.ms", 0, "5"}, {"retention.ms", 1, ""}});
  EXPECT_EQ(result.error_code(), kInvalidRequest);
  EXPECT_THAT(result.error_message(), Not(IsEmpty()));
  result = Alter(TopicResource("missing"), {{"retention.ms", "5"}});
  EXPECT_EQ(result.error_code(), kUnknownTopicOrPartition);
  EXPECT_EQ(Describe(TopicResource("missing")).error_code(), kUnknownTopicOrPartition);
  eddy::v1::ConfigResourceRef bad_broker;
  bad_broker.set_type(eddy::v1::CONFIG_RESOURCE_TYPE_BROKER);
  bad_broker.set_name("not-an-id");
  EXPECT_EQ(Describe(bad_broker).error_code(), kInvalidRequest);
  // Nothing of a refused request was written.
  EXPECT_EQ(Entry(Describe(TopicResource("strict"), {"retention.ms"}), "retention.ms")->source(),
            kDefaultConfig);
  EXPECT_FALSE(Topic("refused").has_value());
}

TEST_F(ControllerAdminTest, InvalidTopicRequestsGetKafkaErrorCodesWithAMessage) {
  struct Case {
    std::string name;
    int partitions;
    int rf;
    int code;
  };
  const std::vector<Case> cases = {
      {"", 1, 1, kInvalidTopic},
      {".", 1, 1, kInvalidTopic},
      {"..", 1, 1, kInvalidTopic},
      {"has space", 1, 1, kInvalidTopic},
      {"slash/name", 1, 1, kInvalidTopic},
      {std::string(250, 'a'), 1, 1, kInvalidTopic},
      {"zero-partitions", 0, 1, kInvalidPartitions},
      {"negative-partitions", -5, 1, kInvalidPartitions},
      {"zero-rf", 1, 0, kInvalidReplicationFactor},
      {"rf-above-live-brokers", 1, kBrokers + 1, kInvalidReplicationFactor},
  };
  for (const Case& c : cases) {
    for (bool validate_only : {true, false}) {
      eddy::v1::TopicResult result = CreateTopic(c.name, c.partitions, c.rf, {}, validate_only);
      EXPECT_EQ(result.error_code(), c.code) << "'" << c.name << "'";
      EXPECT_THAT(result.error_message(), Not(IsEmpty())) << "'" << c.name << "'";
    }
  }
  // 249 characters is the longest legal name; '.' and '_' collide.
  EXPECT_EQ(CreateTopic(std::string(249, 'a'), 1, 1).error_code(), 0);
  ASSERT_EQ(CreateTopic("dot.name", 1, 1).error_code(), 0);
  eddy::v1::TopicResult collision = CreateTopic("dot_name", 1, 1);
  EXPECT_EQ(collision.error_code(), kInvalidTopic);
  EXPECT_THAT(collision.error_message(), HasSubstr("collides"));

  // A fenced broker is not a live broker: RF 3 fails while one of three is down.
  brokers_->SetAlive(3, false);
  ASSERT_TRUE(WaitFor([&] { return UnfencedBrokers() == kBrokers - 1; }, absl::Seconds(10)));
  eddy::v1::TopicResult too_wide = CreateTopic("too-wide", 1, kBrokers);
  EXPECT_EQ(too_wide.error_code(), kInvalidReplicationFactor);
  EXPECT_THAT(too_wide.error_message(), Not(IsEmpty()));
  brokers_->SetAlive(3, true);

  // CreatePartitions: a count that does not grow the topic, and an unknown topic.
  eddy::v1::CreatePartitionsRequest grow;
  auto* topic = grow.add_topics();
  topic->set_name("dot.name");
  topic->set_count(1);
  auto* missing = grow.add_topics();
  missing->set_name("missing");
  missing->set_count(4);
  eddy::v1::CreatePartitionsResponse grown;
  ASSERT_TRUE(client_->Call(&Stub::CreatePartitions, grow, &grown).ok());
  ASSERT_EQ(grown.results_size(), 2);
  EXPECT_EQ(grown.results(0).error_code(), kInvalidPartitions);
  EXPECT_THAT(grown.results(0).error_message(), Not(IsEmpty()));
  EXPECT_EQ(grown.results(1).error_code(), kUnknownTopicOrPartition);

  // DeleteTopics of an unknown topic.
  eddy::v1::DeleteTopicsRequest remove;
  remove.add_names("missing");
  eddy::v1::DeleteTopicsResponse removed;
  ASSERT_TRUE(client_->Call(&Stub::DeleteTopics, remove, &removed).ok());
  ASSERT_EQ(removed.results_size(), 1);
  EXPECT_EQ(removed.results(0).error_code(), kUnknownTopicOrPartition);

  // None of the refused topics exists on any controller.
  std::optional<eddy::v1::MetadataDelta> snapshot = client_->Snapshot(0);
  ASSERT_TRUE(snapshot.has_value());
  for (const eddy::v1::TopicMetadata& t : snapshot->topics()) {
    EXPECT_TRUE(t.name() == "dot.name" || t.name() == std::string(249, 'a')) << t.name();
  }
}

TEST_F(ControllerAdminTest, ElectLeadersPreferredAndUnclean) {
  ASSERT_EQ(CreateTopic("elect", 1, 3).error_code(), 0);
  std::optional<eddy::v1::PartitionMetadata> partition = WaitForPartition(
      "elect", 0, [](const eddy::v1::PartitionMetadata& p) { return p.leader() > 0; });
  ASSERT_TRUE(partition.has_value());
  const int32_t preferred = partition->replicas(0);
  ASSERT_EQ(partition->leader(), preferred);

  // The preferred replica leads already.
  eddy::v1::ElectLeadersResponse elected = Elect(0, "elect", {0});
  ASSERT_EQ(elected.results_size(), 1);
  EXPECT_EQ(elected.results(0).error_code(), kElectionNotNeeded);
  EXPECT_THAT(elected.results(0).error_message(), Not(IsEmpty()));
  // Unknown partitions and topics.
  elected = Elect(0, "elect", {7});
  ASSERT_EQ(elected.results_size(), 1);
  EXPECT_EQ(elected.results(0).error_code(), kUnknownTopicOrPartition);
  elected = Elect(0, "missing", {0});
  ASSERT_EQ(elected.results_size(), 1);
  EXPECT_EQ(elected.results(0).error_code(), kUnknownTopicOrPartition);

  // The preferred leader's lease expires: leadership moves within the ISR, without it.
  brokers_->SetAlive(preferred, false);
  partition = WaitForPartition("elect", 0, [&](const eddy::v1::PartitionMetadata& p) {
    return p.leader() > 0 && p.leader() != preferred &&
           std::find(p.isr().begin(), p.isr().end(), preferred) == p.isr().end();
  });
  ASSERT_TRUE(partition.has_value()) << "leadership did not move off the fenced broker";
  // While it is fenced it cannot be elected.
  elected = Elect(0, "elect", {0});
  ASSERT_EQ(elected.results_size(), 1);
  EXPECT_EQ(elected.results(0).error_code(), kPreferredLeaderNotAvailable);

  // It comes back and its leader takes it back into the ISR; now the preferred election runs.
  brokers_->SetAlive(preferred, true);
  ASSERT_TRUE(WaitFor([&] { return UnfencedBrokers() == kBrokers; }, absl::Seconds(10)));
  partition = WaitForPartition("elect", 0,
                               [](const eddy::v1::PartitionMetadata& p) { return p.leader() > 0; });
  ASSERT_TRUE(partition.has_value());
  std::vector<int32_t> isr(partition->isr().begin(), partition->isr().end());
  isr.push_back(preferred);
  eddy::v1::AlterPartitionResponse grown = AlterIsr("elect", *partition, isr);
  ASSERT_EQ(grown.error_code(), 0) << grown.error_message();
  elected = Elect(0, "elect", {0});
  ASSERT_EQ(elected.results_size(), 1);
  EXPECT_EQ(elected.results(0).error_code(), 0) << elected.results(0).error_message();
  const int32_t epoch_before = grown.partition().leader_epoch();
  partition = WaitForPartition("elect", 0, [&](const eddy::v1::PartitionMetadata& p) {
    return p.leader() == preferred;
  });
  ASSERT_TRUE(partition.has_value());
  EXPECT_GT(partition->leader_epoch(), epoch_before);

  // Unclean: the ISR shrinks to the leader alone, which then dies. The partition is offline, and
  // only an unclean election brings it back, with the out-of-sync replica.
  ASSERT_EQ(CreateTopic("unclean", 1, 2).error_code(), 0);
  partition = WaitForPartition("unclean", 0,
                               [](const eddy::v1::PartitionMetadata& p) { return p.leader() > 0; });
  ASSERT_TRUE(partition.has_value());
  const int32_t last_leader = partition->leader();
  int32_t survivor = 0;
  for (int32_t replica : partition->replicas()) {
    if (replica != last_leader) survivor = replica;
  }
  eddy::v1::AlterPartitionResponse shrunk = AlterIsr("unclean", *partition, {last_leader});
  ASSERT_EQ(shrunk.error_code(), 0) << shrunk.error_message();
  elected = Elect(1, "unclean", {0});
  ASSERT_EQ(elected.results_size(), 1);
  EXPECT_EQ(elected.results(0).error_code(), kElectionNotNeeded);  // it has a leader

  brokers_->SetAlive(last_leader, false);
  partition = WaitForPartition("unclean", 0,
                               [](const eddy::v1::PartitionMetadata& p) { return p.leader() < 0; });
  ASSERT_TRUE(partition.has_value()) << "the partition did not go offline";
  // A clean (preferred) election cannot pick the out-of-sync survivor.
  elected = Elect(0, "unclean", {0});
  ASSERT_EQ(elected.results_size(), 1);
  EXPECT_NE(elected.results(0).error_code(), 0);
  elected = Elect(1, "unclean", {0});
  ASSERT_EQ(elected.results_size(), 1);
  EXPECT_EQ(elected.results(0).error_code(), 0) << elected.results(0).error_message();
  partition = WaitForPartition("unclean", 0, [&](const eddy::v1::PartitionMetadata& p) {
    return p.leader() == survivor;
  });
  ASSERT_TRUE(partition.has_value()) << "the unclean election did not elect broker " << survivor;
  EXPECT_THAT(partition->isr(), ::testing::ElementsAre(survivor));

  // With every replica fenced there is nobody to elect, even uncleanly.
  brokers_->SetAlive(survivor, false);
  ASSERT_TRUE(WaitForPartition("unclean", 0, [](const eddy::v1::PartitionMetadata& p) {
                return p.leader() < 0;
              }).has_value());
  elected = Elect(1, "unclean", {0});
  ASSERT_EQ(elected.results_size(), 1);
  EXPECT_EQ(elected.results(0).error_code(), kEligibleLeadersNotAvailable);

  // An election type Kafka does not have is refused outright.
  eddy::v1::ElectLeadersRequest bad;
  bad.set_election_type(5);
  bad.set_all_partitions(true);
  eddy::v1::ElectLeadersResponse refused;
  EXPECT_EQ(client_->Call(&Stub::ElectLeaders, bad, &refused).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ControllerAdminTest, AllocateProducerIdsHandsOutDisjointBlocksAcrossFailover) {
  struct Block {
    int64_t first;
    int64_t count;
  };
  std::vector<Block> blocks;
  auto allocate = [&](int32_t broker) {
    eddy::v1::AllocateProducerIdsResponse response =
        AllocateProducerIds(broker, brokers_->Epoch(broker));
    ASSERT_EQ(response.error_code(), 0) << response.error_message();
    ASSERT_GT(response.producer_id_count(), 0);
    blocks.push_back({response.first_producer_id(), response.producer_id_count()});
  };
  for (int32_t broker : {1, 2, 1, 3}) allocate(broker);

  // A failover of the controller must not hand out an id twice.
  EDDY_ASSERT_OK_AND_ASSIGN(eddy::v1::GetClusterStatusResponse status, cluster_->ClusterStatus());
  const int leader = status.controller_id() - 1;
  EDDY_ASSERT_OK(cluster_->Kill(Role::kController, leader));
  for (int32_t broker : {2, 3}) allocate(broker);
  EDDY_ASSERT_OK(cluster_->Restart(Role::kController, leader));
  allocate(1);

  std::sort(blocks.begin(), blocks.end(),
            [](const Block& a, const Block& b) { return a.first < b.first; });
  ASSERT_EQ(blocks.size(), 7u);
  EXPECT_GE(blocks[0].first, 0);
  for (size_t i = 1; i < blocks.size(); ++i) {
    EXPECT_GE(blocks[i].first, blocks[i - 1].first + blocks[i - 1].count)
        << "blocks " << i - 1 << " and " << i << " overlap";
  }

  // A stale or unknown broker epoch gets STALE_BROKER_EPOCH with a message.
  eddy::v1::AllocateProducerIdsResponse stale = AllocateProducerIds(1, brokers_->Epoch(1) + 1000);
  EXPECT_EQ(stale.error_code(), kStaleBrokerEpoch);
  EXPECT_THAT(stale.error_message(), Not(IsEmpty()));
  stale = AllocateProducerIds(42, 1);
  EXPECT_EQ(stale.error_code(), kStaleBrokerEpoch);
}

TEST_F(ControllerRebalanceTest, LeadershipReturnsToThePreferredReplicaOnTheTimer) {
  ASSERT_EQ(CreateTopic("balance", 1, 3).error_code(), 0);
  std::optional<eddy::v1::PartitionMetadata> partition = WaitForPartition(
      "balance", 0, [](const eddy::v1::PartitionMetadata& p) { return p.leader() > 0; });
  ASSERT_TRUE(partition.has_value());
  const int32_t preferred = partition->replicas(0);

  brokers_->SetAlive(preferred, false);
  partition = WaitForPartition("balance", 0, [&](const eddy::v1::PartitionMetadata& p) {
    return p.leader() > 0 && p.leader() != preferred &&
           std::find(p.isr().begin(), p.isr().end(), preferred) == p.isr().end();
  });
  ASSERT_TRUE(partition.has_value());
  brokers_->SetAlive(preferred, true);
  ASSERT_TRUE(WaitFor([&] { return UnfencedBrokers() == kBrokers; }, absl::Seconds(10)));
  partition = WaitForPartition("balance", 0,
                               [](const eddy::v1::PartitionMetadata& p) { return p.leader() > 0; });
  ASSERT_TRUE(partition.has_value());
  std::vector<int32_t> isr(partition->isr().begin(), partition->isr().end());
  isr.push_back(preferred);
  ASSERT_EQ(AlterIsr("balance", *partition, isr).error_code(), 0);

  // Nobody asks for an election: the active controller's timer moves leadership back.
  EXPECT_TRUE(WaitForPartition("balance", 0, [&](const eddy::v1::PartitionMetadata& p) {
                return p.leader() == preferred;
              }).has_value())
      << "leadership did not return to preferred broker " << preferred;
}

TEST_F(ControllerAdminTest, MetricsReportTheQuorumAndPartitionHealth) {
  // One active controller; all agree on the term; entries were committed and applied.
  ASSERT_TRUE(WaitFor(
      [&] {
        int active = 0;
        std::optional<double> term;
        for (int i = 0; i < kControllers; ++i) {
          std::optional<double> is_active = Metric(i, "eddy_controller_active");
          std::optional<double> t = Metric(i, "eddy_controller_raft_term");
          if (!is_active || !t || *t < 1 || (term && *term != *t)) return false;
          term = t;
          active += *is_active == 1;
        }
        return active == 1;
      },
      absl::Seconds(15)));
  for (int i = 0; i < kControllers; ++i) {
    EXPECT_GT(Metric(i, "eddy_controller_raft_commit_index").value_or(0), 0) << i;
    EXPECT_GE(Metric(i, "eddy_controller_raft_leader_changes_total").value_or(0), 1) << i;
    EXPECT_GT(Metric(i, "eddy_controller_metadata_apply_latency_seconds_count").value_or(0), 0)
        << i;
  }

  // A broker goes away: it is fenced, its single-replica partition goes offline and the
  // three-replica one is under-replicated.
  ASSERT_EQ(CreateTopic("single", 1, 1).error_code(), 0);
  std::optional<eddy::v1::PartitionMetadata> single = WaitForPartition(
      "single", 0, [](const eddy::v1::PartitionMetadata& p) { return p.leader() > 0; });
  ASSERT_TRUE(single.has_value());
  ASSERT_EQ(CreateTopic("triple", 1, 3).error_code(), 0);
  EXPECT_TRUE(LeaderMetric("eddy_controller_offline_partitions", [](double v) { return v == 0; }));
  brokers_->SetAlive(single->leader(), false);
  EXPECT_TRUE(LeaderMetric("eddy_controller_fenced_brokers", [](double v) { return v == 1; }));
  EXPECT_TRUE(LeaderMetric("eddy_controller_offline_partitions", [](double v) { return v == 1; }));
  EXPECT_TRUE(
      LeaderMetric("eddy_controller_under_replicated_partitions", [](double v) { return v >= 1; }));
  brokers_->SetAlive(single->leader(), true);
  EXPECT_TRUE(LeaderMetric("eddy_controller_fenced_brokers", [](double v) { return v == 0; }));
}

}  // namespace
}  // namespace eddy::testing
