// BrokerGroupLog against a scripted broker data path, a manual clock and a manual retry timer:
// what it produces (acks=all, one RecordBatch per round trip with the appends in order),
// retries at the new leader, Kafka's error mapping once retries run out, replay by fetch up to
// the high watermark, and closing. Also CoordinatorMetadata's shard ownership and GroupShardSet's
// load-in-progress / not-coordinator answers with a log whose read the test holds. Fencing by
// shard epoch is in broker_group_log_fencing_test.cc.
#include "services/coordinator/broker_group_log.h"

#include <thread>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/coordinator/broker_group_log_test_fixture.h"
#include "services/coordinator/coordinator_metadata.h"
#include "services/coordinator/group_shard_set.h"
#include "tests/testing/status_matchers.h"

namespace eddy::coordinator {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;
using kafka::ErrorCode;
using ::testing::ElementsAre;
using testing::Batch;
using testing::BrokerGroupLogTest;
using testing::ErrorFor;
using testing::FetchAnswer;
using testing::ProduceAnswer;
using testing::RecordsOf;

TEST_F(BrokerGroupLogTest, AppendProducesOneAcksAllBatchAndAnswersOnlyOnceAcknowledged) {
  Append("k1", "v1");
  auto sent = brokers_.Take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].broker, 1);
  const eddy::v1::ProduceRequest& produce = sent[0].request.produce();
  EXPECT_EQ(produce.acks(), -1);
  EXPECT_EQ(produce.partitions(0).partition().topic(), "__consumer_offsets");
  EXPECT_EQ(produce.partitions(0).partition().partition(), 7);
  int batches = 0;
  EXPECT_THAT(RecordsOf(sent[0].request, &batches),
              ElementsAre(GroupLogRecord{"k1", std::string("v1")}));
  EXPECT_EQ(batches, 1);
  Drain();
  EXPECT_TRUE(results_.empty()) << "answered before the broker acknowledged";
  sent[0].callback(ProduceAnswer(ErrorCode::kNone));
  Drain();
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_THAT(results_[0].second, IsOk());
}

TEST_F(BrokerGroupLogTest, AppendsWhileOneIsInFlightGoTogetherInOrder) {
  Append("a", "1");
  auto first = brokers_.Take();
  ASSERT_EQ(first.size(), 1u);
  Append("b", "2");
  Append("c", std::nullopt);  // a tombstone
  EXPECT_TRUE(brokers_.Take().empty()) << "a second produce while one is in flight";
  first[0].callback(ProduceAnswer(ErrorCode::kNone));
  auto second = brokers_.Take();
  ASSERT_EQ(second.size(), 1u);
  int batches = 0;
  EXPECT_THAT(
      RecordsOf(second[0].request, &batches),
      ElementsAre(GroupLogRecord{"b", std::string("2")}, GroupLogRecord{"c", std::nullopt}));
  EXPECT_EQ(batches, 1) << "a produce carries one batch per partition";
  second[0].callback(ProduceAnswer(ErrorCode::kNone));
  Drain();
  ASSERT_EQ(results_.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(results_[i].first, i);
    EXPECT_THAT(results_[i].second, IsOk());
  }
}

TEST_F(BrokerGroupLogTest, NotLeaderIsRetriedAtTheNewLeader) {
  Append("k", "v");
  auto sent = brokers_.Take();
  ASSERT_EQ(sent.size(), 1u);
  SetLeader(PartitionLeader{.broker_id = 2, .target = "b2:1", .leader_epoch = 5});
  sent[0].callback(ProduceAnswer(ErrorCode::kNotLeaderOrFollower));
  EXPECT_TRUE(brokers_.Take().empty()) << "retried without backing off";
  EXPECT_EQ(FireTimers(), 1);
  auto retried = brokers_.Take();
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_EQ(retried[0].broker, 2);
  // A broken stream is retried too.
  retried[0].callback(absl::UnavailableError("stream ended"));
  EXPECT_EQ(FireTimers(), 1);
  retried = brokers_.Take();
  ASSERT_EQ(retried.size(), 1u);
  retried[0].callback(ProduceAnswer(ErrorCode::kNone));
  Drain();
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_THAT(results_[0].second, IsOk());
}

TEST_F(BrokerGroupLogTest, RetriesEndAtTheCommitTimeoutWithKafkasMapping) {
  Append("k", "v");
  // NOT_LEADER_OR_FOLLOWER until the timeout: NOT_COORDINATOR (kFailedPrecondition).
  for (int i = 0; i < 100 && results_.empty(); ++i) {
    for (auto& s : brokers_.Take()) s.callback(ProduceAnswer(ErrorCode::kNotLeaderOrFollower));
    FireTimers();
    Drain();
  }
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_THAT(results_[0].second, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(StorageErrorToKafka(results_[0].second, true), ErrorCode::kNotCoordinator);

  // No leader at all until the timeout: COORDINATOR_NOT_AVAILABLE.
  SetLeader(std::nullopt);
  Append("k", "v2");
  for (int i = 0; i < 100 && results_.size() < 2; ++i) {
    FireTimers();
    Drain();
  }
  EXPECT_TRUE(brokers_.Take().empty());
  ASSERT_EQ(results_.size(), 2u);
  EXPECT_THAT(results_[1].second, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(StorageErrorToKafka(results_[1].second, true), ErrorCode::kCoordinatorNotAvailable);

  // The broker's REQUEST_TIMED_OUT (acks=all not reached) is final: COORDINATOR_NOT_AVAILABLE.
  SetLeader(PartitionLeader{.broker_id = 1, .target = "b1:1", .leader_epoch = 4});
  Append("k", "v3");
  auto sent = brokers_.Take();
  ASSERT_EQ(sent.size(), 1u);
  sent[0].callback(ProduceAnswer(ErrorCode::kRequestTimedOut));
  Drain();
  ASSERT_EQ(results_.size(), 3u);
  EXPECT_THAT(results_[2].second, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(StorageErrorToKafka(results_[2].second, false), ErrorCode::kCoordinatorNotAvailable);

  // Too large: INVALID_COMMIT_OFFSET_SIZE for commits.
  Append("k", "v4");
  sent = brokers_.Take();
  ASSERT_EQ(sent.size(), 1u);
  sent[0].callback(ProduceAnswer(ErrorCode::kRecordListTooLarge));
  Drain();
  ASSERT_EQ(results_.size(), 4u);
  EXPECT_EQ(StorageErrorToKafka(results_[3].second, true), ErrorCode::kInvalidCommitOffsetSize);
}

TEST_F(BrokerGroupLogTest, CloseFailsWhatIsNotAcknowledgedAndIgnoresLateAnswers) {
  Append("a", "1");
  Append("b", "2");
  auto sent = brokers_.Take();
  ASSERT_EQ(sent.size(), 1u);
  log_->Close();
  Append("c", "3");
  sent[0].callback(ProduceAnswer(ErrorCode::kNone));
  Drain();
  ASSERT_EQ(results_.size(), 3u);
  for (auto& [index, status] : results_) {
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition)) << index;
  }
  EXPECT_TRUE(brokers_.Take().empty());
}

TEST_F(BrokerGroupLogTest, ReadReplaysFromLogStartToTheHighWatermark) {
  std::vector<GroupLogRecord> seen;
  absl::Status read;
  absl::Notification done;
  std::thread reader([&] {
    read = log_->Read([&](const GroupLogRecord& r) { seen.push_back(r); });
    done.Notify();
  });
  // Offset 0 was compacted away / deleted: the broker says where the log starts.
  auto s = brokers_.WaitOne();
  EXPECT_EQ(s.request.fetch().partitions(0).fetch_offset(), 0);
  EXPECT_EQ(s.request.fetch().partitions(0).current_leader_epoch(), 4);
  s.callback(FetchAnswer(ErrorCode::kOffsetOutOfRange, 6, 2, ""));
  // First fetch from 2: one batch (2, 3); the high watermark is 6, so more is needed.
  s = brokers_.WaitOne();
  EXPECT_EQ(s.request.fetch().partitions(0).fetch_offset(), 2);
  s.callback(FetchAnswer(ErrorCode::kNone, 6, 2, Batch(2, {{"a", "1"}, {"b", "1"}})));
  // A leader change on the way is retried after a backoff.
  s = brokers_.WaitOne();
  EXPECT_EQ(s.request.fetch().partitions(0).fetch_offset(), 4);
  s.callback(FetchAnswer(ErrorCode::kNotLeaderOrFollower, -1, -1, ""));
  while (!done.HasBeenNotified() && FireTimers() == 0) absl::SleepFor(absl::Milliseconds(1));
  s = brokers_.WaitOne();
  EXPECT_EQ(s.request.fetch().partitions(0).fetch_offset(), 4);
  // The batch (4, 5, 6) straddles the high watermark 6: offset 6 is not acknowledged yet.
  s.callback(FetchAnswer(ErrorCode::kNone, 7, 2,
                         Batch(4, {{"a", "2"}, {"c", std::nullopt}, {"d", "late"}})));
  done.WaitForNotification();
  reader.join();
  EXPECT_THAT(read, IsOk());
  EXPECT_THAT(
      seen,
      ElementsAre(GroupLogRecord{"a", std::string("1")}, GroupLogRecord{"b", std::string("1")},
                  GroupLogRecord{"a", std::string("2")}, GroupLogRecord{"c", std::nullopt}));
}

TEST_F(BrokerGroupLogTest, ReadOfAnEmptyLogAndCloseWhileReading) {
  absl::Status read;
  std::thread reader([&] { read = log_->Read([](const GroupLogRecord&) {}); });
  brokers_.WaitOne().callback(FetchAnswer(ErrorCode::kNone, 0, 0, ""));
  reader.join();
  EXPECT_THAT(read, IsOk());

  SetLeader(std::nullopt);
  absl::Notification done;
  std::thread blocked([&] {
    read = log_->Read([](const GroupLogRecord&) {});
    done.Notify();
  });
  while (FireTimers() == 0) absl::SleepFor(absl::Milliseconds(1));  // the reader is backing off
  log_->Close();
  while (!done.HasBeenNotified()) {
    FireTimers();
    absl::SleepFor(absl::Milliseconds(1));
  }
  blocked.join();
  EXPECT_THAT(read, StatusIs(absl::StatusCode::kCancelled));
}

eddy::v1::MetadataDelta Assignment(bool snapshot,
                                   std::vector<std::tuple<int32_t, int32_t, int64_t>> shards) {
  eddy::v1::MetadataDelta delta;
  delta.set_snapshot(snapshot);
  for (auto [shard, owner, epoch] : shards) {
    auto* s = delta.add_coordinator_shards();
    s->set_coordinator_type(eddy::v1::COORDINATOR_TYPE_GROUP);
    s->set_shard(shard);
    s->set_owner(owner);
    s->set_epoch(epoch);
  }
  return delta;
}

TEST(CoordinatorMetadataTest, ReportsShardsGainedLostAndReassignedUnderANewEpoch) {
  std::vector<std::tuple<int32_t, bool, int64_t>> changes;
  CoordinatorMetadata metadata(2, [&](int32_t shard, bool owned, int64_t epoch) {
    changes.emplace_back(shard, owned, epoch);
  });
  metadata.Apply(Assignment(true, {{0, 2, 1}, {1, 3, 1}, {2, 2, 1}}));
  EXPECT_THAT(changes, ElementsAre(std::tuple(0, true, 1), std::tuple(2, true, 1)));
  changes.clear();
  // Shard 0 moves away, shard 1 arrives, shard 2 is untouched.
  metadata.Apply(Assignment(false, {{0, 3, 2}, {1, 2, 2}}));
  EXPECT_THAT(changes, ElementsAre(std::tuple(0, false, 1), std::tuple(1, true, 2)));
  EXPECT_EQ(metadata.OwnedEpoch(1), 2);
  EXPECT_EQ(metadata.OwnedEpoch(0), std::nullopt);
  changes.clear();
  // Shard 2 reassigned here under a new epoch (it was away meanwhile): reload.
  metadata.Apply(Assignment(false, {{2, 2, 4}}));
  EXPECT_THAT(changes, ElementsAre(std::tuple(2, false, 1), std::tuple(2, true, 4)));
  changes.clear();
  // A new snapshot without shard 1 (unassigned) takes it away; transaction shards are ignored.
  eddy::v1::MetadataDelta snapshot = Assignment(true, {{2, 2, 4}});
  auto* txn = snapshot.add_coordinator_shards();
  txn->set_coordinator_type(eddy::v1::COORDINATOR_TYPE_TRANSACTION);
  txn->set_shard(5);
  txn->set_owner(2);
  metadata.Apply(snapshot);
  EXPECT_THAT(changes, ElementsAre(std::tuple(1, false, 2)));
}

TEST(CoordinatorMetadataTest, FindsPartitionLeadersThroughBrokerEndpoints) {
  CoordinatorMetadata metadata(1, [](int32_t, bool, int64_t) {});
  eddy::v1::MetadataDelta delta;
  delta.set_snapshot(true);
  auto* broker = delta.add_members();
  broker->set_role(eddy::v1::MEMBER_ROLE_BROKER);
  broker->set_member_id(5);
  broker->set_state(eddy::v1::MEMBER_STATE_ACTIVE);
  auto* endpoint = broker->add_endpoints();
  endpoint->set_name("grpc");
  endpoint->set_host("127.0.0.1");
  endpoint->set_port(7000);
  auto* topic = delta.add_topics();
  topic->set_name("__consumer_offsets");
  auto* p = topic->add_partitions();
  p->set_partition(3);
  p->set_leader(5);
  p->set_leader_epoch(9);
  auto* q = topic->add_partitions();
  q->set_partition(4);
  q->set_leader(-1);
  metadata.Apply(delta);
  auto leader = metadata.Leader("__consumer_offsets", 3);
  ASSERT_TRUE(leader.has_value());
  EXPECT_EQ(leader->broker_id, 5);
  EXPECT_EQ(leader->target, "127.0.0.1:7000");
  EXPECT_EQ(leader->leader_epoch, 9);
  EXPECT_EQ(metadata.Leader("__consumer_offsets", 4), std::nullopt);
  EXPECT_EQ(metadata.Leader("other", 0), std::nullopt);
  auto groups = metadata.ByLeader({{"__consumer_offsets", 3}, {"__consumer_offsets", 4}});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[5].partitions.size(), 1u);
  // The broker leaves: its partitions have no reachable leader.
  eddy::v1::MetadataDelta gone;
  auto* m = gone.add_members();
  m->set_role(eddy::v1::MEMBER_ROLE_BROKER);
  m->set_member_id(5);
  metadata.Apply(gone);
  EXPECT_EQ(metadata.Leader("__consumer_offsets", 3), std::nullopt);
}

// A log whose Read blocks until the test releases it.
class HeldLog : public GroupLog {
 public:
  HeldLog(InMemoryGroupLog::Post post, absl::Notification& release)
      : inner_(std::move(post)), release_(release) {}
  void Append(std::vector<GroupLogRecord> records, AppendCallback done) override {
    inner_.Append(std::move(records), std::move(done));
  }
  absl::Status Read(const std::function<void(const GroupLogRecord&)>& visit) override {
    release_.WaitForNotification();
    return inner_.Read(visit);
  }
  InMemoryGroupLog inner_;
  absl::Notification& release_;
};

TEST(GroupShardSetLoadTest, LoadInProgressThenServingThenNotCoordinatorAfterUnload) {
  const std::string group = "g";
  const int32_t shard = GroupShard(group, 2);
  std::string other_group = "h";
  while (GroupShard(other_group, 2) == shard) other_group += "h";
  absl::Notification release;
  GroupShardSet shards(
      GroupShardSetOptions{.num_shards = 2, .threads = 1},
      [&](int32_t s, InMemoryGroupLog::Post post) -> std::shared_ptr<GroupLog> {
        if (s != shard) return std::make_shared<InMemoryGroupLog>(std::move(post));
        return std::make_shared<HeldLog>(std::move(post), release);
      },
      common::Clock::Real());
  EXPECT_EQ(ErrorFor(shards, group), ErrorCode::kNotCoordinator);
  shards.LoadShard(1 - shard);
  ASSERT_TRUE(shards.WaitLoaded(1 - shard, absl::Seconds(30)));
  shards.LoadShard(shard);
  shards.Quiesce();
  EXPECT_EQ(ErrorFor(shards, group), ErrorCode::kCoordinatorLoadInProgress);
  // The other shard, on the same worker, keeps serving while this one reads its log.
  EXPECT_EQ(ErrorFor(shards, other_group), ErrorCode::kNone);
  release.Notify();
  ASSERT_TRUE(shards.WaitLoaded(shard, absl::Seconds(30)));
  EXPECT_EQ(ErrorFor(shards, group), ErrorCode::kNone);
  shards.UnloadShard(shard);
  shards.Quiesce();
  EXPECT_EQ(ErrorFor(shards, group), ErrorCode::kNotCoordinator);
}

}  // namespace
}  // namespace eddy::coordinator
