// A deposed group coordinator is fenced at the broker (1 controller, 1 broker, 2 coordinators):
// once a shard moved (kill -9 of its owner, reassignment after the member lease), a produce to
// that __consumer_offsets partition over the broker's Data stream with the old shard epoch gets
// NOT_COORDINATOR and nothing is appended; without an epoch (a Kafka client) it gets
// INVALID_TOPIC_EXCEPTION, with an epoch the broker has not applied COORDINATOR_LOAD_IN_PROGRESS,
// and with the current epoch it is appended. Fetches carrying the old epoch are refused too, while
// a consumer's fetch (no epoch) reads as before.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "libs/kafka/record_batch_builder.h"
#include "tests/testing/data_stream_client.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {
namespace {

constexpr char kOffsetsTopic[] = "__consumer_offsets";
constexpr int kLeaseMs = 1500;
constexpr int32_t kNone = 0;
constexpr int32_t kCoordinatorLoadInProgress = 14;
constexpr int32_t kNotCoordinator = 16;
constexpr int32_t kInvalidTopicException = 17;

struct ShardOwner {
  int32_t owner = -1;
  int64_t epoch = 0;
};

// OwnerOf reads the controller's current assignment of group shard `shard` (nullopt until it has
// one and __consumer_offsets has a leader for the partition).
std::optional<ShardOwner> OwnerOf(const std::string& controller, int32_t shard) {
  absl::StatusOr<eddy::v1::MetadataDelta> snapshot = MetadataSnapshot(controller);
  if (!snapshot.ok()) return std::nullopt;
  bool led = false;
  for (const auto& topic : snapshot->topics()) {
    if (topic.name() != kOffsetsTopic) continue;
    for (const auto& p : topic.partitions()) led = led || (p.partition() == shard && p.leader() >= 0);
  }
  if (!led) return std::nullopt;
  for (const auto& s : snapshot->coordinator_shards()) {
    if (s.coordinator_type() == eddy::v1::COORDINATOR_TYPE_GROUP && s.shard() == shard) {
      return ShardOwner{s.owner(), s.epoch()};
    }
  }
  return std::nullopt;
}

// A group record the coordinators can replay: a GroupMetadataKey (v2) tombstone of a group nobody
// uses.
std::string ProbeBatch() {
  const std::string group = "fencing-probe";
  std::string key("\x00\x02", 2);
  key.push_back(static_cast<char>(group.size() >> 8));
  key.push_back(static_cast<char>(group.size() & 0xff));
  key += group;
  kafka::RecordBatchBuilder builder({});
  builder.Append(1'700'000'000'000, key, std::nullopt);
  return *builder.Build();
}

class CoordinatorFencingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LocalClusterOptions options;
    options.bin_dir = EDDY_BIN_DIR;
    options.controllers = 1;
    options.brokers = 1;
    options.coordinators = 2;
    options.registries = 0;
    options.gateways = 0;
    options.member_session_timeout_ms = kLeaseMs;
    options.member_heartbeat_interval_ms = 200;
    options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
    cluster_ = std::make_unique<LocalCluster>(options);
    EDDY_ASSERT_OK(cluster_->Start());
    broker_ = std::make_unique<DataStreamClient>(cluster_->GrpcAddress(Role::kBroker));
  }

  // Produce appends the probe record to shard `shard` carrying `epoch` (0: none); the result's
  // error code, or -1 if the call failed.
  int32_t Produce(int32_t shard, int64_t epoch, int64_t* base_offset = nullptr) {
    eddy::v1::DataRequest request = ProduceRequest(kOffsetsTopic, shard, ProbeBatch(), -1);
    request.mutable_produce()->set_group_shard_epoch(epoch);
    absl::StatusOr<eddy::v1::DataResponse> response = broker_->Call(request);
    if (!response.ok() || response->produce().results_size() != 1) return -1;
    if (base_offset != nullptr) *base_offset = response->produce().results(0).base_offset();
    return response->produce().results(0).error_code();
  }

  // Fetch reads shard `shard` from offset 0 carrying `epoch` (0: a consumer's fetch).
  std::optional<eddy::v1::FetchPartitionResult> Fetch(int32_t shard, int64_t epoch) {
    eddy::v1::DataRequest request = FetchRequest(kOffsetsTopic, shard, 0);
    request.mutable_fetch()->set_min_bytes(0);
    request.mutable_fetch()->set_group_shard_epoch(epoch);
    absl::StatusOr<eddy::v1::DataResponse> response = broker_->Call(request);
    if (!response.ok() || response->fetch().results_size() != 1) return std::nullopt;
    return response->fetch().results(0);
  }

  // LogEnd is the partition's log end offset as a consumer's fetch sees it (-1 on failure).
  int64_t LogEnd(int32_t shard) {
    std::optional<eddy::v1::FetchPartitionResult> result = Fetch(shard, 0);
    if (!result || result->error_code() != kNone) return -1;
    return result->log_end_offset();
  }

  std::unique_ptr<LocalCluster> cluster_;
  std::unique_ptr<DataStreamClient> broker_;
};

TEST_F(CoordinatorFencingTest, ADeposedOwnersEpochIsRefusedAfterTheShardMoves) {
  const std::string controller = cluster_->GrpcAddress(Role::kController);
  // Coordinator index 1 is member 2; take a shard it owns.
  int32_t shard = -1;
  ShardOwner before;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (int32_t s = 0; s < 50; ++s) {
          std::optional<ShardOwner> owner = OwnerOf(controller, s);
          if (owner && owner->owner == 2) {
            shard = s;
            before = *owner;
            return true;
          }
        }
        return false;
      },
      absl::Seconds(30), absl::Milliseconds(200)))
      << "no shard was assigned to coordinator 2";
  // The old owner's epoch works while it owns the shard (once the broker applied it).
  ASSERT_TRUE(WaitFor([&] { return Produce(shard, before.epoch) == kNone; }, absl::Seconds(20)))
      << "the owner's epoch " << before.epoch << " was never accepted";

  EDDY_ASSERT_OK(cluster_->Kill(Role::kCoordinator, 1));
  ShardOwner after;
  ASSERT_TRUE(WaitFor(
      [&] {
        std::optional<ShardOwner> owner = OwnerOf(controller, shard);
        if (!owner || owner->owner != 1) return false;
        after = *owner;
        return true;
      },
      absl::Milliseconds(kLeaseMs) + absl::Seconds(10), absl::Milliseconds(100)))
      << "shard " << shard << " did not move to the survivor";
  ASSERT_GT(after.epoch, before.epoch);
  // The new owner's first fetch is the barrier: accepted once the broker applied the move.
  ASSERT_TRUE(WaitFor(
      [&] {
        std::optional<eddy::v1::FetchPartitionResult> result = Fetch(shard, after.epoch);
        return result && result->error_code() == kNone;
      },
      absl::Seconds(20)));

  const int64_t end = LogEnd(shard);
  ASSERT_GE(end, 1) << "the old owner's accepted append is not in the log";
  // The deposed owner: refused, nothing appended.
  EXPECT_EQ(Produce(shard, before.epoch), kNotCoordinator);
  std::optional<eddy::v1::FetchPartitionResult> stale = Fetch(shard, before.epoch);
  ASSERT_TRUE(stale.has_value());
  EXPECT_EQ(stale->error_code(), kNotCoordinator);
  EXPECT_TRUE(stale->records().empty());
  // A Kafka client (no epoch) may not append to the internal topic.
  EXPECT_EQ(Produce(shard, 0), kInvalidTopicException);
  // An epoch this broker has not applied: retriable.
  EXPECT_EQ(Produce(shard, after.epoch + 1), kCoordinatorLoadInProgress);
  EXPECT_EQ(LogEnd(shard), end) << "a refused produce was appended";
  // The current owner's epoch appends.
  int64_t base_offset = -1;
  EXPECT_EQ(Produce(shard, after.epoch, &base_offset), kNone);
  EXPECT_EQ(base_offset, end);
  EXPECT_EQ(LogEnd(shard), end + 1);
  // Consumers read the group log as before.
  std::optional<eddy::v1::FetchPartitionResult> consumed = Fetch(shard, 0);
  ASSERT_TRUE(consumed.has_value());
  EXPECT_EQ(consumed->error_code(), kNone);
  EXPECT_EQ(consumed->high_watermark(), end + 1);
  EXPECT_FALSE(consumed->records().empty());
}

}  // namespace
}  // namespace eddy::testing
