// BrokerGroupLog's fencing by shard epoch against a scripted broker data path: the epoch on every
// produce and fetch, retries while the leader has not applied it (COORDINATOR_LOAD_IN_PROGRESS),
// deposition on NOT_COORDINATOR (pending appends fail, the shard is to be unloaded), and the
// load's barrier (replay up to the log end seen at the first accepted fetch, once replicated).
// Also GroupShardSet's unloading of a deposed load, and only that load.
#include <thread>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/coordinator/broker_group_log.h"
#include "services/coordinator/broker_group_log_test_fixture.h"
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
using testing::Batch;
using testing::BrokerGroupLogTest;
using testing::ErrorFor;
using testing::FetchAnswer;
using testing::ProduceAnswer;
using testing::RecordsOf;

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
