// BrokerGroupLog against a scripted broker data path, a manual clock and a manual retry timer:
// what it produces (acks=all, one RecordBatch per round trip with the appends in order),
// retries at the new leader, Kafka's error mapping once retries run out, replay by fetch up to
// the high watermark, and closing; the shard epoch on every produce and fetch, retries while the
// leader has not applied it (COORDINATOR_LOAD_IN_PROGRESS), deposition on NOT_COORDINATOR, and
// the load's barrier (replay up to the log end seen at the first accepted fetch). Also
// CoordinatorMetadata's shard ownership and GroupShardSet's load-in-progress / not-coordinator
// answers with a log whose read the test holds, and its unloading of a deposed shard.
#include "services/coordinator/broker_group_log.h"

#include <deque>
#include <span>
#include <utility>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/kafka/error_codes.h"
#include "libs/kafka/record_batch.h"
#include "libs/kafka/record_batch_builder.h"
#include "services/coordinator/coordinator_metadata.h"
#include "services/coordinator/group_shard_set.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::coordinator {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;
using ::eddy::testing::WaitFor;
using kafka::ErrorCode;
using ::testing::ElementsAre;

class ScriptedBrokers : public runtime::BrokerDataPath {
 public:
  struct Sent {
    int32_t broker;
    eddy::v1::DataRequest request;
    Callback callback;
  };
  void Send(int32_t broker_id, const std::string&, eddy::v1::DataRequest request, absl::Duration,
            Callback callback) override {
    absl::MutexLock lock(&mu_);
    sent_.push_back({broker_id, std::move(request), std::move(callback)});
  }
  std::deque<Sent> Take() {
    absl::MutexLock lock(&mu_);
    return std::exchange(sent_, {});
  }
  // WaitOne waits for the next request (Read sends from its own thread).
  Sent WaitOne() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](std::deque<Sent>* s) { return !s->empty(); }, &sent_));
    Sent s = std::move(sent_.front());
    sent_.pop_front();
    return s;
  }

 private:
  absl::Mutex mu_;
  std::deque<Sent> sent_ ABSL_GUARDED_BY(mu_);
};

eddy::v1::DataResponse ProduceAnswer(ErrorCode code) {
  eddy::v1::DataResponse r;
  auto* result = r.mutable_produce()->add_results();
  result->mutable_partition()->set_topic("__consumer_offsets");
  result->mutable_partition()->set_partition(7);
  result->set_error_code(static_cast<int32_t>(code));
  return r;
}

// Records of every batch in a produce request's records blob.
std::vector<GroupLogRecord> RecordsOf(const eddy::v1::DataRequest& request, int* batches) {
  const std::string& bytes = request.produce().partitions(0).records();
  auto views =
      kafka::SplitBatches(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  EXPECT_THAT(views.status(), IsOk());
  std::vector<GroupLogRecord> out;
  *batches = 0;
  for (const auto& batch : *views) {
    ++*batches;
    EXPECT_EQ(batch.magic(), 2);
    EXPECT_THAT(batch.VerifyCrc(), IsOk());
    std::string storage;
    auto records = kafka::ReadAllRecords(batch, &storage);
    EXPECT_THAT(records.status(), IsOk());
    for (const auto& r : *records) {
      out.push_back(
          {std::string(*r.key), r.value ? std::optional<std::string>(*r.value) : std::nullopt});
    }
  }
  return out;
}

class BrokerGroupLogTest : public ::testing::Test {
 protected:
  BrokerGroupLogTest() { MakeLog(); }

  void MakeLog() {
    log_ = std::make_unique<BrokerGroupLog>(
        BrokerGroupLogOptions{.partition = 7,
                              .shard_epoch = 3,
                              .deposed = [this] { ++deposed_; },
                              .append_timeout = absl::Seconds(5),
                              .load_timeout = absl::Seconds(10),
                              .retry_backoff = absl::Milliseconds(100)},
        brokers_,
        [this](const std::string& topic, int32_t partition) -> std::optional<PartitionLeader> {
          EXPECT_EQ(topic, "__consumer_offsets");
          EXPECT_EQ(partition, 7);
          absl::MutexLock lock(&mu_);
          return leader_;
        },
        [this](absl::Duration delay, std::function<void()> fn) {
          absl::MutexLock lock(&mu_);
          timers_.push_back({delay, std::move(fn)});
        },
        [this](std::function<void()> fn) {
          absl::MutexLock lock(&mu_);
          posted_.push_back(std::move(fn));
        },
        clock_);
  }

  void SetLeader(std::optional<PartitionLeader> leader) {
    absl::MutexLock lock(&mu_);
    leader_ = std::move(leader);
  }
  // FireTimers advances the clock by each timer's delay and runs it.
  int FireTimers() {
    std::deque<std::pair<absl::Duration, std::function<void()>>> due;
    {
      absl::MutexLock lock(&mu_);
      due.swap(timers_);
    }
    for (auto& [delay, fn] : due) {
      clock_.Advance(delay);
      fn();
    }
    return static_cast<int>(due.size());
  }
  void Drain() {
    std::deque<std::function<void()>> posted;
    {
      absl::MutexLock lock(&mu_);
      posted.swap(posted_);
    }
    for (auto& fn : posted) fn();
  }
  void Append(std::string key, std::optional<std::string> value) {
    std::vector<GroupLogRecord> records;
    records.push_back({std::move(key), std::move(value)});
    const int index = appended_++;
    log_->Append(std::move(records), [this, index](absl::Status s) {
      results_.push_back({index, std::move(s)});
    });
  }

  common::ManualClock clock_;
  ScriptedBrokers brokers_;
  absl::Mutex mu_;
  std::optional<PartitionLeader> leader_ ABSL_GUARDED_BY(mu_) = PartitionLeader{
      .broker_id = 1, .target = "b1:1", .leader_epoch = 4};
  std::deque<std::pair<absl::Duration, std::function<void()>>> timers_ ABSL_GUARDED_BY(mu_);
  std::deque<std::function<void()>> posted_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<BrokerGroupLog> log_;
  int appended_ = 0;
  int deposed_ = 0;
  std::vector<std::pair<int, absl::Status>> results_;
};

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

std::string Batch(int64_t base_offset, std::vector<GroupLogRecord> records) {
  kafka::RecordBatchBuilder builder({.base_offset = Offset(base_offset)});
  for (const auto& r : records) {
    builder.Append(1000, r.key, r.value ? std::optional<std::string_view>(*r.value) : std::nullopt);
  }
  return *builder.Build();
}

eddy::v1::DataResponse FetchAnswer(ErrorCode code, int64_t hw, int64_t log_start,
                                   std::string records, int64_t log_end = 0) {
  eddy::v1::DataResponse r;
  auto* result = r.mutable_fetch()->add_results();
  result->set_error_code(static_cast<int32_t>(code));
  result->set_high_watermark(hw);
  result->set_log_start_offset(log_start);
  result->set_log_end_offset(log_end);
  result->set_records(std::move(records));
  return r;
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

TEST_F(BrokerGroupLogTest, AppendsCarryTheShardEpochAndWaitForTheLeaderToApplyIt) {
  Append("k", "v");
  auto sent = brokers_.Take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].request.produce().group_shard_epoch(), 3);
  // The leader has not applied the assignment yet: retried after a backoff, not failed.
  sent[0].callback(ProduceAnswer(ErrorCode::kCoordinatorLoadInProgress));
  EXPECT_TRUE(brokers_.Take().empty()) << "retried without backing off";
  EXPECT_EQ(FireTimers(), 1);
  sent = brokers_.Take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].request.produce().group_shard_epoch(), 3);
  sent[0].callback(ProduceAnswer(ErrorCode::kNone));
  Drain();
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_THAT(results_[0].second, IsOk());
  EXPECT_EQ(deposed_, 0);
}

TEST_F(BrokerGroupLogTest, NotCoordinatorOnAnAppendDeposesTheShard) {
  Append("a", "1");
  auto sent = brokers_.Take();
  ASSERT_EQ(sent.size(), 1u);
  Append("b", "2");  // queued behind the produce in flight
  sent[0].callback(ProduceAnswer(ErrorCode::kNotCoordinator));
  Drain();
  ASSERT_EQ(results_.size(), 2u);
  for (auto& [index, status] : results_) {
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kAborted)) << index;
    EXPECT_EQ(StorageErrorToKafka(status, true), ErrorCode::kNotCoordinator);
  }
  EXPECT_EQ(deposed_, 1) << "the shard is to be unloaded";
  EXPECT_TRUE(brokers_.Take().empty()) << "the queued append was sent by a deposed owner";
  EXPECT_EQ(FireTimers(), 0) << "a deposed owner does not retry";
  // Nothing more is written under the old epoch.
  Append("c", "3");
  Drain();
  ASSERT_EQ(results_.size(), 3u);
  EXPECT_EQ(StorageErrorToKafka(results_[2].second, true), ErrorCode::kNotCoordinator);
  EXPECT_TRUE(brokers_.Take().empty());
  EXPECT_EQ(deposed_, 1);
}

TEST_F(BrokerGroupLogTest, LoadRetriesUntilTheLeaderAcceptsTheEpochThenReadsToItsLogEnd) {
  std::vector<GroupLogRecord> seen;
  absl::Status read;
  absl::Notification done;
  std::thread reader([&] {
    read = log_->Read([&](const GroupLogRecord& r) { seen.push_back(r); });
    done.Notify();
  });
  auto s = brokers_.WaitOne();
  EXPECT_EQ(s.request.fetch().group_shard_epoch(), 3);
  EXPECT_EQ(s.request.fetch().replica_id(), -1);
  s.callback(FetchAnswer(ErrorCode::kCoordinatorLoadInProgress, -1, -1, ""));
  while (!done.HasBeenNotified() && FireTimers() == 0) absl::SleepFor(absl::Milliseconds(1));
  // Accepted: the barrier. The old owner's last append (offsets 2, 3) is in the log but not
  // replicated yet (high watermark 2, log end 4): the load must not end before it.
  s = brokers_.WaitOne();
  EXPECT_EQ(s.request.fetch().group_shard_epoch(), 3);
  EXPECT_EQ(s.request.fetch().partitions(0).fetch_offset(), 0);
  s.callback(FetchAnswer(ErrorCode::kNone, 2, 0, Batch(0, {{"a", "1"}, {"b", "1"}}), 4));
  s = brokers_.WaitOne();
  EXPECT_EQ(s.request.fetch().partitions(0).fetch_offset(), 2);
  s.callback(FetchAnswer(ErrorCode::kNone, 2, 0, "", 4));  // not replicated yet: wait
  while (!done.HasBeenNotified() && FireTimers() == 0) absl::SleepFor(absl::Milliseconds(1));
  s = brokers_.WaitOne();
  EXPECT_EQ(s.request.fetch().partitions(0).fetch_offset(), 2);
  // Replicated now; the new owner's own appends after the barrier (offset 4) are not replayed.
  s.callback(FetchAnswer(ErrorCode::kNone, 5, 0, Batch(2, {{"a", "2"}, {"c", "1"}}), 5));
  done.WaitForNotification();
  reader.join();
  EXPECT_THAT(read, IsOk());
  EXPECT_THAT(
      seen,
      ElementsAre(GroupLogRecord{"a", std::string("1")}, GroupLogRecord{"b", std::string("1")},
                  GroupLogRecord{"a", std::string("2")}, GroupLogRecord{"c", std::string("1")}));
}

TEST_F(BrokerGroupLogTest, NotCoordinatorWhileLoadingIsAborted) {
  absl::Status read;
  std::thread reader([&] { read = log_->Read([](const GroupLogRecord&) {}); });
  brokers_.WaitOne().callback(FetchAnswer(ErrorCode::kNotCoordinator, -1, -1, ""));
  reader.join();
  EXPECT_THAT(read, StatusIs(absl::StatusCode::kAborted));
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

ErrorCode ErrorFor(GroupShardSet& shards, const std::string& group) {
  absl::Notification answered;
  ErrorCode error = ErrorCode::kUnknownServerError;
  shards.WithGroup(group, [&](GroupCoordinator*, ErrorCode e) {
    error = e;
    answered.Notify();
  });
  answered.WaitForNotification();
  return error;
}

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

// A log that reports itself deposed when the test says so, or whose read says so.
class DeposableLog : public GroupLog {
 public:
  explicit DeposableLog(ShardLogContext context)
      : context_(std::move(context)), inner_(context_.post) {}
  void Append(std::vector<GroupLogRecord> records, AppendCallback done) override {
    inner_.Append(std::move(records), std::move(done));
  }
  absl::Status Read(const std::function<void(const GroupLogRecord&)>& visit) override {
    if (context_.epoch < 0) return absl::AbortedError("NOT_COORDINATOR");
    return inner_.Read(visit);
  }
  ShardLogContext context_;
  InMemoryGroupLog inner_;
};

TEST(GroupShardSetLoadTest, ADeposedLoadIsUnloadedButALaterLoadIsNot) {
  const std::string group = "g";
  const int32_t shard = GroupShard(group, 1);
  absl::Mutex mu;
  std::vector<ShardLogContext> opened;
  GroupShardSet shards(
      GroupShardSetOptions{.num_shards = 1, .threads = 1},
      [&](ShardLogContext context) -> std::shared_ptr<GroupLog> {
        absl::MutexLock lock(&mu);
        opened.push_back(context);
        return std::make_shared<DeposableLog>(std::move(context));
      },
      common::Clock::Real());
  shards.LoadShard(shard, 4);
  ASSERT_TRUE(shards.WaitLoaded(shard, absl::Seconds(30)));
  std::function<void()> deposed_first;
  {
    absl::MutexLock lock(&mu);
    ASSERT_EQ(opened.size(), 1u);
    EXPECT_EQ(opened[0].shard, shard);
    EXPECT_EQ(opened[0].epoch, 4);
    deposed_first = opened[0].deposed;
  }
  deposed_first();
  shards.Quiesce();
  shards.Quiesce();  // the deposition posts once more to the shard's worker
  EXPECT_EQ(ErrorFor(shards, group), ErrorCode::kNotCoordinator);

  // Assigned here again under a newer epoch: the first load's late deposition does not touch it.
  shards.LoadShard(shard, 6);
  ASSERT_TRUE(shards.WaitLoaded(shard, absl::Seconds(30)));
  deposed_first();
  shards.Quiesce();
  shards.Quiesce();
  EXPECT_EQ(ErrorFor(shards, group), ErrorCode::kNone);

  // A load whose read learns of a newer owner (kAborted) leaves the shard unserved.
  shards.UnloadShard(shard);
  shards.LoadShard(shard, -1);
  shards.Quiesce();
  EXPECT_TRUE(WaitFor(
      [&] { return ErrorFor(shards, group) == ErrorCode::kNotCoordinator; }, absl::Seconds(30)));
}

}  // namespace
}  // namespace eddy::coordinator
