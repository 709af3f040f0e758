// A seeded random walk over the controller's commands: brokers register, unfence, get fenced,
// shut down and come back; topics are created, grown and deleted; leaders shrink and expand ISRs;
// elections run. After every command its records are applied as one Raft entry and the image is
// checked against the invariants Kafka's controller keeps:
// - a partition's leader is -1 or a member of its ISR, and every ISR member is usable;
// - a partition whose ISR is non-empty has a leader;
// - ELR is disjoint from the ISR and empty while |ISR| >= min.insync.replicas;
// - a new leader comes from the previous ISR or ELR unless an unclean election was allowed;
// - leader and partition epochs never go backwards;
// and at the end a snapshot restores to the same image. A failure prints its seed.
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>

#include "gtest/gtest.h"
#include "services/controller/broker_lifecycle.h"
#include "services/controller/config_commands.h"
#include "services/controller/metadata_test_fixture.h"
#include "services/controller/partition_commands.h"
#include "services/controller/topic_commands.h"
#include "services/controller/topic_configs.h"

namespace eddy::controller {
namespace {

using testing::MetadataFixture;
using PartitionKey = std::tuple<common::Uuid, int32_t>;

class RandomWalk {
 public:
  explicit RandomWalk(uint64_t seed) : rng_(seed), commands_rng_(seed * 31 + 7) {}

  void Step() {
    previous_.clear();
    for (const auto& [id, topic] : f_.image().topics()) {
      for (const auto& [index, p] : topic.partitions) previous_[{id, index}] = p;
    }
    unclean_allowed_ = false;
    switch (Uniform(0, 9)) {
      case 0:
        Register();
        break;
      case 1:
        Unfence();
        break;
      case 2:
        Fence();
        break;
      case 3:
        Shutdown();
        break;
      case 4:
        CreateTopic();
        break;
      case 5:
        GrowOrDelete();
        break;
      case 6:
      case 7:
        AlterIsr();
        break;
      case 8:
        Elect();
        break;
      default:
        ChangeMinIsr();
        break;
    }
    CheckInvariants();
  }

  void CheckSnapshot() {
    MetadataStateMachine restored;
    ASSERT_TRUE(restored.Restore(f_.state_machine().Snapshot()).ok());
    EXPECT_EQ(restored.Snapshot(), f_.state_machine().Snapshot());
    EXPECT_EQ(restored.image().topics(), f_.image().topics());
  }

  int topics_created() const { return topics_created_; }
  int leader_changes() const { return leader_changes_; }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  BrokerId AnyBroker() { return BrokerId(Uniform(1, 5)); }

  void Register() {
    const BrokerId id = AnyBroker();
    const auto* existing = f_.image().FindBroker(id);
    RegisterBrokerRequest request{.broker_id = id,
                                  .incarnation_id = "inc-" + std::to_string(Uniform(0, 1000)),
                                  .rack = "rack" + std::to_string(id.value() % 2),
                                  .clean_shutdown = Uniform(0, 3) != 0};
    // The lease of a live registration blocks a new incarnation; say it lapsed half the time.
    const bool lease_live = existing != nullptr && !existing->fenced() && Uniform(0, 1) == 0;
    f_.Apply(RegisterBroker(f_.image(), request, lease_live).records);
  }

  void Unfence() {
    const BrokerId id = AnyBroker();
    if (const auto* b = f_.image().FindBroker(id)) {
      f_.Apply(UnfenceBroker(f_.image(), id, BrokerEpoch(b->broker_epoch())).records);
    }
  }

  void Fence() { f_.Apply(FenceBroker(f_.image(), AnyBroker()).records); }

  void Shutdown() {
    const BrokerId id = AnyBroker();
    if (const auto* b = f_.image().FindBroker(id)) {
      f_.Apply(BeginControlledShutdown(f_.image(), id, BrokerEpoch(b->broker_epoch())).records);
    }
  }

  void CreateTopic() {
    eddy::v1::CreateTopicsRequest request;
    auto* topic = request.add_topics();
    topic->set_name("t" + std::to_string(Uniform(0, 6)));
    topic->set_num_partitions(Uniform(1, 4));
    topic->set_replication_factor(Uniform(1, 3));
    if (Uniform(0, 3) == 0) (*topic->mutable_configs())["unclean.leader.election.enable"] = "true";
    auto result = CreateTopics(f_.image(), ControllerOptions{}, request, commands_rng_);
    if (result.response.results(0).error_code() == 0) ++topics_created_;
    f_.Apply(result.records);
  }

  const TopicState* AnyTopic() {
    if (f_.image().topics().empty()) return nullptr;
    auto it = f_.image().topics().begin();
    std::advance(it, Uniform(0, static_cast<int>(f_.image().topics().size()) - 1));
    return &it->second;
  }

  void GrowOrDelete() {
    const TopicState* topic = AnyTopic();
    if (topic == nullptr) return;
    if (Uniform(0, 2) == 0) {
      eddy::v1::DeleteTopicsRequest request;
      request.add_names(topic->name);
      f_.Apply(DeleteTopics(f_.image(), request).records);
      return;
    }
    eddy::v1::CreatePartitionsRequest request;
    auto* spec = request.add_topics();
    spec->set_name(topic->name);
    spec->set_count(static_cast<int32_t>(topic->partitions.size()) + Uniform(1, 2));
    f_.Apply(CreatePartitions(f_.image(), ControllerOptions{}, request, commands_rng_).records);
  }

  void AlterIsr() {
    const TopicState* topic = AnyTopic();
    if (topic == nullptr) return;
    const int32_t index = Uniform(0, static_cast<int>(topic->partitions.size()) - 1);
    const PartitionState& p = topic->partitions.at(index);
    if (!p.HasLeader()) return;
    // The leader proposes a random ISR containing itself; ineligible members get refused.
    std::vector<BrokerId> isr = {p.leader};
    for (BrokerId r : p.replicas) {
      if (r != p.leader && Uniform(0, 1) == 0) isr.push_back(r);
    }
    eddy::v1::AlterPartitionRequest request;
    request.set_broker_id(p.leader.value());
    request.set_broker_epoch(f_.image().FindBroker(p.leader)->broker_epoch());
    request.mutable_partition()->set_topic(topic->name);
    request.mutable_partition()->set_partition(index);
    request.set_leader_epoch(p.leader_epoch.value());
    request.set_partition_epoch(p.partition_epoch.value() - Uniform(0, 4) / 4);
    for (BrokerId b : isr) request.add_new_isr(b.value());
    f_.Apply(AlterPartition(f_.image(), request).records);
  }

  void Elect() {
    const bool unclean = Uniform(0, 3) == 0;
    unclean_allowed_ = unclean;
    f_.Apply(ElectLeaders(f_.image(), {unclean ? ElectionType::kUnclean : ElectionType::kPreferred,
                                       std::nullopt})
                 .records);
  }

  void ChangeMinIsr() {
    const TopicState* topic = AnyTopic();
    if (topic == nullptr) return;
    f_.Apply(IncrementalAlterConfigs(
                 f_.image(),
                 {{{eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, topic->name},
                   {{"min.insync.replicas", AlterConfigOp::kSet, std::to_string(Uniform(1, 3))}}}},
                 false)
                 .records);
  }

  void CheckInvariants() {
    const MetadataImage& image = f_.image();
    for (const auto& [id, topic] : image.topics()) {
      const int32_t min_isr = MinInsyncReplicas(image, topic.name);
      for (const auto& [index, p] : topic.partitions) {
        SCOPED_TRACE(topic.name + "-" + std::to_string(index));
        for (BrokerId b : p.isr) EXPECT_TRUE(image.IsUsable(b)) << "ISR member " << b;
        EXPECT_EQ(p.isr.empty(), !p.HasLeader());
        if (p.HasLeader()) {
          EXPECT_TRUE(Contains(p.isr, p.leader));
        }
        for (BrokerId b : p.elr) EXPECT_FALSE(Contains(p.isr, b));
        if (static_cast<int32_t>(p.isr.size()) >= min_isr) {
          EXPECT_TRUE(p.elr.empty());
        }
        auto prev = previous_.find({id, index});
        if (prev == previous_.end()) continue;
        const PartitionState& before = prev->second;
        EXPECT_GE(p.leader_epoch, before.leader_epoch);
        EXPECT_GE(p.partition_epoch, before.partition_epoch);
        if (p.leader != before.leader) {
          ++leader_changes_;
          EXPECT_GT(p.leader_epoch, before.leader_epoch);
        }
        if (p.HasLeader() && p.leader != before.leader && !unclean_allowed_ &&
            !UncleanLeaderElectionEnabled(image, topic.name)) {
          EXPECT_TRUE(Contains(before.isr, p.leader) || Contains(before.elr, p.leader))
              << "leader " << p.leader << " came from outside ISR and ELR";
        }
      }
    }
  }

  std::mt19937_64 rng_;
  std::mt19937_64 commands_rng_;
  MetadataFixture f_;
  std::map<PartitionKey, PartitionState> previous_;
  bool unclean_allowed_ = false;
  int topics_created_ = 0;
  int leader_changes_ = 0;
};

TEST(ControllerCommandsRandomTest, InvariantsHoldOverRandomCommandSequences) {
  constexpr uint64_t kSeeds = 30;
  constexpr int kSteps = 200;
  int topics = 0;
  int leader_changes = 0;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    RandomWalk walk(seed);
    for (int step = 0; step < kSteps && !::testing::Test::HasFailure(); ++step) walk.Step();
    walk.CheckSnapshot();
    topics += walk.topics_created();
    leader_changes += walk.leader_changes();
    if (::testing::Test::HasFailure()) break;
  }
  // The walk must actually exercise topics and elections, or the invariants prove nothing.
  EXPECT_GT(topics, 100);
  EXPECT_GT(leader_changes, 200);
}

}  // namespace
}  // namespace eddy::controller
