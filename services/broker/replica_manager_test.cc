// ReplicaManager following fed metadata: replicas opened and placed by leader epoch, followers
// handed out with their leader's address, fencing by epoch, deletion of removed data.
#include "services/broker/replica_manager.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/kafka/record_batch_builder.h"
#include "libs/storage/mem_file_system.h"
#include "libs/storage/producer_snapshot.h"
#include "tests/testing/status_matchers.h"

namespace eddy::broker {
namespace {

using kafka::ErrorCode;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kLogDir[] = "/data/logs";

eddy::v1::MemberStatus Broker(int32_t id, int64_t epoch, int port) {
  eddy::v1::MemberStatus m;
  m.set_role(eddy::v1::MEMBER_ROLE_BROKER);
  m.set_member_id(id);
  m.set_member_epoch(epoch);
  m.set_state(eddy::v1::MEMBER_STATE_ACTIVE);
  eddy::v1::Endpoint* e = m.add_endpoints();
  e->set_name("grpc");
  e->set_host("127.0.0.1");
  e->set_port(port);
  return m;
}

eddy::v1::TopicMetadata Topic(const std::string& name, char id,
                              std::vector<eddy::v1::PartitionMetadata> partitions) {
  eddy::v1::TopicMetadata t;
  t.set_name(name);
  t.mutable_topic_id()->set_value(std::string(16, id));
  for (auto& p : partitions) *t.add_partitions() = std::move(p);
  return t;
}

eddy::v1::PartitionMetadata Part(int32_t index, std::vector<int32_t> replicas, int32_t leader,
                                 int32_t leader_epoch, std::vector<int32_t> isr,
                                 int32_t partition_epoch = 0) {
  eddy::v1::PartitionMetadata p;
  p.set_partition(index);
  for (int32_t r : replicas) p.add_replicas(r);
  for (int32_t r : isr) p.add_isr(r);
  p.set_leader(leader);
  p.set_leader_epoch(leader_epoch);
  p.set_partition_epoch(partition_epoch);
  return p;
}

std::string Batch(int records, int64_t producer_id = -1, int32_t sequence = -1) {
  kafka::RecordBatchBuilder builder({.producer_id = ProducerId(producer_id),
                                     .producer_epoch = ProducerEpoch(producer_id < 0 ? -1 : 0),
                                     .base_sequence = sequence});
  for (int i = 0; i < records; ++i) builder.Append(1'700'000'000'000 + i, "k", "v");
  return *builder.Build();
}

class ReplicaManagerTest : public ::testing::Test {
 protected:
  ReplicaManagerTest() { Make(); }

  void Make() {
    replicas_.reset();
    ReplicaManagerOptions options;
    options.self = BrokerId(1);
    options.log_dir = kLogDir;
    replicas_ = std::make_unique<ReplicaManager>(
        options, fs_, clock_, nullptr,
        [this](AlterPartitionCall call, std::function<void(AlterPartitionAnswer)> done) {
          alter_calls_.push_back(call);
          alter_done_.push_back(std::move(done));
        },
        [this](std::vector<FollowerAssignment> followers) { followers_ = std::move(followers); });
  }

  ProduceResult Produce(const TopicPartitionKey& key, int acks, std::string records,
                        ErrorCode* acks_all = nullptr, bool* waiting = nullptr) {
    std::shared_ptr<Partition> p = replicas_->Get(key);
    EXPECT_NE(p, nullptr);
    bool w = false;
    ProduceResult result = p->Produce(
        std::span<char>(records.data(), records.size()), static_cast<int16_t>(acks), 9,
        clock_.Now() + absl::Seconds(30),
        [acks_all](ErrorCode e) {
          if (acks_all != nullptr) *acks_all = e;
        },
        &w);
    if (waiting != nullptr) *waiting = w;
    return result;
  }

  storage::MemFileSystem fs_;
  common::ManualClock clock_{absl::FromUnixMillis(1'700'000'000'000)};
  std::vector<AlterPartitionCall> alter_calls_;
  std::vector<std::function<void(AlterPartitionAnswer)>> alter_done_;
  std::vector<FollowerAssignment> followers_;
  std::unique_ptr<ReplicaManager> replicas_;
};

TEST_F(ReplicaManagerTest, SnapshotOpensOnlyAssignedReplicasByRole) {
  eddy::v1::MetadataDelta snapshot;
  snapshot.set_snapshot(true);
  snapshot.set_offset(10);
  *snapshot.add_members() = Broker(1, 5, 9001);
  *snapshot.add_members() = Broker(2, 6, 9002);
  *snapshot.add_topics() = Topic("t", 'a',
                                 {Part(0, {1, 2}, 1, 3, {1, 2}), Part(1, {2, 1}, 2, 4, {2, 1}),
                                  Part(2, {2, 3}, 2, 0, {2, 3})});
  replicas_->ApplyMetadata(snapshot);

  std::shared_ptr<Partition> p0 = replicas_->Get({"t", 0});
  std::shared_ptr<Partition> p1 = replicas_->Get({"t", 1});
  ASSERT_NE(p0, nullptr);
  ASSERT_NE(p1, nullptr);
  EXPECT_EQ(replicas_->Get({"t", 2}), nullptr);
  EXPECT_TRUE(replicas_->KnowsPartition({"t", 2}));
  EXPECT_FALSE(replicas_->KnowsPartition({"u", 0}));
  EXPECT_EQ(p0->role(), ReplicaRole::kLeader);
  EXPECT_EQ(p0->leader_epoch(), LeaderEpoch(3));
  EXPECT_EQ(p1->role(), ReplicaRole::kFollower);
  ASSERT_EQ(followers_.size(), 1u);
  EXPECT_EQ(followers_[0].key, (TopicPartitionKey{"t", 1}));
  EXPECT_EQ(followers_[0].leader, BrokerId(2));
  EXPECT_EQ(followers_[0].leader_epoch, LeaderEpoch(4));
  EXPECT_EQ(followers_[0].leader_target, "127.0.0.1:9002");
  EXPECT_TRUE(fs_.Exists(std::string(kLogDir) + "/t-0"));
  EXPECT_FALSE(fs_.Exists(std::string(kLogDir) + "/t-2"));
  EXPECT_EQ(replicas_->metadata_offset(), 10);
}

TEST_F(ReplicaManagerTest, LeaderChangeFencesByEpochAndFailsWaiters) {
  eddy::v1::MetadataDelta snapshot;
  snapshot.set_snapshot(true);
  *snapshot.add_members() = Broker(1, 5, 9001);
  *snapshot.add_members() = Broker(2, 6, 9002);
  *snapshot.add_topics() = Topic("t", 'a', {Part(0, {1, 2}, 1, 3, {1, 2})});
  replicas_->ApplyMetadata(snapshot);
  const TopicPartitionKey key{"t", 0};

  ProduceResult first = Produce(key, 1, Batch(3));
  EXPECT_EQ(first.error, ErrorCode::kNone);
  EXPECT_EQ(first.base_offset, Offset(0));
  ErrorCode acks_all = ErrorCode::kUnknownServerError;
  bool waiting = false;
  ProduceResult second = Produce(key, -1, Batch(2), &acks_all, &waiting);
  EXPECT_EQ(second.base_offset, Offset(3));
  EXPECT_TRUE(waiting);

  // Fetch fencing by leader epoch.
  std::shared_ptr<Partition> p = replicas_->Get(key);
  FetchArgs args;
  args.current_leader_epoch = LeaderEpoch(2);
  EXPECT_EQ(p->Fetch(args).error, ErrorCode::kFencedLeaderEpoch);
  args.current_leader_epoch = LeaderEpoch(4);
  EXPECT_EQ(p->Fetch(args).error, ErrorCode::kUnknownLeaderEpoch);

  eddy::v1::MetadataDelta delta;
  delta.set_offset(11);
  *delta.add_topics() = Topic("t", 'a', {Part(0, {1, 2}, 2, 4, {2}, 1)});
  replicas_->ApplyMetadata(delta);
  EXPECT_EQ(acks_all, ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ(p->role(), ReplicaRole::kFollower);
  EXPECT_EQ(Produce(key, 1, Batch(1)).error, ErrorCode::kNotLeaderOrFollower);
  ASSERT_EQ(followers_.size(), 1u);
  EXPECT_EQ(followers_[0].leader_epoch, LeaderEpoch(4));

  // An older epoch from a lagging controller does not roll the role back.
  eddy::v1::MetadataDelta stale;
  stale.set_offset(12);
  *stale.add_topics() = Topic("t", 'a', {Part(0, {1, 2}, 1, 3, {1, 2})});
  replicas_->ApplyMetadata(stale);
  EXPECT_EQ(p->role(), ReplicaRole::kFollower);
}

TEST_F(ReplicaManagerTest, AcksAllWaitsForTheFollowerAndMinIsr) {
  eddy::v1::MetadataDelta snapshot;
  snapshot.set_snapshot(true);
  *snapshot.add_members() = Broker(1, 5, 9001);
  eddy::v1::TopicMetadata topic = Topic("t", 'a', {Part(0, {1, 2}, 1, 1, {1, 2})});
  (*topic.mutable_configs())["min.insync.replicas"] = "2";
  *snapshot.add_topics() = topic;
  replicas_->ApplyMetadata(snapshot);
  const TopicPartitionKey key{"t", 0};
  std::shared_ptr<Partition> p = replicas_->Get(key);

  ErrorCode acks_all = ErrorCode::kUnknownServerError;
  bool waiting = false;
  ProduceResult produced = Produce(key, -1, Batch(4), &acks_all, &waiting);
  ASSERT_EQ(produced.error, ErrorCode::kNone);
  ASSERT_TRUE(waiting);
  EXPECT_EQ(acks_all, ErrorCode::kUnknownServerError);
  // Consumers see nothing above the HW yet.
  EXPECT_TRUE(p->Fetch(FetchArgs{}).records.empty());

  FetchArgs follower;
  follower.fetch_offset = Offset(0);
  FetchResult read = p->FetchForFollower(BrokerId(2), follower);
  EXPECT_FALSE(read.records.empty());
  EXPECT_EQ(acks_all, ErrorCode::kUnknownServerError);
  follower.fetch_offset = Offset(4);
  p->FetchForFollower(BrokerId(2), follower);
  EXPECT_EQ(acks_all, ErrorCode::kNone);
  EXPECT_EQ(p->high_watermark(), Offset(4));
  EXPECT_FALSE(p->Fetch(FetchArgs{}).records.empty());

  // The follower falls behind past replica.lag.time.max.ms: the leader proposes the shrink; once
  // the controller commits it, acks=all is refused before appending.
  Produce(key, 1, Batch(1));
  clock_.Advance(absl::Seconds(31));
  p->Tick();
  ASSERT_EQ(alter_calls_.size(), 1u);
  EXPECT_THAT(alter_calls_[0].proposal.new_isr, ElementsAre(BrokerId(1)));
  EXPECT_EQ(alter_calls_[0].broker_epoch, 5);
  alter_done_[0](AlterPartitionAnswer{.isr = {BrokerId(1)}, .partition_epoch = PartitionEpoch(1)});
  EXPECT_EQ(replicas_->isr_shrinks(), 1);
  const Offset end = p->log().LogEndOffset();
  EXPECT_EQ(Produce(key, -1, Batch(1)).error, ErrorCode::kNotEnoughReplicas);
  EXPECT_EQ(p->log().LogEndOffset(), end);
  EXPECT_EQ(Produce(key, 1, Batch(1)).error, ErrorCode::kNone);
}

TEST_F(ReplicaManagerTest, IdempotentDuplicateGetsItsOriginalOffset) {
  eddy::v1::MetadataDelta snapshot;
  snapshot.set_snapshot(true);
  *snapshot.add_topics() = Topic("t", 'a', {Part(0, {1}, 1, 0, {1})});
  replicas_->ApplyMetadata(snapshot);
  const TopicPartitionKey key{"t", 0};
  EXPECT_EQ(Produce(key, 1, Batch(3, 77, 0)).base_offset, Offset(0));
  EXPECT_EQ(Produce(key, 1, Batch(2, 77, 3)).base_offset, Offset(3));
  ProduceResult duplicate = Produce(key, 1, Batch(3, 77, 0));
  EXPECT_EQ(duplicate.error, ErrorCode::kNone);
  EXPECT_EQ(duplicate.base_offset, Offset(0));
  EXPECT_EQ(Produce(key, 1, Batch(1, 77, 9)).error, ErrorCode::kOutOfOrderSequenceNumber);
  EXPECT_EQ(replicas_->Get(key)->log().LogEndOffset(), Offset(5));

  // Restart: the producer state comes back (snapshot written at close, then the log tail).
  ASSERT_TRUE(replicas_->Stop().ok());
  Make();
  replicas_->ApplyMetadata(snapshot);
  EXPECT_EQ(Produce(key, 1, Batch(2, 77, 3)).base_offset, Offset(3));
  EXPECT_EQ(replicas_->Get(key)->log().LogEndOffset(), Offset(5));
}

TEST_F(ReplicaManagerTest, ProducerSnapshotsAtSegmentRollsSurviveACrash) {
  eddy::v1::MetadataDelta snapshot;
  snapshot.set_snapshot(true);
  eddy::v1::TopicMetadata topic = Topic("t", 'a', {Part(0, {1}, 1, 0, {1})});
  (*topic.mutable_configs())["segment.bytes"] = "1024";
  *snapshot.add_topics() = topic;
  replicas_->ApplyMetadata(snapshot);
  const TopicPartitionKey key{"t", 0};
  const std::string dir = std::string(kLogDir) + "/t-0";
  std::shared_ptr<Partition> p = replicas_->Get(key);
  int32_t sequence = 0;
  for (int i = 0; i < 80; ++i) {
    ASSERT_EQ(Produce(key, 1, Batch(3, 77, sequence)).error, ErrorCode::kNone);
    sequence += 3;
  }
  ASSERT_GT(p->log().SegmentCount(), 3u);
  absl::StatusOr<std::vector<Offset>> snapshots = storage::ListProducerSnapshots(fs_, dir);
  ASSERT_TRUE(snapshots.ok()) << snapshots.status();
  // Written at the rolls (no close yet), the older ones pruned.
  ASSERT_EQ(snapshots->size(), 2u);
  const Offset newest = snapshots->back();
  EXPECT_GT(newest, Offset(0));
  EXPECT_LT(newest, p->log().LogEndOffset());
  absl::StatusOr<std::vector<storage::ProducerSnapshotEntry>> entries =
      storage::ReadProducerSnapshot(fs_, storage::ProducerSnapshotPath(dir, newest));
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].producer_id, ProducerId(77));
  EXPECT_EQ((*entries)[0].last_offset, Offset(newest.value() - 1));

  // kill -9: the data reached the disk, the close (and its snapshot) never happens.
  EDDY_ASSERT_OK(p->log().Flush());
  const Offset end = p->log().LogEndOffset();
  p.reset();
  fs_.SimulateCrash(/*seed=*/1);
  Make();
  replicas_->ApplyMetadata(snapshot);
  p = replicas_->Get(key);
  ASSERT_EQ(p->log().LogEndOffset(), end);
  // Recovery started from the roll snapshot and replayed the tail: the last batch is still known
  // as a duplicate, the next sequence continues, a gap is refused.
  ProduceResult duplicate = Produce(key, 1, Batch(3, 77, sequence - 3));
  EXPECT_EQ(duplicate.error, ErrorCode::kNone);
  EXPECT_EQ(duplicate.base_offset, Offset(end.value() - 3));
  EXPECT_EQ(Produce(key, 1, Batch(1, 77, sequence + 1)).error,
            ErrorCode::kOutOfOrderSequenceNumber);
  EXPECT_EQ(Produce(key, 1, Batch(1, 77, sequence)).base_offset, end);
}

TEST_F(ReplicaManagerTest, DeletedTopicsAndStrayDirectoriesLoseTheirData) {
  EDDY_ASSERT_OK(fs_.CreateDirs(std::string(kLogDir) + "/gone-0"));
  eddy::v1::MetadataDelta snapshot;
  snapshot.set_snapshot(true);
  *snapshot.add_topics() = Topic("t", 'a', {Part(0, {1}, 1, 0, {1})});
  *snapshot.add_topics() = Topic("u", 'b', {Part(0, {1}, 1, 0, {1})});
  replicas_->ApplyMetadata(snapshot);
  EXPECT_FALSE(fs_.Exists(std::string(kLogDir) + "/gone-0"));
  ASSERT_TRUE(fs_.Exists(std::string(kLogDir) + "/u-0"));
  Produce({"u", 0}, 1, Batch(2));

  eddy::v1::MetadataDelta delta;
  delta.set_offset(5);
  delta.add_deleted_topics("u");
  replicas_->ApplyMetadata(delta);
  EXPECT_EQ(replicas_->Get({"u", 0}), nullptr);
  EXPECT_FALSE(replicas_->KnowsPartition({"u", 0}));
  EXPECT_FALSE(fs_.Exists(std::string(kLogDir) + "/u-0"));
  EXPECT_TRUE(fs_.Exists(std::string(kLogDir) + "/t-0"));

  // A topic recreated under the same name (new id) starts empty.
  Produce({"t", 0}, 1, Batch(2));
  eddy::v1::MetadataDelta recreated;
  recreated.set_offset(6);
  *recreated.add_topics() = Topic("t", 'c', {Part(0, {1}, 1, 0, {1})});
  replicas_->ApplyMetadata(recreated);
  EXPECT_EQ(replicas_->Get({"t", 0})->log().LogEndOffset(), Offset(0));
  EXPECT_THAT(followers_, IsEmpty());
}

TEST_F(ReplicaManagerTest, GroupShardEpochsFollowTheMetadata) {
  auto shard = [](eddy::v1::MetadataDelta& delta, int32_t index, int64_t epoch) {
    eddy::v1::CoordinatorShardState* s = delta.add_coordinator_shards();
    s->set_coordinator_type(eddy::v1::COORDINATOR_TYPE_GROUP);
    s->set_shard(index);
    s->set_owner(2);
    s->set_epoch(epoch);
  };
  eddy::v1::MetadataDelta snapshot;
  snapshot.set_snapshot(true);
  shard(snapshot, 3, 1);
  replicas_->ApplyMetadata(snapshot);
  EXPECT_EQ(replicas_->group_shard_fence().EpochOf(3), 1);
  eddy::v1::MetadataDelta moved;
  moved.set_offset(5);
  shard(moved, 3, 2);
  replicas_->ApplyMetadata(moved);
  EXPECT_EQ(replicas_->group_shard_fence().EpochOf(3), 2);
  EXPECT_EQ(replicas_->group_shard_fence().AdmitProduce("__consumer_offsets", 3, 1).error(),
            ErrorCode::kNotCoordinator);
}

}  // namespace
}  // namespace eddy::broker
