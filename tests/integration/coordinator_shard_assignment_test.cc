// The controller creates __consumer_offsets and places its partitions, the group coordinator's
// shards, on the live coordinators (issue 8, sharding): 1 controller, 3 brokers, 2 coordinators.
// A WatchMetadata stream sees the topic (50 partitions, RF 3, compacted) and a 25/25 split; after
// one coordinator is killed with kill -9 and its lease expires, the same stream sees all 50 shards
// owned by the survivor, the moved ones with bumped epochs. With three controllers, killing the
// leader moves no shard.
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "proto/eddy/v1/controller.grpc.pb.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {
namespace {

constexpr int kLeaseMs = 1500;
constexpr char kOffsetsTopic[] = "__consumer_offsets";

// Watcher follows one WatchMetadata stream on its own thread: topics and group shards as of the
// last delta.
class Watcher {
 public:
  explicit Watcher(const std::string& address)
      : stub_(eddy::v1::Controller::NewStub(
            grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))),
        thread_([this] { Run(); }) {}

  ~Watcher() {
    context_.TryCancel();
    thread_.join();
  }

  std::optional<eddy::v1::TopicMetadata> Topic(const std::string& name) const {
    absl::MutexLock lock(&mu_);
    auto it = topics_.find(name);
    if (it == topics_.end()) return std::nullopt;
    return it->second;
  }

  std::map<int32_t, eddy::v1::CoordinatorShardState> GroupShards() const {
    absl::MutexLock lock(&mu_);
    return shards_;
  }

 private:
  void Run() {
    std::unique_ptr<grpc::ClientReader<eddy::v1::MetadataDelta>> reader =
        stub_->WatchMetadata(&context_, {});
    eddy::v1::MetadataDelta delta;
    while (reader->Read(&delta)) {
      absl::MutexLock lock(&mu_);
      if (delta.snapshot()) {
        topics_.clear();
        shards_.clear();
      }
      for (const auto& topic : delta.topics()) topics_[topic.name()] = topic;
      for (const auto& name : delta.deleted_topics()) topics_.erase(name);
      for (const auto& shard : delta.coordinator_shards()) {
        if (shard.coordinator_type() == eddy::v1::COORDINATOR_TYPE_GROUP) {
          shards_[shard.shard()] = shard;
        }
      }
    }
  }

  std::unique_ptr<eddy::v1::Controller::Stub> stub_;
  grpc::ClientContext context_;
  mutable absl::Mutex mu_;
  std::map<std::string, eddy::v1::TopicMetadata> topics_ ABSL_GUARDED_BY(mu_);
  std::map<int32_t, eddy::v1::CoordinatorShardState> shards_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

std::map<int32_t, int> Loads(const std::map<int32_t, eddy::v1::CoordinatorShardState>& shards) {
  std::map<int32_t, int> loads;
  for (const auto& [index, shard] : shards) ++loads[shard.owner()];
  return loads;
}

LocalClusterOptions ClusterOptions(int controllers) {
  LocalClusterOptions options;
  options.bin_dir = EDDY_BIN_DIR;
  options.controllers = controllers;
  options.brokers = 3;
  options.coordinators = 2;
  options.registries = 0;
  options.gateways = 0;
  options.member_session_timeout_ms = kLeaseMs;
  options.member_heartbeat_interval_ms = 200;
  options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
  return options;
}

// Owners maps each shard to (owner, epoch).
std::map<int32_t, std::pair<int32_t, int64_t>> Owners(
    const std::map<int32_t, eddy::v1::CoordinatorShardState>& shards) {
  std::map<int32_t, std::pair<int32_t, int64_t>> owners;
  for (const auto& [index, shard] : shards) owners[index] = {shard.owner(), shard.epoch()};
  return owners;
}

TEST(CoordinatorShardAssignmentTest, OffsetsTopicIsCreatedAndShardsFollowLiveCoordinators) {
  LocalCluster cluster(ClusterOptions(1));
  EDDY_ASSERT_OK(cluster.Start());
  Watcher watcher(cluster.GrpcAddress(Role::kController));

  ASSERT_TRUE(WaitFor([&] { return watcher.Topic(kOffsetsTopic).has_value(); }, absl::Seconds(20)))
      << kOffsetsTopic << " was not created";
  const eddy::v1::TopicMetadata topic = *watcher.Topic(kOffsetsTopic);
  EXPECT_TRUE(topic.internal());
  ASSERT_EQ(topic.partitions_size(), 50);
  for (const auto& partition : topic.partitions()) {
    EXPECT_EQ(partition.replicas_size(), 3) << "partition " << partition.partition();
  }
  EXPECT_EQ(topic.configs().at("cleanup.policy"), "compact");
  EXPECT_EQ(topic.configs().at("segment.bytes"), "104857600");

  const std::map<int32_t, int> split{{1, 25}, {2, 25}};
  ASSERT_TRUE(WaitFor(
      [&] {
        auto shards = watcher.GroupShards();
        return shards.size() == 50 && Loads(shards) == split;
      },
      absl::Seconds(10)))
      << "shards did not split 25/25";
  const std::map<int32_t, eddy::v1::CoordinatorShardState> before = watcher.GroupShards();

  // The controller refuses to delete the internal topic.
  auto stub = eddy::v1::Controller::NewStub(grpc::CreateChannel(
      cluster.GrpcAddress(Role::kController), grpc::InsecureChannelCredentials()));
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    eddy::v1::DeleteTopicsRequest request;
    request.add_names(kOffsetsTopic);
    eddy::v1::DeleteTopicsResponse response;
    ASSERT_TRUE(stub->DeleteTopics(&context, request, &response).ok());
    ASSERT_EQ(response.results_size(), 1);
    EXPECT_EQ(response.results(0).error_code(), 17) << "INVALID_TOPIC_EXCEPTION";
  }

  // Coordinator index 1 is member 2.
  const absl::Time killed = absl::Now();
  EDDY_ASSERT_OK(cluster.Kill(Role::kCoordinator, 1));
  ASSERT_TRUE(WaitFor(
      [&] {
        return Loads(watcher.GroupShards()) == std::map<int32_t, int>{{1, 50}};
      },
      absl::Milliseconds(kLeaseMs) + absl::Seconds(5)))
      << "the survivor did not take every shard";
  const absl::Duration took = absl::Now() - killed;
  std::cout << "all shards on the survivor " << took << " after kill -9 (lease " << kLeaseMs
            << " ms)\n";
  EXPECT_LE(took, absl::Milliseconds(kLeaseMs) + absl::Seconds(2)) << took;
  const std::map<int32_t, eddy::v1::CoordinatorShardState> after = watcher.GroupShards();
  for (const auto& [index, shard] : after) {
    const eddy::v1::CoordinatorShardState& old = before.at(index);
    if (old.owner() == 2) {
      EXPECT_EQ(shard.epoch(), old.epoch() + 1) << "shard " << index;
    } else {
      EXPECT_EQ(shard.epoch(), old.epoch()) << "shard " << index << " stays put";
    }
  }
  EXPECT_TRUE(watcher.Topic(kOffsetsTopic).has_value());
}

// A new controller leader knows no coordinator until they register again: it must not take their
// shards away in the meantime (it gives unknown owners one lease).
TEST(CoordinatorShardAssignmentTest, ShardsStayPutWhenTheControllerLeaderFails) {
  LocalCluster cluster(ClusterOptions(3));
  EDDY_ASSERT_OK(cluster.Start());
  EDDY_ASSERT_OK_AND_ASSIGN(eddy::v1::GetClusterStatusResponse status, cluster.ClusterStatus());
  const int leader = status.controller_id() - 1;
  const int follower = (leader + 1) % 3;
  Watcher watcher(cluster.GrpcAddress(Role::kController, follower));
  const std::map<int32_t, int> split{{1, 25}, {2, 25}};
  ASSERT_TRUE(WaitFor(
      [&] {
        auto shards = watcher.GroupShards();
        return shards.size() == 50 && Loads(shards) == split;
      },
      absl::Seconds(20)))
      << "shards did not split 25/25";
  const std::map<int32_t, std::pair<int32_t, int64_t>> before = Owners(watcher.GroupShards());

  EDDY_ASSERT_OK(cluster.Kill(Role::kController, leader));
  // Both coordinators register with the new leader; its grace for unknown owners (one lease from
  // its election, which precedes this answer) then ends.
  ASSERT_TRUE(WaitFor(
      [&] {
        absl::StatusOr<eddy::v1::GetClusterStatusResponse> now = cluster.ClusterStatus();
        if (!now.ok() || now->controller_id() == leader + 1) return false;
        int active = 0;
        for (const eddy::v1::MemberStatus& member : now->members()) {
          active += member.role() == eddy::v1::MEMBER_ROLE_COORDINATOR &&
                    member.state() == eddy::v1::MEMBER_STATE_ACTIVE;
        }
        return active == 2;
      },
      absl::Seconds(15)))
      << "no new leader with both coordinators registered";
  const absl::Time grace_over = absl::Now() + absl::Milliseconds(kLeaseMs);
  // Moves after a failover would show up here within the grace and a few ticks after it.
  EXPECT_FALSE(WaitFor([&] { return Owners(watcher.GroupShards()) != before; },
                       grace_over - absl::Now() + absl::Milliseconds(500)))
      << "shards moved on controller failover";
}

}  // namespace
}  // namespace eddy::testing
