#include "services/controller/metadata_state_machine.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/controller/metadata_records.h"
#include "tests/testing/status_matchers.h"

namespace eddy::controller {
namespace {

using eddy::testing::IsOk;
using eddy::testing::StatusIs;

common::Uuid IdOf(uint64_t n) { return common::Uuid::FromMsbLsb(0x1234, n); }

eddy::v1::MetadataRecord RegisterBroker(int32_t id, std::string rack = "") {
  eddy::v1::RegisterBrokerRecord r;
  r.set_broker_id(id);
  r.set_incarnation_id("inc-" + std::to_string(id));
  r.set_rack(std::move(rack));
  return Wrap(r);
}

eddy::v1::MetadataRecord Topic(const std::string& name, const common::Uuid& id) {
  eddy::v1::TopicRecord r;
  r.set_name(name);
  *r.mutable_topic_id() = TopicIdToProto(id);
  return Wrap(r);
}

eddy::v1::MetadataRecord Partition(const common::Uuid& id, int32_t index,
                                   std::vector<BrokerId> replicas) {
  PartitionState state;
  state.replicas = replicas;
  state.isr = replicas;
  state.leader = replicas.front();
  return Wrap(PartitionToRecord(id, index, state));
}

TEST(MetadataStateMachineTest, RegistrationEpochIsTheLogIndexAndStartsFenced) {
  MetadataStateMachine sm;
  EDDY_ASSERT_OK(sm.Apply(RegisterBroker(1, "r1"), LogIndex(7)));
  const auto* broker = sm.image().FindBroker(BrokerId(1));
  ASSERT_NE(broker, nullptr);
  EXPECT_EQ(broker->broker_epoch(), 7);
  EXPECT_TRUE(broker->fenced());
  EXPECT_EQ(broker->rack(), "r1");
  EXPECT_EQ(sm.last_applied_index(), LogIndex(7));

  eddy::v1::UnfenceBrokerRecord stale;
  stale.set_broker_id(1);
  stale.set_broker_epoch(3);
  EDDY_ASSERT_OK(sm.Apply(Wrap(stale), LogIndex(8)));
  EXPECT_TRUE(sm.image().FindBroker(BrokerId(1))->fenced()) << "stale epoch must be ignored";
  stale.set_broker_epoch(7);
  EDDY_ASSERT_OK(sm.Apply(Wrap(stale), LogIndex(9)));
  EXPECT_TRUE(sm.image().IsUsable(BrokerId(1)));
}

TEST(MetadataStateMachineTest, PartitionChangeBumpsEpochs) {
  MetadataStateMachine sm;
  common::Uuid id = IdOf(1);
  EDDY_ASSERT_OK(sm.Apply(Topic("t", id), LogIndex(1)));
  EDDY_ASSERT_OK(sm.Apply(Partition(id, 0, {BrokerId(1), BrokerId(2)}), LogIndex(1)));

  eddy::v1::PartitionChangeRecord isr_only;
  *isr_only.mutable_topic_id() = TopicIdToProto(id);
  *isr_only.mutable_isr() = BrokerIdListToProto({BrokerId(1)});
  EDDY_ASSERT_OK(sm.Apply(Wrap(isr_only), LogIndex(2)));
  const PartitionState* p = sm.image().FindPartition(id, 0);
  EXPECT_EQ(p->isr, std::vector<BrokerId>{BrokerId(1)});
  EXPECT_EQ(p->leader_epoch, LeaderEpoch(0));
  EXPECT_EQ(p->partition_epoch, PartitionEpoch(1));

  eddy::v1::PartitionChangeRecord leader;
  *leader.mutable_topic_id() = TopicIdToProto(id);
  leader.set_leader(-1);
  EDDY_ASSERT_OK(sm.Apply(Wrap(leader), LogIndex(3)));
  p = sm.image().FindPartition(id, 0);
  EXPECT_EQ(p->leader, kNoLeader);
  EXPECT_EQ(p->leader_epoch, LeaderEpoch(1));
  EXPECT_EQ(p->partition_epoch, PartitionEpoch(2));
}

TEST(MetadataStateMachineTest, RefusesInconsistentRecordsWithoutChangingTheImage) {
  MetadataStateMachine sm;
  common::Uuid id = IdOf(1);
  EDDY_ASSERT_OK(sm.Apply(Topic("t", id), LogIndex(1)));
  EDDY_ASSERT_OK(sm.Apply(Partition(id, 0, {BrokerId(1), BrokerId(2)}), LogIndex(2)));
  std::string before = sm.Snapshot();

  EXPECT_THAT(sm.Apply(Topic("t", IdOf(2)), LogIndex(3)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(sm.Apply(Partition(IdOf(9), 0, {BrokerId(1)}), LogIndex(3)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(sm.Apply(Partition(id, 5, {BrokerId(1)}), LogIndex(3)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  eddy::v1::PartitionChangeRecord bad_leader;
  *bad_leader.mutable_topic_id() = TopicIdToProto(id);
  bad_leader.set_leader(3);  // not in the ISR
  EXPECT_THAT(sm.Apply(Wrap(bad_leader), LogIndex(3)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  eddy::v1::MetadataRecord future = Topic("u", IdOf(3));
  future.set_version(kMetadataRecordVersion + 1);
  EXPECT_THAT(sm.Apply(future, LogIndex(3)), StatusIs(absl::StatusCode::kFailedPrecondition));
  eddy::v1::MetadataRecord unknown;
  unknown.set_version(kMetadataRecordVersion);
  EXPECT_THAT(sm.Apply(unknown, LogIndex(3)), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(sm.Apply(Topic("u", IdOf(3)), LogIndex(1)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(sm.Snapshot(), before);
}

TEST(MetadataStateMachineTest, RemoveTopicDropsItsConfigs) {
  MetadataStateMachine sm;
  common::Uuid id = IdOf(1);
  EDDY_ASSERT_OK(sm.Apply(Topic("t", id), LogIndex(1)));
  eddy::v1::ConfigRecord config;
  config.set_resource_type(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC);
  config.set_resource_name("t");
  config.set_name("retention.ms");
  config.set_value("1000");
  EDDY_ASSERT_OK(sm.Apply(Wrap(config), LogIndex(2)));
  EXPECT_EQ(sm.image().ConfigValue({eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, "t"}, "retention.ms"),
            "1000");
  eddy::v1::RemoveTopicRecord remove;
  *remove.mutable_topic_id() = TopicIdToProto(id);
  EDDY_ASSERT_OK(sm.Apply(Wrap(remove), LogIndex(3)));
  EXPECT_EQ(sm.image().FindTopicByName("t"), nullptr);
  EXPECT_TRUE(sm.image().configs().empty());
}

TEST(MetadataStateMachineTest, ABatchAppliesOnceAndAdvancesTheIndex) {
  MetadataStateMachine sm;
  eddy::v1::MetadataRecordBatch batch;
  *batch.add_records() = Topic("t", IdOf(1));
  *batch.add_records() = Partition(IdOf(1), 0, {BrokerId(1)});
  EDDY_ASSERT_OK(sm.ApplyBatch(batch, LogIndex(5)));
  EXPECT_EQ(sm.last_applied_index(), LogIndex(5));
  EXPECT_THAT(sm.ApplyBatch(batch, LogIndex(5)), StatusIs(absl::StatusCode::kInvalidArgument));
  EDDY_ASSERT_OK(sm.ApplyBatch(eddy::v1::MetadataRecordBatch(), LogIndex(6)));
  EXPECT_EQ(sm.last_applied_index(), LogIndex(6));
  EXPECT_EQ(sm.image().FindTopicByName("t")->partitions.size(), 1u);
}

TEST(MetadataStateMachineTest, ApplyEntryParsesTheRaftPayload) {
  MetadataStateMachine sm;
  eddy::v1::MetadataRecordBatch batch;
  *batch.add_records() = RegisterBroker(3);
  EDDY_ASSERT_OK(sm.ApplyEntry(batch.SerializeAsString(), LogIndex(2)));
  EXPECT_NE(sm.image().FindBroker(BrokerId(3)), nullptr);
  EXPECT_THAT(sm.ApplyEntry("\x0a\xff", LogIndex(3)), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_EQ(sm.last_applied_index(), LogIndex(2));
}

TEST(MetadataStateMachineTest, RestoreRejectsGarbageAndKeepsTheImage) {
  MetadataStateMachine sm;
  EDDY_ASSERT_OK(sm.Apply(RegisterBroker(1), LogIndex(1)));
  std::string before = sm.Snapshot();
  EXPECT_THAT(sm.Restore("\xff\xff\xff"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_EQ(sm.Snapshot(), before);
}

eddy::v1::MetadataRecord ClusterId(const std::string& id) {
  eddy::v1::ClusterIdRecord r;
  r.set_cluster_id(id);
  return Wrap(r);
}

TEST(MetadataStateMachineTest, ClusterIdIsWrittenOnceAndKeptBySnapshots) {
  MetadataStateMachine sm;
  EXPECT_EQ(sm.image().cluster_id(), "");
  EXPECT_THAT(sm.Apply(ClusterId(""), LogIndex(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EDDY_ASSERT_OK(sm.Apply(ClusterId("IqVoZcA9RlO1nPq2xNnKZg"), LogIndex(2)));
  EXPECT_EQ(sm.image().cluster_id(), "IqVoZcA9RlO1nPq2xNnKZg");
  // The same id again is harmless; another one is refused.
  EDDY_ASSERT_OK(sm.Apply(ClusterId("IqVoZcA9RlO1nPq2xNnKZg"), LogIndex(3)));
  EXPECT_THAT(sm.Apply(ClusterId("AAAAAAAAAAAAAAAAAAAAAA"), LogIndex(4)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(sm.image().cluster_id(), "IqVoZcA9RlO1nPq2xNnKZg");

  MetadataStateMachine restored;
  EDDY_ASSERT_OK(restored.Restore(sm.Snapshot()));
  EXPECT_EQ(restored.image().cluster_id(), "IqVoZcA9RlO1nPq2xNnKZg");
}

// RandomLog writes plausible records against the evolving image: most apply, some are refused
// (stale epochs are accepted and ignored), exercising every record type.
class RandomLog {
 public:
  explicit RandomLog(uint32_t seed) : rng_(seed) {}

  eddy::v1::MetadataRecord Next(const MetadataImage& image) {
    switch (Uniform(0, 13)) {
      case 0:
        return RegisterBroker(Uniform(0, 5), "r" + std::to_string(Uniform(0, 2)));
      case 1:
      case 2:
        return BrokerTransition(image);
      case 3:
        return Topic("topic-" + std::to_string(Uniform(0, 30)), IdOf(Uniform(1, 40)));
      case 4:
      case 5:
        return NewPartition(image);
      case 6:
      case 7:
        return Change(image);
      case 8: {
        eddy::v1::RemoveTopicRecord r;
        *r.mutable_topic_id() = TopicIdToProto(IdOf(Uniform(1, 40)));
        return Wrap(r);
      }
      case 9: {
        eddy::v1::ConfigRecord r;
        r.set_resource_type(eddy::v1::ConfigResourceType(Uniform(1, 3)));
        r.set_resource_name("topic-" + std::to_string(Uniform(0, 5)));
        r.set_name(Uniform(0, 1) == 0 ? "retention.ms" : "cleanup.policy");
        if (Uniform(0, 2) != 0) r.set_value(std::to_string(Uniform(0, 100)));
        return Wrap(r);
      }
      case 10: {
        eddy::v1::ProducerIdsRecord r;
        r.set_next_producer_id(image.next_producer_id().value() + Uniform(0, 1) * 1000);
        return Wrap(r);
      }
      case 11: {
        eddy::v1::CoordinatorShardRecord r;
        r.set_coordinator_type(eddy::v1::CoordinatorType(Uniform(1, 2)));
        r.set_shard(Uniform(0, 9));
        r.set_owner(Uniform(-1, 3));
        return Wrap(r);
      }
      case 12: {
        if (Uniform(0, 1) == 0) {
          eddy::v1::AccessControlEntryRecord r;
          *r.mutable_id() = TopicIdToProto(IdOf(Uniform(100, 105)));
          r.set_principal("User:u" + std::to_string(Uniform(0, 3)));
          r.set_operation(Uniform(2, 4));
          return Wrap(r);
        }
        eddy::v1::RemoveAccessControlEntryRecord r;
        *r.mutable_id() = TopicIdToProto(IdOf(Uniform(100, 105)));
        return Wrap(r);
      }
      default: {
        if (Uniform(0, 1) == 0) {
          eddy::v1::UserScramCredentialRecord r;
          r.set_name("u" + std::to_string(Uniform(0, 3)));
          r.set_mechanism(Uniform(1, 2));
          r.set_iterations(4096);
          return Wrap(r);
        }
        eddy::v1::LeaderChangeRecord r;
        r.set_controller_id(Uniform(0, 2));
        r.set_term(Uniform(1, 100));
        return Wrap(r);
      }
    }
  }

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

 private:
  eddy::v1::MetadataRecord BrokerTransition(const MetadataImage& image) {
    int32_t id = Uniform(0, 5);
    const auto* broker = image.FindBroker(BrokerId(id));
    int64_t epoch = broker == nullptr ? 0 : broker->broker_epoch() - Uniform(0, 1);
    switch (Uniform(0, 3)) {
      case 0: {
        eddy::v1::FenceBrokerRecord r;
        r.set_broker_id(id);
        r.set_broker_epoch(epoch);
        return Wrap(r);
      }
      case 1: {
        eddy::v1::UnfenceBrokerRecord r;
        r.set_broker_id(id);
        r.set_broker_epoch(epoch);
        return Wrap(r);
      }
      case 2: {
        eddy::v1::BrokerControlledShutdownRecord r;
        r.set_broker_id(id);
        r.set_broker_epoch(epoch);
        return Wrap(r);
      }
      default: {
        eddy::v1::UnregisterBrokerRecord r;
        r.set_broker_id(id);
        r.set_broker_epoch(epoch);
        return Wrap(r);
      }
    }
  }

  std::vector<BrokerId> Replicas() {
    std::vector<BrokerId> all = {BrokerId(0), BrokerId(1), BrokerId(2), BrokerId(3), BrokerId(4)};
    std::shuffle(all.begin(), all.end(), rng_);
    all.resize(Uniform(1, 3));
    return all;
  }

  eddy::v1::MetadataRecord NewPartition(const MetadataImage& image) {
    if (image.topics().empty()) return Topic("first", IdOf(1));
    auto it = image.topics().begin();
    std::advance(it, Uniform(0, static_cast<int>(image.topics().size()) - 1));
    return Partition(it->first, static_cast<int32_t>(it->second.partitions.size()), Replicas());
  }

  eddy::v1::MetadataRecord Change(const MetadataImage& image) {
    for (const auto& [id, topic] : image.topics()) {
      if (topic.partitions.empty() || Uniform(0, 2) == 0) continue;
      int32_t index = Uniform(0, static_cast<int>(topic.partitions.size()) - 1);
      const PartitionState& p = topic.partitions.at(index);
      std::vector<BrokerId> isr = p.replicas;
      std::shuffle(isr.begin(), isr.end(), rng_);
      isr.resize(Uniform(0, static_cast<int>(isr.size())));
      std::vector<BrokerId> elr;
      for (BrokerId r : p.replicas) {
        if (!Contains(isr, r) && Uniform(0, 1) == 0) elr.push_back(r);
      }
      eddy::v1::PartitionChangeRecord r;
      *r.mutable_topic_id() = TopicIdToProto(id);
      r.set_partition(index);
      *r.mutable_isr() = BrokerIdListToProto(isr);
      *r.mutable_eligible_leader_replicas() = BrokerIdListToProto(elr);
      if (Uniform(0, 1) == 0) r.set_leader(isr.empty() ? -1 : isr.front().value());
      return Wrap(r);
    }
    return RegisterBroker(Uniform(0, 5));
  }

  std::mt19937 rng_;
};

TEST(MetadataStateMachineTest, SnapshotPlusReplayEqualsFullReplay) {
  constexpr int kSeeds = 20;
  constexpr int kRecords = 300;
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    RandomLog gen(seed);
    MetadataStateMachine full;
    std::vector<std::pair<eddy::v1::MetadataRecord, LogIndex>> log;
    int64_t index = 0;
    int accepted = 0;
    for (int i = 0; i < kRecords; ++i) {
      // Sometimes several records share one Raft entry.
      if (gen.Uniform(0, 3) != 0) ++index;
      eddy::v1::MetadataRecord record = gen.Next(full.image());
      // Checking that a refusal leaves the image alone costs a snapshot per record: a few seeds do.
      const bool check_refusal = seed <= 3;
      std::string before = check_refusal ? full.Snapshot() : std::string();
      absl::Status status = full.Apply(record, LogIndex(index));
      if (!status.ok()) {
        if (check_refusal) {
          ASSERT_EQ(full.Snapshot(), before) << "refused record changed the image: " << status;
        }
        continue;
      }
      ++accepted;
      log.emplace_back(record, LogIndex(index));
    }
    ASSERT_GT(accepted, kRecords / 2);

    // A snapshot after every prefix length would be slow; a few cut points per seed suffice.
    for (size_t cut : {size_t{0}, log.size() / 3, log.size() / 2, log.size() - 1, log.size()}) {
      MetadataStateMachine prefix;
      for (size_t i = 0; i < cut; ++i) EDDY_ASSERT_OK(prefix.Apply(log[i].first, log[i].second));
      MetadataStateMachine restored;
      EDDY_ASSERT_OK(restored.Restore(prefix.Snapshot()));
      ASSERT_EQ(restored.Snapshot(), prefix.Snapshot());
      for (size_t i = cut; i < log.size(); ++i) {
        EDDY_ASSERT_OK(restored.Apply(log[i].first, log[i].second));
      }
      EXPECT_EQ(restored.Snapshot(), full.Snapshot()) << "cut at " << cut;
      EXPECT_EQ(restored.image().topics(), full.image().topics());
      EXPECT_EQ(restored.last_applied_index(), full.last_applied_index());
    }
  }
}

}  // namespace
}  // namespace eddy::controller
