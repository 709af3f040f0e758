#include "services/controller/metadata_watch.h"

#include <map>
#include <random>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/controller/broker_lifecycle.h"
#include "services/controller/config_commands.h"
#include "services/controller/coordinator_shards.h"
#include "services/controller/metadata_test_fixture.h"
#include "services/controller/topic_commands.h"

namespace eddy::controller {
namespace {

using google::protobuf::util::MessageDifferencer;
using testing::Ids;

// Watcher is what a WatchMetadata client keeps: it starts from a snapshot and applies deltas.
struct Watcher {
  int64_t offset = 0;
  std::map<std::string, eddy::v1::TopicMetadata> topics;
  std::map<int32_t, eddy::v1::MemberStatus> members;
  std::map<int32_t, eddy::v1::CoordinatorShardState> group_shards;

  void Apply(const eddy::v1::MetadataDelta& delta) {
    if (delta.snapshot()) {
      topics.clear();
      members.clear();
      group_shards.clear();
    } else {
      EXPECT_GT(delta.offset(), offset) << "deltas move forward";
    }
    offset = delta.offset();
    for (const auto& t : delta.topics()) topics[t.name()] = t;
    for (const auto& name : delta.deleted_topics()) topics.erase(name);
    for (const auto& m : delta.members()) {
      if (m.state() == eddy::v1::MEMBER_STATE_UNSPECIFIED) {
        members.erase(m.member_id());
      } else {
        members[m.member_id()] = m;
      }
    }
    for (const auto& shard : delta.coordinator_shards()) {
      if (shard.coordinator_type() == eddy::v1::COORDINATOR_TYPE_GROUP) {
        group_shards[shard.shard()] = shard;
      }
    }
  }

  void ExpectEquals(const Watcher& other) const {
    EXPECT_EQ(offset, other.offset);
    ASSERT_EQ(topics.size(), other.topics.size());
    for (const auto& [name, t] : topics) {
      ASSERT_TRUE(other.topics.contains(name)) << name;
      EXPECT_TRUE(MessageDifferencer::Equals(t, other.topics.at(name))) << name;
    }
    ASSERT_EQ(members.size(), other.members.size());
    for (const auto& [id, m] : members) {
      EXPECT_TRUE(MessageDifferencer::Equals(m, other.members.at(id))) << id;
    }
    ASSERT_EQ(group_shards.size(), other.group_shards.size());
    for (const auto& [shard, state] : group_shards) {
      EXPECT_TRUE(MessageDifferencer::Equals(state, other.group_shards.at(shard))) << shard;
    }
  }
};

class MetadataWatchTest : public ::testing::Test {
 protected:
  // Run applies a command's records as one entry and feeds its delta to the watcher.
  // Returns the delta.
  eddy::v1::MetadataDelta Run(const std::vector<eddy::v1::MetadataRecord>& records) {
    if (records.empty()) return {};
    WatchDeltaBuilder builder;
    MetadataStateMachine& sm = f_.state_machine();
    const LogIndex index = sm.last_applied_index() + 1;
    for (const auto& record : records) {
      builder.Collect(sm.image(), record);
      EXPECT_TRUE(sm.Apply(record, index).ok());
    }
    eddy::v1::MetadataDelta delta = builder.Build(sm.image(), index);
    watcher_.Apply(delta);
    return delta;
  }

  void ExpectWatcherMatchesAFreshSnapshot() {
    Watcher fresh;
    fresh.Apply(WatchSnapshot(f_.image()));
    watcher_.ExpectEquals(fresh);
  }

  testing::MetadataFixture f_;
  Watcher watcher_;
};

TEST_F(MetadataWatchTest, SnapshotThenDeltasEqualsALaterSnapshot) {
  f_.AddBroker(1);
  f_.AddBroker(2);
  watcher_.Apply(WatchSnapshot(f_.image()));
  EXPECT_EQ(watcher_.members.size(), 2u);

  std::mt19937_64 random(3);
  eddy::v1::CreateTopicsRequest create;
  for (const char* name : {"a", "b", "c"}) {
    auto* t = create.add_topics();
    t->set_name(name);
    t->set_num_partitions(2);
    t->set_replication_factor(2);
  }
  Run(CreateTopics(f_.image(), ControllerOptions{}, create, random).records);
  ASSERT_EQ(watcher_.topics.size(), 3u);
  ExpectWatcherMatchesAFreshSnapshot();

  Run(FenceBroker(f_.image(), BrokerId(1)).records);
  EXPECT_EQ(watcher_.members[1].state(), eddy::v1::MEMBER_STATE_FENCED);
  ExpectWatcherMatchesAFreshSnapshot();

  Run(IncrementalAlterConfigs(f_.image(),
                              {{{eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, "b"},
                                {{"retention.ms", AlterConfigOp::kSet, "5"}}}},
                              false)
          .records);
  EXPECT_EQ(watcher_.topics["b"].configs().at("retention.ms"), "5");
  Run(IncrementalAlterConfigs(f_.image(),
                              {{{eddy::v1::CONFIG_RESOURCE_TYPE_CLUSTER, ""},
                                {{"log.segment.bytes", AlterConfigOp::kSet, "1048576"}}}},
                              false)
          .records);
  EXPECT_EQ(watcher_.topics["a"].configs().at("segment.bytes"), "1048576");
  ExpectWatcherMatchesAFreshSnapshot();

  eddy::v1::DeleteTopicsRequest del;
  del.add_names("a");
  Run(DeleteTopics(f_.image(), del).records);
  EXPECT_FALSE(watcher_.topics.contains("a"));
  Run(UnregisterBroker(f_.image(), BrokerId(2)).records);
  EXPECT_FALSE(watcher_.members.contains(2));
  ExpectWatcherMatchesAFreshSnapshot();
}

TEST_F(MetadataWatchTest, CoordinatorShardOwnersAndEpochsTravelInSnapshotsAndDeltas) {
  Run(AssignCoordinatorShards(f_.image(), eddy::v1::COORDINATOR_TYPE_GROUP, 4,
                              {NodeId(1), NodeId(2)})
          .records);
  watcher_.Apply(WatchSnapshot(f_.image()));
  ASSERT_EQ(watcher_.group_shards.size(), 4u);
  EXPECT_EQ(watcher_.group_shards[0].epoch(), 1);

  const eddy::v1::MetadataDelta delta =
      Run(AssignCoordinatorShards(f_.image(), eddy::v1::COORDINATOR_TYPE_GROUP, 4, {NodeId(1)})
              .records);
  ASSERT_EQ(delta.coordinator_shards_size(), 2) << "only the moved shards";
  for (const auto& shard : delta.coordinator_shards()) {
    EXPECT_EQ(shard.owner(), 1);
    EXPECT_EQ(shard.epoch(), 2);
  }
  ExpectWatcherMatchesAFreshSnapshot();
}

TEST_F(MetadataWatchTest, SnapshotCarriesPartitionsAndOffset) {
  f_.AddBroker(1);
  f_.AddTopic("t", {Ids({1})});
  eddy::v1::MetadataDelta snap = WatchSnapshot(f_.image());
  EXPECT_TRUE(snap.snapshot());
  EXPECT_EQ(snap.offset(), f_.image().last_applied_index().value());
  ASSERT_EQ(snap.topics_size(), 1);
  ASSERT_EQ(snap.topics(0).partitions_size(), 1);
  EXPECT_EQ(snap.topics(0).partitions(0).leader(), 1);
  EXPECT_TRUE(snap.topics(0).configs().empty()) << "only values differing from Kafka's defaults";
}

}  // namespace
}  // namespace eddy::controller
