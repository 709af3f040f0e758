// Issue 8, coordinator durability on a real cluster (1 controller, 3 brokers, 2 coordinators, the
// broker-backed group log): offsets committed through the Coordinator gRPC API are written to
// __consumer_offsets with acks=all; `kill -9` of the coordinator owning a group's shard moves the
// shard to the other coordinator, which loads it and serves every acknowledged commit within the
// member lease + 5 s; a restart of all coordinators keeps every commit (the log is on the
// brokers); lag per group and partition is on the owner's /metrics.
#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "proto/eddy/v1/coordinator.grpc.pb.h"
#include "tests/testing/data_stream_client.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {
namespace {

constexpr int kNotCoordinator = 16;
constexpr int kCoordinatorLoadInProgress = 14;
constexpr int kCoordinatorNotAvailable = 15;
constexpr int kGroups = 12;
constexpr int kPartitions = 3;

class CoordinatorFailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LocalClusterOptions options;
    options.bin_dir = EDDY_BIN_DIR;
    options.controllers = 1;
    options.brokers = 3;
    options.coordinators = 2;
    options.registries = 0;
    options.gateways = 0;
    options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
    cluster_ = std::make_unique<LocalCluster>(options);
    EDDY_ASSERT_OK(cluster_->Start());
    // Brokers register fenced and are unfenced by their first heartbeats.
    ASSERT_TRUE(WaitFor(
        [&] {
          auto status = cluster_->ClusterStatus();
          return status.ok() && status->health().brokers() == 3 &&
                 status->health().fenced_brokers() == 0;
        },
        absl::Seconds(30)));
    for (int i = 0; i < 2; ++i) {
      stubs_.push_back(eddy::v1::Coordinator::NewStub(grpc::CreateChannel(
          cluster_->GrpcAddress(Role::kCoordinator, i), grpc::InsecureChannelCredentials())));
    }
  }

  static std::string Group(int g) { return absl::StrCat("failover-group-", g); }

  // Commit commits `offset` for every partition of group `g` at coordinator `c` (a simple
  // consumer: generation -1). Returns the error code of the first partition (0: acknowledged),
  // or -1 when the RPC itself failed (the coordinator is down).
  int Commit(int c, int g, int64_t offset) {
    eddy::v1::OffsetCommitRequest request;
    request.set_group_id(Group(g));
    request.set_generation_id(-1);
    for (int p = 0; p < kPartitions; ++p) {
      auto* part = request.add_partitions();
      part->mutable_partition()->set_topic("orders");
      part->mutable_partition()->set_partition(p);
      part->set_committed_offset(offset);
    }
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    eddy::v1::OffsetCommitResponse response;
    if (!stubs_[c]->OffsetCommit(&context, request, &response).ok()) return -1;
    if (response.results_size() != kPartitions) return -2;
    for (const auto& r : response.results()) {
      if (r.error_code() != response.results(0).error_code()) return -3;
    }
    return response.results(0).error_code();
  }

  // Fetch reads group `g`'s committed offsets at coordinator `c`: partition → offset, or the
  // group-level error code (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS) in *error.
  std::map<int32_t, int64_t> Fetch(int c, int g, int* error) {
    eddy::v1::OffsetFetchRequest request;
    request.set_group_id(Group(g));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    eddy::v1::OffsetFetchResponse response;
    std::map<int32_t, int64_t> out;
    if (!stubs_[c]->OffsetFetch(&context, request, &response).ok()) {
      *error = -1;
      return out;
    }
    *error = response.error_code();
    for (const auto& p : response.partitions()) {
      if (p.error_code() != 0) *error = p.error_code();
      out[p.partition().partition()] = p.committed_offset();
    }
    return out;
  }

  // CommitSomewhere commits at whichever live coordinator owns the group's shard; returns the
  // coordinator that acknowledged, or -1 when none did before `timeout`.
  int CommitSomewhere(int g, int64_t offset, absl::Duration timeout,
                      const std::vector<int>& live = {0, 1}) {
    int acked_by = -1;
    WaitFor(
        [&] {
          for (int c : live) {
            const int error = Commit(c, g, offset);
            if (error == 0) {
              acked_by = c;
              return true;
            }
            EXPECT_TRUE(error == kNotCoordinator || error == kCoordinatorLoadInProgress ||
                        error == kCoordinatorNotAvailable || error == -1)
                << "group " << g << " at coordinator " << c << ": error " << error;
          }
          return false;
        },
        timeout, absl::Milliseconds(100));
    return acked_by;
  }

  // ReadableEverywhere: every group's acknowledged offsets are served by some live coordinator.
  bool AllCommitsReadable(const std::map<int, int64_t>& acked, const std::vector<int>& live,
                          std::string* missing) {
    for (const auto& [g, offset] : acked) {
      bool found = false;
      for (int c : live) {
        int error = 0;
        std::map<int32_t, int64_t> offsets = Fetch(c, g, &error);
        if (error != 0) continue;
        for (int p = 0; p < kPartitions; ++p) {
          // An acknowledged commit may never be lost or go backwards.
          EXPECT_TRUE(offsets.contains(p) && offsets[p] >= offset)
              << "group " << g << " partition " << p << " at coordinator " << c << ": "
              << (offsets.contains(p) ? std::to_string(offsets[p]) : "none") << " < acked "
              << offset;
        }
        found = true;
        break;
      }
      if (!found) {
        *missing = Group(g);
        return false;
      }
    }
    return true;
  }

  std::unique_ptr<LocalCluster> cluster_;
  std::vector<std::unique_ptr<eddy::v1::Coordinator::Stub>> stubs_;
};

TEST_F(CoordinatorFailoverTest, KillOwnerMovesShardsAndKeepsEveryAcknowledgedCommit) {
  // Shards load once the controller assigned them and __consumer_offsets has leaders.
  std::map<int, int64_t> acked;    // group → last acknowledged offset
  std::map<int, int> owner;        // group → coordinator that acknowledged
  for (int g = 0; g < kGroups; ++g) {
    const int c = CommitSomewhere(g, 100 + g, absl::Seconds(40));
    ASSERT_GE(c, 0) << "group " << g << " was never served";
    acked[g] = 100 + g;
    owner[g] = c;
  }
  // The other coordinator refuses them: one owner per shard.
  for (int g = 0; g < kGroups; ++g) {
    EXPECT_EQ(Commit(1 - owner[g], g, 1), kNotCoordinator) << "group " << g;
  }
  // A second round of commits, then the owner of group 0 dies.
  for (int g = 0; g < kGroups; ++g) {
    ASSERT_EQ(Commit(owner[g], g, 1000 + g), 0);
    acked[g] = 1000 + g;
  }
  const int victim = owner[0];
  const int survivor = 1 - victim;
  EDDY_ASSERT_OK(cluster_->Kill(Role::kCoordinator, victim));
  const absl::Time killed = absl::Now();

  // Within the member lease (2 s in LocalCluster) + 5 s the survivor serves every group with
  // every acknowledged commit.
  std::string missing;
  const bool moved = WaitFor([&] { return AllCommitsReadable(acked, {survivor}, &missing); },
                             absl::Milliseconds(2000) + absl::Seconds(5), absl::Milliseconds(100));
  const absl::Duration took = absl::Now() - killed;
  ASSERT_TRUE(moved) << missing << " not served by the survivor "
                     << absl::FormatDuration(took) << " after the kill";
  std::cout << "all shards served by the survivor " << absl::FormatDuration(took)
            << " after kill -9 of the owner\n";
  // And the survivor takes new commits for the moved groups.
  for (int g = 0; g < kGroups; ++g) {
    ASSERT_EQ(Commit(survivor, g, 2000 + g), 0) << "group " << g;
    acked[g] = 2000 + g;
  }

  // Restart every coordinator: what was acknowledged is still there (read from the brokers).
  EDDY_ASSERT_OK_AND_ASSIGN(int exit_code,
                            cluster_->Stop(Role::kCoordinator, survivor, absl::Seconds(20)));
  EXPECT_EQ(exit_code, 0);
  EDDY_ASSERT_OK(cluster_->Restart(Role::kCoordinator, victim));
  EDDY_ASSERT_OK(cluster_->Restart(Role::kCoordinator, survivor));
  for (int i = 0; i < 2; ++i) {
    stubs_[i] = eddy::v1::Coordinator::NewStub(grpc::CreateChannel(
        cluster_->GrpcAddress(Role::kCoordinator, i), grpc::InsecureChannelCredentials()));
  }
  EXPECT_TRUE(WaitFor([&] { return AllCommitsReadable(acked, {0, 1}, &missing); },
                      absl::Seconds(30), absl::Milliseconds(100)))
      << missing << " not served after restarting every coordinator";
}

TEST_F(CoordinatorFailoverTest, LagPerGroupAndPartitionIsOnMetrics) {
  const std::string controller = cluster_->GrpcAddress(Role::kController);
  EDDY_ASSERT_OK(CreateTopic(controller, "orders", kPartitions, 3));
  // 30 records into partition 1 of "orders".
  absl::StatusOr<PartitionState> state;
  ASSERT_TRUE(WaitFor(
      [&] {
        state = GetPartitionState(controller, "orders", 1);
        return state.ok() && state->leader >= 0;
      },
      absl::Seconds(20)));
  std::map<int32_t, int> broker_index;
  for (int i = 0; i < cluster_->Count(Role::kBroker); ++i) broker_index[i + 1] = i;
  DataStreamClient broker(cluster_->GrpcAddress(Role::kBroker, broker_index[state->leader]));
  TestBatch batch;
  for (int i = 0; i < 30; ++i) batch.records.emplace_back("k", "v");
  // The leader learns of the new topic from its metadata a moment after the controller.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto produced = broker.Call(ProduceRequest("orders", 1, BuildBatch(batch), -1));
        return produced.ok() && produced->produce().results(0).error_code() == 0;
      },
      absl::Seconds(20), absl::Milliseconds(100)));

  const int g = 0;
  const int c = CommitSomewhere(g, 12, absl::Seconds(40));
  ASSERT_GE(c, 0);
  httplib::Client http("http://" + cluster_->HttpAddress(Role::kCoordinator, c));
  const std::string lag = absl::StrCat("eddy_coordinator_group_lag_records{group=\"", Group(g),
                                       "\",topic=\"orders\",partition=\"1\"} 18");
  std::string body;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto metrics = http.Get("/metrics");
        if (metrics) body = metrics->body;
        return metrics && metrics->body.find(lag) != std::string::npos;
      },
      absl::Seconds(30), absl::Milliseconds(200)))
      << "no " << lag << " in\n"
      << body;
}

}  // namespace
}  // namespace eddy::testing
