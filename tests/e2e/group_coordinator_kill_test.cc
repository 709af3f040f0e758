// Issue 8, acceptance 3: kill -9 the coordinator that owns a busy confluent-kafka group's shard
// (coordinator_failover_group.py): ownership moves to the other coordinator, the group reforms and
// no acknowledged commit is lost, within the session timeout + 5 s.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/eddy/v1/coordinator.grpc.pb.h"
#include "tests/e2e/e2e_cluster.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kNotCoordinator = 16;

// Owner returns the coordinator serving `group` (its OffsetFetch is not NOT_COORDINATOR), or -1.
int Owner(const LocalCluster& cluster, const std::string& group) {
  for (int c = 0; c < cluster.Count(Role::kCoordinator); ++c) {
    if (cluster.Pid(Role::kCoordinator, c) < 0) continue;
    auto stub = eddy::v1::Coordinator::NewStub(grpc::CreateChannel(
        cluster.GrpcAddress(Role::kCoordinator, c), grpc::InsecureChannelCredentials()));
    eddy::v1::OffsetFetchRequest request;
    request.set_group_id(group);
    eddy::v1::OffsetFetchResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (stub->OffsetFetch(&context, request, &response).ok() &&
        response.error_code() != kNotCoordinator) {
      return c;
    }
  }
  return -1;
}

TEST(CoordinatorFailoverE2eTest, BusyGroupReformsOnTheNewOwnerWithEveryAcknowledgedCommit) {
  // StartE2eCluster waits until the brokers are unfenced and __consumer_offsets exists: creating
  // the RF-3 topic right after Start raced the brokers' first heartbeats (INVALID_REPLICATION_FACTOR).
  std::unique_ptr<LocalCluster> started = StartE2eCluster({.coordinators = 2});
  ASSERT_NE(started, nullptr);
  LocalCluster& cluster = *started;

  const std::string group = "busy-group";
  const std::string ready = cluster.data_dir() + "/group-ready";
  const std::string killed = cluster.data_dir() + "/coordinator-killed";
  absl::StatusOr<ProcessResult> result;
  std::atomic<bool> finished{false};
  std::thread clients([&] {
    result = RunProcess({"/usr/bin/python3",
                         std::string(EDDY_SOURCE_DIR) + "/tests/e2e/coordinator_failover_group.py",
                         cluster.KafkaBootstrap(), "busy-topic", group, ready, killed},
                        {}, absl::Seconds(170));
    finished = true;
  });
  const bool steady = WaitFor([&] { return std::filesystem::exists(ready) || finished.load(); },
                              absl::Seconds(90)) &&
                      std::filesystem::exists(ready);
  int owner = -1;
  if (steady) {
    owner = Owner(cluster, group);
    if (owner >= 0) {
      EXPECT_THAT(cluster.Kill(Role::kCoordinator, owner), IsOk());
      std::ofstream(killed) << "killed coordinator " << owner << "\n";
    }
  }
  clients.join();
  ASSERT_TRUE(steady) << "the group never became steady: "
                      << (result.ok() ? result->out + result->err : result.status().ToString());
  ASSERT_GE(owner, 0) << "no coordinator serves " << group;
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0) << result->out << result->err;
  EXPECT_THAT(result->out, HasSubstr("all steps passed")) << result->out << result->err;
  std::cout << result->out;
  EXPECT_EQ(Owner(cluster, group), 1 - owner) << "the shard did not move to the survivor";
}

}  // namespace
}  // namespace eddy::testing
