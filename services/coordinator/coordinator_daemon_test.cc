// eddy-coordinator as a real process (LocalCluster, --group-log=memory): two members form a
// group over the daemon's gRPC port, commit and fetch offsets, the group shows on /metrics, and a
// SIGTERM stops the daemon cleanly.
#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "libs/kafka/error_codes.h"
#include "proto/eddy/v1/coordinator.grpc.pb.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;

class CoordinatorDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // No brokers here: the coordinator keeps its shards in memory and serves all of them
    // (coordinator_failover_test covers the broker-backed log).
    ::setenv("EDDY_GROUP_LOG", "memory", 1);
    LocalClusterOptions options;
    options.bin_dir = EDDY_BIN_DIR;
    options.brokers = 0;
    options.registries = 0;
    options.gateways = 0;
    options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
    cluster_ = std::make_unique<LocalCluster>(options);
    EDDY_ASSERT_OK(cluster_->Start());
    stub_ = eddy::v1::Coordinator::NewStub(grpc::CreateChannel(
        cluster_->GrpcAddress(Role::kCoordinator), grpc::InsecureChannelCredentials()));
  }

  template <typename Req, typename Resp, typename Call>
  Resp Rpc(Call call, const Req& request) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    Resp response;
    grpc::Status status = ((*stub_).*call)(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::unique_ptr<LocalCluster> cluster_;
  std::unique_ptr<eddy::v1::Coordinator::Stub> stub_;
};

eddy::v1::JoinGroupRequest JoinRequest(const std::string& member_id) {
  eddy::v1::JoinGroupRequest r;
  r.set_group_id("daemon-group");
  r.set_member_id(member_id);
  r.set_protocol_type("consumer");
  auto* p = r.add_protocols();
  p->set_name("range");
  p->set_metadata("subscription");
  r.set_session_timeout_ms(10000);
  r.set_rebalance_timeout_ms(10000);
  r.set_require_known_member_id(true);
  r.set_client_id("daemon-test");
  return r;
}

TEST_F(CoordinatorDaemonTest, GroupFormsCommitsAndShowsOnMetrics) {
  using kafka::ErrorCode;
  auto first = Rpc<eddy::v1::JoinGroupRequest, eddy::v1::JoinGroupResponse>(
      &eddy::v1::Coordinator::Stub::JoinGroup, JoinRequest(""));
  ASSERT_EQ(first.error_code(), static_cast<int>(ErrorCode::kMemberIdRequired));
  // group.initial.rebalance.delay.ms (3 s) holds the first generation back for more members.
  auto join = Rpc<eddy::v1::JoinGroupRequest, eddy::v1::JoinGroupResponse>(
      &eddy::v1::Coordinator::Stub::JoinGroup, JoinRequest(first.member_id()));
  ASSERT_EQ(join.error_code(), 0);
  EXPECT_EQ(join.generation_id(), 1);
  EXPECT_EQ(join.leader(), first.member_id());

  eddy::v1::SyncGroupRequest sync;
  sync.set_group_id("daemon-group");
  sync.set_member_id(join.member_id());
  sync.set_generation_id(1);
  auto* a = sync.add_assignments();
  a->set_member_id(join.member_id());
  a->set_assignment("everything");
  auto synced = Rpc<eddy::v1::SyncGroupRequest, eddy::v1::SyncGroupResponse>(
      &eddy::v1::Coordinator::Stub::SyncGroup, sync);
  EXPECT_EQ(synced.error_code(), 0);
  EXPECT_EQ(synced.assignment(), "everything");

  eddy::v1::OffsetCommitRequest commit;
  commit.set_group_id("daemon-group");
  commit.set_member_id(join.member_id());
  commit.set_generation_id(1);
  auto* p = commit.add_partitions();
  p->mutable_partition()->set_topic("orders");
  p->mutable_partition()->set_partition(3);
  p->set_committed_offset(1234);
  auto committed = Rpc<eddy::v1::OffsetCommitRequest, eddy::v1::OffsetCommitResponse>(
      &eddy::v1::Coordinator::Stub::OffsetCommit, commit);
  ASSERT_EQ(committed.results_size(), 1);
  EXPECT_EQ(committed.results(0).error_code(), 0);

  eddy::v1::OffsetFetchRequest fetch;
  fetch.set_group_id("daemon-group");
  auto fetched = Rpc<eddy::v1::OffsetFetchRequest, eddy::v1::OffsetFetchResponse>(
      &eddy::v1::Coordinator::Stub::OffsetFetch, fetch);
  ASSERT_EQ(fetched.partitions_size(), 1);
  EXPECT_EQ(fetched.partitions(0).committed_offset(), 1234);

  httplib::Client http("http://" + cluster_->HttpAddress(Role::kCoordinator));
  EXPECT_TRUE(WaitFor(
      [&] {
        auto metrics = http.Get("/metrics");
        return metrics && metrics->body.find(
                              "eddy_coordinator_group_committed_offset{group="
                              "\"daemon-group\",topic=\"orders\",partition=\"3\"} "
                              "1234") != std::string::npos;
      },
      absl::Seconds(20)));
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("eddy_coordinator_group_members{group=\"daemon-group\"} 1"));
  EXPECT_THAT(metrics->body,
              HasSubstr("eddy_coordinator_group_rebalances_total{group=\"daemon-group\"} 1"));
  EXPECT_THAT(metrics->body, HasSubstr("eddy_coordinator_offset_commit_latency_seconds_count 1"));

  EDDY_ASSERT_OK_AND_ASSIGN(int exit_code,
                            cluster_->Stop(Role::kCoordinator, 0, absl::Seconds(20)));
  EXPECT_EQ(exit_code, 0);
}

}  // namespace
}  // namespace eddy::testing
