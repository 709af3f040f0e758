// CoordinatorService over a real gRPC server (in-process channel): shard routing, the full
// join/sync/commit/fetch cycle through the wire messages, multi-group calls, NOT_COORDINATOR for
// shards this instance does not serve, and waiting joins answered when their shard unloads.
#include "services/coordinator/coordinator_service.h"

#include <gtest/gtest.h>

#include <memory>

#include "absl/synchronization/notification.h"
#include "libs/metrics/registry.h"
#include "libs/rpc/server.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::coordinator {
namespace {

using ::eddy::testing::IsOk;
using kafka::ErrorCode;

int32_t E(ErrorCode code) { return static_cast<int32_t>(code); }

class CoordinatorServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GroupShardSetOptions options;
    options.num_shards = 4;
    options.threads = 2;
    options.tick = absl::Milliseconds(10);
    options.metrics_interval = absl::ZeroDuration();
    options.group.initial_rebalance_delay = absl::ZeroDuration();
    shards_ = std::make_unique<GroupShardSet>(
        options,
        [](int32_t, InMemoryGroupLog::Post post) -> std::unique_ptr<GroupLog> {
          return std::make_unique<InMemoryGroupLog>(std::move(post));
        },
        common::Clock::Real());
    metrics_ = std::make_unique<GroupMetrics>(registry_, true);
    shards_->AttachMetrics(metrics_.get());
    service_ = std::make_unique<CoordinatorService>(*shards_);
    service_->AttachMetrics(metrics_.get());
    server_ = std::make_unique<rpc::GrpcServer>(rpc::ServerOptions{});
    server_->AddService(service_.get());
    ASSERT_THAT(server_->Start(), IsOk());
    stub_ = eddy::v1::Coordinator::NewStub(server_->InProcessChannel());
  }

  void TearDown() override {
    server_.reset();
    service_.reset();
    shards_.reset();
  }

  void LoadAll() {
    for (int32_t s = 0; s < shards_->num_shards(); ++s) shards_->LoadShard(s);
    for (int32_t s = 0; s < shards_->num_shards(); ++s) {
      ASSERT_TRUE(shards_->WaitLoaded(s, absl::Seconds(30)));
    }
  }

  template <typename Req, typename Resp, typename Call>
  Resp Rpc(Call call, const Req& request) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    Resp response;
    grpc::Status status = ((*stub_).*call)(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  eddy::v1::JoinGroupResponse Join(const std::string& group, const std::string& member_id) {
    eddy::v1::JoinGroupRequest r;
    r.set_group_id(group);
    r.set_member_id(member_id);
    r.set_protocol_type("consumer");
    auto* p = r.add_protocols();
    p->set_name("range");
    p->set_metadata("sub");
    r.set_session_timeout_ms(10000);
    r.set_rebalance_timeout_ms(10000);
    r.set_require_known_member_id(true);
    r.set_client_id("svc-test");
    return Rpc<eddy::v1::JoinGroupRequest, eddy::v1::JoinGroupResponse>(
        &eddy::v1::Coordinator::Stub::JoinGroup, r);
  }

  metrics::Registry registry_;
  std::unique_ptr<GroupMetrics> metrics_;
  std::unique_ptr<GroupShardSet> shards_;
  std::unique_ptr<CoordinatorService> service_;
  std::unique_ptr<rpc::GrpcServer> server_;
  std::unique_ptr<eddy::v1::Coordinator::Stub> stub_;
};

TEST_F(CoordinatorServiceTest, UnservedShardsAnswerNotCoordinator) {
  auto join = Join("g", "");
  EXPECT_EQ(join.error_code(), E(ErrorCode::kNotCoordinator));
  eddy::v1::OffsetCommitRequest commit;
  commit.set_group_id("g");
  commit.set_generation_id(-1);
  commit.add_partitions()->mutable_partition()->set_topic("t");
  auto committed = Rpc<eddy::v1::OffsetCommitRequest, eddy::v1::OffsetCommitResponse>(
      &eddy::v1::Coordinator::Stub::OffsetCommit, commit);
  ASSERT_EQ(committed.results_size(), 1);
  EXPECT_EQ(committed.results(0).error_code(), E(ErrorCode::kNotCoordinator));
}

TEST_F(CoordinatorServiceTest, JoinSyncCommitFetchDescribeListDelete) {
  LoadAll();
  auto first = Join("orders", "");
  ASSERT_EQ(first.error_code(), E(ErrorCode::kMemberIdRequired));
  auto join = Join("orders", first.member_id());
  ASSERT_EQ(join.error_code(), 0);
  EXPECT_EQ(join.generation_id(), 1);

  eddy::v1::SyncGroupRequest sync;
  sync.set_group_id("orders");
  sync.set_member_id(join.member_id());
  sync.set_generation_id(1);
  auto* a = sync.add_assignments();
  a->set_member_id(join.member_id());
  a->set_assignment("all");
  auto synced = Rpc<eddy::v1::SyncGroupRequest, eddy::v1::SyncGroupResponse>(
      &eddy::v1::Coordinator::Stub::SyncGroup, sync);
  EXPECT_EQ(synced.error_code(), 0);
  EXPECT_EQ(synced.assignment(), "all");

  eddy::v1::GroupHeartbeatRequest hb;
  hb.set_group_id("orders");
  hb.set_member_id(join.member_id());
  hb.set_generation_id(1);
  EXPECT_EQ((Rpc<eddy::v1::GroupHeartbeatRequest, eddy::v1::GroupHeartbeatResponse>(
                 &eddy::v1::Coordinator::Stub::Heartbeat, hb))
                .error_code(),
            0);

  eddy::v1::OffsetCommitRequest commit;
  commit.set_group_id("orders");
  commit.set_member_id(join.member_id());
  commit.set_generation_id(1);
  auto* p = commit.add_partitions();
  p->mutable_partition()->set_topic("t");
  p->mutable_partition()->set_partition(0);
  p->set_committed_offset(41);
  auto committed = Rpc<eddy::v1::OffsetCommitRequest, eddy::v1::OffsetCommitResponse>(
      &eddy::v1::Coordinator::Stub::OffsetCommit, commit);
  EXPECT_EQ(committed.results(0).error_code(), 0);

  // A simple consumer's group on (probably) another shard, then a multi-group fetch.
  commit.set_group_id("simple-7");
  commit.set_member_id("");
  commit.set_generation_id(-1);
  commit.mutable_partitions(0)->set_committed_offset(7);
  Rpc<eddy::v1::OffsetCommitRequest, eddy::v1::OffsetCommitResponse>(
      &eddy::v1::Coordinator::Stub::OffsetCommit, commit);
  eddy::v1::OffsetFetchRequest fetch;
  fetch.add_groups()->set_group_id("orders");
  fetch.add_groups()->set_group_id("simple-7");
  fetch.add_groups()->set_group_id("none");
  auto fetched = Rpc<eddy::v1::OffsetFetchRequest, eddy::v1::OffsetFetchResponse>(
      &eddy::v1::Coordinator::Stub::OffsetFetch, fetch);
  ASSERT_EQ(fetched.groups_size(), 3);
  EXPECT_EQ(fetched.groups(0).group_id(), "orders");
  EXPECT_EQ(fetched.groups(0).partitions(0).committed_offset(), 41);
  EXPECT_EQ(fetched.groups(1).partitions(0).committed_offset(), 7);
  EXPECT_EQ(fetched.groups(2).partitions_size(), 0);

  eddy::v1::DescribeGroupsRequest describe;
  describe.add_group_ids("orders");
  describe.add_group_ids("none");
  auto described = Rpc<eddy::v1::DescribeGroupsRequest, eddy::v1::DescribeGroupsResponse>(
      &eddy::v1::Coordinator::Stub::DescribeGroups, describe);
  ASSERT_EQ(described.groups_size(), 2);
  EXPECT_EQ(described.groups(0).group_state(), "Stable");
  EXPECT_EQ(described.groups(0).members(0).member_assignment(), "all");
  EXPECT_EQ(described.groups(1).group_state(), "Dead");

  eddy::v1::ListGroupsRequest list;
  auto listed = Rpc<eddy::v1::ListGroupsRequest, eddy::v1::ListGroupsResponse>(
      &eddy::v1::Coordinator::Stub::ListGroups, list);
  ASSERT_EQ(listed.groups_size(), 2);
  EXPECT_EQ(listed.groups(0).group_id(), "orders");
  EXPECT_EQ(listed.groups(1).group_id(), "simple-7");

  eddy::v1::DeleteGroupsRequest del;
  del.add_group_ids("orders");
  del.add_group_ids("simple-7");
  auto deleted = Rpc<eddy::v1::DeleteGroupsRequest, eddy::v1::DeleteGroupsResponse>(
      &eddy::v1::Coordinator::Stub::DeleteGroups, del);
  ASSERT_EQ(deleted.results_size(), 2);
  EXPECT_EQ(deleted.results(0).error_code(), E(ErrorCode::kNonEmptyGroup));
  EXPECT_EQ(deleted.results(1).error_code(), 0);

  // Metrics: the commit latency and the group's members show up on /metrics.
  EXPECT_TRUE(eddy::testing::WaitFor(
      [&] {
        return registry_.Expose().find("eddy_coordinator_group_members{group=\"orders\"} 1") !=
               std::string::npos;
      },
      absl::Seconds(10)));
  const std::string exposed = registry_.Expose();
  EXPECT_NE(exposed.find("eddy_coordinator_offset_commit_latency_seconds_count 2"),
            std::string::npos);
  EXPECT_NE(exposed.find("eddy_coordinator_group_rebalances_total{group=\"orders\"} 1"),
            std::string::npos);
}

TEST_F(CoordinatorServiceTest, UnloadingAShardAnswersAWaitingJoin) {
  LoadAll();
  auto first = Join("busy", "");
  auto join = Join("busy", first.member_id());
  ASSERT_EQ(join.error_code(), 0);
  // A second member waits for the first to rejoin; the shard moves away meanwhile.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  eddy::v1::JoinGroupRequest r;
  r.set_group_id("busy");
  r.set_protocol_type("consumer");
  auto* p = r.add_protocols();
  p->set_name("range");
  r.set_session_timeout_ms(10000);
  r.set_rebalance_timeout_ms(10000);
  eddy::v1::JoinGroupResponse response;
  absl::Notification done;
  stub_->async()->JoinGroup(&context, &r, &response, [&done](grpc::Status) { done.Notify(); });
  ASSERT_TRUE(eddy::testing::WaitFor(
      [&] {
        auto described = Rpc<eddy::v1::DescribeGroupsRequest, eddy::v1::DescribeGroupsResponse>(
            &eddy::v1::Coordinator::Stub::DescribeGroups, [] {
              eddy::v1::DescribeGroupsRequest d;
              d.add_group_ids("busy");
              return d;
            }());
        return described.groups(0).group_state() == "PreparingRebalance";
      },
      absl::Seconds(10)));
  shards_->UnloadShard(GroupShard("busy", shards_->num_shards()));
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(response.error_code(), E(ErrorCode::kNotCoordinator));
}

}  // namespace
}  // namespace eddy::coordinator
