// The gateway's group APIs against a real coordinator: KafkaDispatcher decodes Kafka requests,
// routes each group by its shard to the coordinator the metadata names, calls the real
// CoordinatorService (in-memory group log) over gRPC and encodes its answers. Covers
// FindCoordinator per shard, the join/sync/heartbeat/commit/fetch/leave cycle, batched
// OffsetFetch, DescribeGroups/ListGroups/DeleteGroups/OffsetDelete, and the errors clients act on:
// COORDINATOR_NOT_AVAILABLE without an owner or a reachable coordinator, NOT_COORDINATOR passed
// through from a coordinator that no longer serves the shard.
#include <memory>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "libs/kafka/consumer_protocol.h"
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/delete_groups.h"
#include "libs/kafka/messages/describe_groups.h"
#include "libs/kafka/messages/find_coordinator.h"
#include "libs/kafka/messages/heartbeat.h"
#include "libs/kafka/messages/join_group.h"
#include "libs/kafka/messages/leave_group.h"
#include "libs/kafka/messages/list_groups.h"
#include "libs/kafka/messages/offset_commit.h"
#include "libs/kafka/messages/offset_delete.h"
#include "libs/kafka/messages/offset_fetch.h"
#include "libs/kafka/messages/sync_group.h"
#include "libs/kafka/partitioner.h"
#include "libs/rpc/server.h"
#include "services/coordinator/coordinator_service.h"
#include "services/gateway/coordinator_calls.h"
#include "services/gateway/kafka_dispatcher.h"
#include "services/gateway/testing/fixed_cluster.h"
#include "services/gateway/testing/kafka_test_client.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::gateway {
namespace {

using kafka::ErrorCode;
using kafka::ToInt;

constexpr int32_t kShards = 4;
constexpr int32_t kCoordinatorId = 7;
constexpr char kCoordinatorTarget[] = "coordinator-7:9095";

// GroupView: gateways 1 and 2, __consumer_offsets with kShards partitions, coordinator 7 (at
// `coordinator_host`:`coordinator_port`) owning every shard except `unowned`, as the controller publishes them.
std::shared_ptr<const ClusterView> GroupView(std::optional<int32_t> unowned = std::nullopt,
                                             bool with_topic = true,
                                             const std::string& coordinator_host = "coordinator-7",
                                             int32_t coordinator_port = 9095) {
  auto view = std::make_shared<ClusterView>();
  eddy::v1::MetadataDelta delta;
  delta.set_offset(9);
  delta.set_snapshot(true);
  for (int32_t shard = 0; shard < kShards; ++shard) {
    eddy::v1::CoordinatorShardState* s = delta.add_coordinator_shards();
    s->set_coordinator_type(eddy::v1::COORDINATOR_TYPE_GROUP);
    s->set_shard(shard);
    s->set_owner(shard == unowned ? -1 : kCoordinatorId);
    s->set_epoch(1);
  }
  if (with_topic) {
    eddy::v1::TopicMetadata* t = delta.add_topics();
    t->set_name("__consumer_offsets");
    t->set_internal(true);
    t->mutable_topic_id()->set_value(std::string(16, '\x05'));
    for (int p = 0; p < kShards; ++p) {
      eddy::v1::PartitionMetadata* pm = t->add_partitions();
      pm->set_partition(p);
      pm->set_leader(10);
      pm->add_replicas(10);
      pm->add_isr(10);
    }
  }
  view->ApplyDelta(delta);
  eddy::v1::GetClusterStatusResponse status;
  eddy::v1::MemberStatus* c = status.add_members();
  c->set_role(eddy::v1::MEMBER_ROLE_COORDINATOR);
  c->set_member_id(kCoordinatorId);
  c->set_state(eddy::v1::MEMBER_STATE_ACTIVE);
  eddy::v1::Endpoint* e = c->add_endpoints();
  e->set_name("grpc");
  e->set_host(coordinator_host);
  e->set_port(coordinator_port);
  for (int id : {1, 2}) {
    eddy::v1::MemberStatus* m = status.add_members();
    m->set_role(eddy::v1::MEMBER_ROLE_GATEWAY);
    m->set_member_id(id);
    m->set_state(eddy::v1::MEMBER_STATE_ACTIVE);
    eddy::v1::Endpoint* k = m->add_endpoints();
    k->set_name("kafka");
    k->set_host("127.0.0.1");
    k->set_port(9000 + id);
  }
  view->SetMembers(status);
  return view;
}

// SwitchableView lets a test change the cluster view between requests.
class SwitchableView : public ClusterViewSource {
 public:
  explicit SwitchableView(std::shared_ptr<const ClusterView> view) : view_(std::move(view)) {}
  std::shared_ptr<const ClusterView> Current() const override {
    absl::MutexLock lock(&mu_);
    return view_;
  }
  bool WaitForOffset(int64_t, absl::Duration) const override { return true; }
  void Set(std::shared_ptr<const ClusterView> view) {
    absl::MutexLock lock(&mu_);
    view_ = std::move(view);
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const ClusterView> view_ ABSL_GUARDED_BY(mu_);
};

class GroupHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    coordinator::GroupShardSetOptions options;
    options.num_shards = kShards;
    options.threads = 2;
    options.tick = absl::Milliseconds(10);
    options.metrics_interval = absl::ZeroDuration();
    options.group.initial_rebalance_delay = absl::ZeroDuration();
    shards_ = std::make_unique<coordinator::GroupShardSet>(
        options,
        [](int32_t, coordinator::InMemoryGroupLog::Post post)
            -> std::unique_ptr<coordinator::GroupLog> {
          return std::make_unique<coordinator::InMemoryGroupLog>(std::move(post));
        },
        common::Clock::Real());
    for (int32_t s = 0; s < kShards; ++s) shards_->LoadShard(s);
    for (int32_t s = 0; s < kShards; ++s) ASSERT_TRUE(shards_->WaitLoaded(s, absl::Seconds(30)));
    service_ = std::make_unique<coordinator::CoordinatorService>(*shards_);
    server_ = std::make_unique<rpc::GrpcServer>(rpc::ServerOptions{});
    server_->AddService(service_.get());
    ASSERT_THAT(server_->Start(), eddy::testing::IsOk());
    coordinators_ = std::make_unique<CoordinatorCalls>([this](std::string_view target) {
      // Only coordinator 7 exists; any other target is a peer that cannot be reached.
      if (target == kCoordinatorTarget) return server_->InProcessChannel();
      return grpc::CreateChannel(std::string(target), grpc::InsecureChannelCredentials());
    });
    context_.metadata = &view_;
    context_.coordinators = coordinators_.get();
    context_.node_id = 1;
    context_.config.internal_request_timeout_ms = 2000;
  }

  void TearDown() override {
    coordinators_->Stop();
    server_.reset();
    service_.reset();
    shards_.reset();
  }

  // Call dispatches one request and waits for its response, decoded at `version`.
  template <typename Response, typename Request>
  Response Call(const Request& request, int16_t version) {
    std::string frame = testing::KafkaTestClient::Frame(request, version, 42);
    auto payload = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(frame.data()) + 4,
                                            frame.size() - 4);
    auto done = std::make_shared<std::optional<ResponseFrame>>();
    auto mu = std::make_shared<absl::Mutex>();
    absl::Status status = dispatcher_.Dispatch(client_, payload, [done, mu](ResponseFrame f) {
      absl::MutexLock lock(mu.get());
      *done = std::move(f);
    });
    EXPECT_THAT(status, eddy::testing::IsOk());
    Response response;
    if (!status.ok()) return response;
    bool answered = eddy::testing::WaitFor(
        [&] {
          absl::MutexLock lock(mu.get());
          return done->has_value();
        },
        absl::Seconds(20));
    EXPECT_TRUE(answered);
    if (!answered) return response;
    absl::MutexLock lock(mu.get());
    EXPECT_TRUE((*done)->ok());
    EXPECT_TRUE((*done)->value().has_value());
    const std::string bytes = (*done)->value()->Flatten();
    kafka::Reader reader(reinterpret_cast<const uint8_t*>(bytes.data()) + 4, bytes.size() - 4);
    EXPECT_THAT(kafka::DecodeResponseHeader(reader, Response::kApiKey, version).status(),
                eddy::testing::IsOk());
    EXPECT_THAT(response.Decode(reader, version), eddy::testing::IsOk());
    EXPECT_EQ(reader.remaining(), 0u);
    return response;
  }

  kafka::JoinGroupRequest JoinRequest(const std::string& group, const std::string& member_id) {
    kafka::JoinGroupRequest join;
    join.group_id = group;
    join.session_timeout_ms = 10000;
    join.rebalance_timeout_ms = 10000;
    join.member_id = member_id;
    join.protocol_type = "consumer";
    join.protocols.push_back({.name = "range", .metadata = "subscription"});
    return join;
  }

  // JoinAlone runs the two-step v5 join of a one-member group and its SyncGroup; returns the
  // member id and generation.
  std::pair<std::string, int32_t> JoinAlone(const std::string& group) {
    auto first = Call<kafka::JoinGroupResponse>(JoinRequest(group, ""), 5);
    EXPECT_EQ(first.error_code, ToInt(ErrorCode::kMemberIdRequired));
    EXPECT_FALSE(first.member_id.empty());
    auto joined = Call<kafka::JoinGroupResponse>(JoinRequest(group, first.member_id), 5);
    EXPECT_EQ(joined.error_code, 0);
    EXPECT_EQ(joined.leader, first.member_id);
    EXPECT_EQ(joined.protocol_name, "range");
    EXPECT_EQ(joined.members.size(), 1u);
    kafka::SyncGroupRequest sync;
    sync.group_id = group;
    sync.generation_id = joined.generation_id;
    sync.member_id = first.member_id;
    sync.assignments.push_back({.member_id = first.member_id, .assignment = "assigned"});
    auto synced = Call<kafka::SyncGroupResponse>(sync, 3);
    EXPECT_EQ(synced.error_code, 0);
    EXPECT_EQ(synced.assignment, "assigned");
    return {first.member_id, joined.generation_id};
  }

  // A group id on a shard presented by gateway `gateway`.
  std::string GroupOnGateway(int32_t gateway, const std::string& prefix) {
    auto view = GroupView();
    for (int i = 0;; ++i) {
      std::string group = prefix + std::to_string(i);
      const GatewayNode* node = GatewayForGroupShard(*view, kafka::GroupShard(group, kShards));
      if (node != nullptr && node->node_id == gateway) return group;
    }
  }

  std::unique_ptr<coordinator::GroupShardSet> shards_;
  std::unique_ptr<coordinator::CoordinatorService> service_;
  std::unique_ptr<rpc::GrpcServer> server_;
  std::unique_ptr<CoordinatorCalls> coordinators_;
  SwitchableView view_{GroupView()};
  GatewayContext context_;
  KafkaDispatcher dispatcher_{context_};
  ClientInfo client_{.peer = "127.0.0.1:5555"};
};

TEST_F(GroupHandlersTest, FindCoordinatorNamesTheGatewayPresentedForTheGroupsShard) {
  auto view = GroupView();
  std::set<int32_t> named;
  for (const std::string group : {"a", "b", "c", "d", "e", "f", "g", "h"}) {
    kafka::FindCoordinatorRequest request;
    request.key = group;
    auto response = Call<kafka::FindCoordinatorResponse>(request, 2);
    EXPECT_EQ(response.error_code, 0);
    const GatewayNode* expected = GatewayForGroupShard(*view, kafka::GroupShard(group, kShards));
    ASSERT_NE(expected, nullptr);
    EXPECT_EQ(response.node_id, expected->node_id) << group;
    EXPECT_EQ(response.port, expected->port);
    named.insert(response.node_id);
  }
  EXPECT_EQ(named.size(), 2u);  // the shards spread over both gateways

  kafka::FindCoordinatorRequest batched;
  batched.coordinator_keys = {"a", "b"};
  auto response = Call<kafka::FindCoordinatorResponse>(batched, 4);
  ASSERT_EQ(response.coordinators.size(), 2u);
  EXPECT_EQ(response.coordinators[1].key, "b");
  EXPECT_EQ(response.coordinators[1].node_id,
            GatewayForGroupShard(*view, kafka::GroupShard("b", kShards))->node_id);
}

TEST_F(GroupHandlersTest, FindCoordinatorIsNotAvailableWithoutTheTopicOrTheShardOwner) {
  const std::string group = "orphan";
  view_.Set(GroupView(kafka::GroupShard(group, kShards)));
  kafka::FindCoordinatorRequest request;
  request.key = group;
  auto response = Call<kafka::FindCoordinatorResponse>(request, 3);
  EXPECT_EQ(response.error_code, ToInt(ErrorCode::kCoordinatorNotAvailable));
  EXPECT_EQ(response.node_id, -1);

  view_.Set(GroupView(std::nullopt, /*with_topic=*/false));
  kafka::FindCoordinatorRequest batched;
  batched.coordinator_keys = {"x"};
  auto none = Call<kafka::FindCoordinatorResponse>(batched, 4);
  ASSERT_EQ(none.coordinators.size(), 1u);
  EXPECT_EQ(none.coordinators[0].error_code, ToInt(ErrorCode::kCoordinatorNotAvailable));
}

TEST_F(GroupHandlersTest, ShardMovesInMetadataDeltasRedirectFindCoordinator) {
  const std::string group = "moving";
  const int32_t shard = kafka::GroupShard(group, kShards);
  auto view = std::make_shared<ClusterView>(*GroupView());
  eddy::v1::MetadataDelta unassigned;
  unassigned.set_offset(10);
  eddy::v1::CoordinatorShardState* s = unassigned.add_coordinator_shards();
  s->set_coordinator_type(eddy::v1::COORDINATOR_TYPE_GROUP);
  s->set_shard(shard);
  s->set_owner(-1);
  s->set_epoch(2);
  // A transaction shard with the same number does not touch the group shard.
  eddy::v1::CoordinatorShardState* txn = unassigned.add_coordinator_shards();
  txn->set_coordinator_type(eddy::v1::COORDINATOR_TYPE_TRANSACTION);
  txn->set_shard(shard);
  txn->set_owner(kCoordinatorId);
  view->ApplyDelta(unassigned);
  EXPECT_EQ(view->GroupShardOwnerOf(shard), nullptr);
  view_.Set(view);
  kafka::FindCoordinatorRequest request;
  request.key = group;
  EXPECT_EQ(Call<kafka::FindCoordinatorResponse>(request, 3).error_code,
            ToInt(ErrorCode::kCoordinatorNotAvailable));

  // Assigned to coordinator 8, whose address the gateway does not know yet: still not available.
  auto moved = std::make_shared<ClusterView>(*view);
  eddy::v1::MetadataDelta assigned;
  assigned.set_offset(11);
  *assigned.add_coordinator_shards() = *s;
  assigned.mutable_coordinator_shards(0)->set_owner(8);
  assigned.mutable_coordinator_shards(0)->set_epoch(3);
  moved->ApplyDelta(assigned);
  ASSERT_NE(moved->GroupShardOwnerOf(shard), nullptr);
  EXPECT_EQ(moved->GroupShardOwnerOf(shard)->epoch, 3);
  view_.Set(moved);
  EXPECT_EQ(Call<kafka::FindCoordinatorResponse>(request, 3).error_code,
            ToInt(ErrorCode::kCoordinatorNotAvailable));

  // Back to coordinator 7: served again.
  assigned.mutable_coordinator_shards(0)->set_owner(kCoordinatorId);
  auto back = std::make_shared<ClusterView>(*moved);
  back->ApplyDelta(assigned);
  view_.Set(back);
  EXPECT_EQ(Call<kafka::FindCoordinatorResponse>(request, 3).error_code, 0);
}

TEST_F(GroupHandlersTest, JoinSyncHeartbeatCommitFetchLeave) {
  const std::string group = "cycle";
  auto [member, generation] = JoinAlone(group);

  kafka::HeartbeatRequest heartbeat;
  heartbeat.group_id = group;
  heartbeat.generation_id = generation;
  heartbeat.member_id = member;
  EXPECT_EQ(Call<kafka::HeartbeatResponse>(heartbeat, 3).error_code, 0);
  heartbeat.generation_id = generation + 5;
  EXPECT_EQ(Call<kafka::HeartbeatResponse>(heartbeat, 3).error_code,
            ToInt(ErrorCode::kIllegalGeneration));

  kafka::OffsetCommitRequest commit;
  commit.group_id = group;
  commit.generation_id_or_member_epoch = generation;
  commit.member_id = member;
  commit.topics.push_back({.name = "t",
                           .partitions = {{.partition_index = 0, .committed_offset = 17,
                                           .committed_metadata = "m0"},
                                          {.partition_index = 2, .committed_offset = 5}}});
  auto committed = Call<kafka::OffsetCommitResponse>(commit, 8);
  ASSERT_EQ(committed.topics.size(), 1u);
  ASSERT_EQ(committed.topics[0].partitions.size(), 2u);
  EXPECT_EQ(committed.topics[0].partitions[0].error_code, 0);
  EXPECT_EQ(committed.topics[0].partitions[1].partition_index, 2);
  EXPECT_EQ(committed.topics[0].partitions[1].error_code, 0);

  // v5: the partitions asked for, in request order; an uncommitted one is offset -1.
  kafka::OffsetFetchRequest fetch;
  fetch.group_id = group;
  fetch.topics = std::vector<kafka::OffsetFetchRequest::OffsetFetchRequestTopic>{
      {.name = "t", .partition_indexes = {2, 1, 0}}};
  auto fetched = Call<kafka::OffsetFetchResponse>(fetch, 5);
  EXPECT_EQ(fetched.error_code, 0);
  ASSERT_EQ(fetched.topics.size(), 1u);
  ASSERT_EQ(fetched.topics[0].partitions.size(), 3u);
  EXPECT_EQ(fetched.topics[0].partitions[0].committed_offset, 5);
  EXPECT_EQ(fetched.topics[0].partitions[1].committed_offset, -1);
  EXPECT_EQ(fetched.topics[0].partitions[2].committed_offset, 17);
  EXPECT_EQ(fetched.topics[0].partitions[2].metadata, "m0");

  // v7 with null topics: everything committed.
  fetch.topics = std::nullopt;
  auto all = Call<kafka::OffsetFetchResponse>(fetch, 7);
  ASSERT_EQ(all.topics.size(), 1u);
  EXPECT_EQ(all.topics[0].partitions.size(), 2u);

  kafka::LeaveGroupRequest leave;
  leave.group_id = group;
  leave.members.push_back({.member_id = member});
  leave.members.push_back({.member_id = "stranger"});
  auto left = Call<kafka::LeaveGroupResponse>(leave, 3);
  EXPECT_EQ(left.error_code, 0);
  ASSERT_EQ(left.members.size(), 2u);
  EXPECT_EQ(left.members[0].error_code, 0);
  EXPECT_EQ(left.members[1].error_code, ToInt(ErrorCode::kUnknownMemberId));

  // The group is empty now; its offsets stay.
  kafka::DescribeGroupsRequest describe;
  describe.groups = {group};
  auto described = Call<kafka::DescribeGroupsResponse>(describe, 5);
  ASSERT_EQ(described.groups.size(), 1u);
  EXPECT_EQ(described.groups[0].group_state, "Empty");
  EXPECT_EQ(Call<kafka::OffsetFetchResponse>(fetch, 7).topics.size(), 1u);
}

TEST_F(GroupHandlersTest, OldJoinGroupVersionsJoinWithoutMemberIdRequired) {
  kafka::JoinGroupRequest join = JoinRequest("old", "");
  auto joined = Call<kafka::JoinGroupResponse>(join, 0);
  EXPECT_EQ(joined.error_code, 0);
  EXPECT_FALSE(joined.member_id.empty());
  EXPECT_EQ(joined.leader, joined.member_id);

  kafka::LeaveGroupRequest leave;
  leave.group_id = "old";
  leave.member_id = joined.member_id;
  EXPECT_EQ(Call<kafka::LeaveGroupResponse>(leave, 1).error_code, 0);
  EXPECT_EQ(Call<kafka::LeaveGroupResponse>(leave, 1).error_code,
            ToInt(ErrorCode::kUnknownMemberId));
}

TEST_F(GroupHandlersTest, DescribeAndListShowMembersAndEachGatewayListsItsOwnShards) {
  const std::string mine = GroupOnGateway(1, "mine-");
  const std::string theirs = GroupOnGateway(2, "theirs-");
  auto [member, generation] = JoinAlone(mine);
  JoinAlone(theirs);

  kafka::DescribeGroupsRequest describe;
  describe.groups = {theirs, "never-seen", mine};
  auto described = Call<kafka::DescribeGroupsResponse>(describe, 5);
  ASSERT_EQ(described.groups.size(), 3u);
  EXPECT_EQ(described.groups[0].group_id, theirs);
  EXPECT_EQ(described.groups[1].group_state, "Dead");
  EXPECT_EQ(described.groups[2].group_id, mine);
  EXPECT_EQ(described.groups[2].group_state, "Stable");
  EXPECT_EQ(described.groups[2].protocol_data, "range");
  ASSERT_EQ(described.groups[2].members.size(), 1u);
  EXPECT_EQ(described.groups[2].members[0].member_id, member);
  EXPECT_EQ(described.groups[2].members[0].client_host, "/127.0.0.1");
  EXPECT_EQ(described.groups[2].members[0].member_assignment, "assigned");

  auto listed_here = Call<kafka::ListGroupsResponse>(kafka::ListGroupsRequest{}, 4);
  EXPECT_EQ(listed_here.error_code, 0);
  ASSERT_EQ(listed_here.groups.size(), 1u);
  EXPECT_EQ(listed_here.groups[0].group_id, mine);
  EXPECT_EQ(listed_here.groups[0].group_state, "Stable");

  context_.node_id = 2;
  auto listed_there = Call<kafka::ListGroupsResponse>(kafka::ListGroupsRequest{}, 2);
  ASSERT_EQ(listed_there.groups.size(), 1u);
  EXPECT_EQ(listed_there.groups[0].group_id, theirs);
  kafka::ListGroupsRequest empty_only;
  empty_only.states_filter = {"Empty"};
  EXPECT_TRUE(Call<kafka::ListGroupsResponse>(empty_only, 4).groups.empty());
}

TEST_F(GroupHandlersTest, BatchedOffsetFetchAnswersEachGroupInRequestOrder) {
  for (const std::string group : {"g1", "g2"}) {
    kafka::OffsetCommitRequest commit;  // a simple consumer: no membership
    commit.group_id = group;
    commit.topics.push_back(
        {.name = "t", .partitions = {{.partition_index = 0, .committed_offset = group == "g1" ? 3 : 4}}});
    auto committed = Call<kafka::OffsetCommitResponse>(commit, 2);
    ASSERT_EQ(committed.topics.size(), 1u);
    EXPECT_EQ(committed.topics[0].partitions[0].error_code, 0);
  }
  // A third group on a shard without an owner.
  std::string unowned;
  for (int i = 0; unowned.empty(); ++i) {
    const std::string candidate = "unowned-" + std::to_string(i);
    const int32_t shard = kafka::GroupShard(candidate, kShards);
    if (shard != kafka::GroupShard("g1", kShards) && shard != kafka::GroupShard("g2", kShards)) {
      unowned = candidate;
    }
  }
  view_.Set(GroupView(kafka::GroupShard(unowned, kShards)));
  kafka::OffsetFetchRequest fetch;
  fetch.groups.push_back({.group_id = "g2", .topics = std::nullopt});
  fetch.groups.push_back({.group_id = "g1",
                          .topics = std::vector<kafka::OffsetFetchRequest::OffsetFetchRequestTopics>{
                              {.name = "t", .partition_indexes = {0}}}});
  fetch.groups.push_back({.group_id = unowned, .topics = std::nullopt});
  auto fetched = Call<kafka::OffsetFetchResponse>(fetch, 8);
  ASSERT_EQ(fetched.groups.size(), 3u);
  EXPECT_EQ(fetched.groups[0].group_id, "g2");
  ASSERT_EQ(fetched.groups[0].topics.size(), 1u);
  EXPECT_EQ(fetched.groups[0].topics[0].partitions[0].committed_offset, 4);
  EXPECT_EQ(fetched.groups[1].topics[0].partitions[0].committed_offset, 3);
  EXPECT_EQ(fetched.groups[2].group_id, unowned);
  EXPECT_EQ(fetched.groups[2].error_code, ToInt(ErrorCode::kCoordinatorNotAvailable));
}

TEST_F(GroupHandlersTest, OffsetDeleteAndDeleteGroups) {
  kafka::OffsetCommitRequest commit;
  commit.group_id = "gone";
  commit.topics.push_back({.name = "t", .partitions = {{.partition_index = 0, .committed_offset = 9},
                                                       {.partition_index = 1, .committed_offset = 9}}});
  Call<kafka::OffsetCommitResponse>(commit, 7);
  kafka::OffsetDeleteRequest offset_delete;
  offset_delete.group_id = "gone";
  offset_delete.topics.push_back({.name = "t", .partitions = {{.partition_index = 1}}});
  auto deleted = Call<kafka::OffsetDeleteResponse>(offset_delete, 0);
  EXPECT_EQ(deleted.error_code, 0);
  ASSERT_EQ(deleted.topics.size(), 1u);
  EXPECT_EQ(deleted.topics[0].partitions[0].error_code, 0);

  kafka::DeleteGroupsRequest delete_groups;
  delete_groups.groups_names = {"gone", "never-seen"};
  auto result = Call<kafka::DeleteGroupsResponse>(delete_groups, 2);
  ASSERT_EQ(result.results.size(), 2u);
  EXPECT_EQ(result.results[0].group_id, "gone");
  EXPECT_EQ(result.results[0].error_code, 0);
  EXPECT_EQ(result.results[1].error_code, ToInt(ErrorCode::kGroupIdNotFound));
}

TEST_F(GroupHandlersTest, UnroutableOrUnreachableCoordinatorIsNotAvailable) {
  const std::string group = "nowhere";
  view_.Set(GroupView(kafka::GroupShard(group, kShards)));
  auto joined = Call<kafka::JoinGroupResponse>(JoinRequest(group, ""), 7);
  EXPECT_EQ(joined.error_code, ToInt(ErrorCode::kCoordinatorNotAvailable));
  EXPECT_FALSE(joined.protocol_name.has_value());

  // The owner's address leads nowhere: the call fails within the internal timeout.
  view_.Set(GroupView(std::nullopt, true, "127.0.0.1", 1));
  kafka::HeartbeatRequest heartbeat;
  heartbeat.group_id = group;
  heartbeat.member_id = "m";
  EXPECT_EQ(Call<kafka::HeartbeatResponse>(heartbeat, 4).error_code,
            ToInt(ErrorCode::kCoordinatorNotAvailable));
}

TEST_F(GroupHandlersTest, NotCoordinatorFromTheCoordinatorPassesThrough) {
  const std::string group = "moved";
  auto [member, generation] = JoinAlone(group);
  shards_->UnloadShard(kafka::GroupShard(group, kShards));
  shards_->Quiesce();
  kafka::HeartbeatRequest heartbeat;
  heartbeat.group_id = group;
  heartbeat.generation_id = generation;
  heartbeat.member_id = member;
  EXPECT_EQ(Call<kafka::HeartbeatResponse>(heartbeat, 2).error_code,
            ToInt(ErrorCode::kNotCoordinator));
  kafka::OffsetFetchRequest fetch;
  fetch.group_id = group;
  fetch.topics = std::nullopt;
  EXPECT_EQ(Call<kafka::OffsetFetchResponse>(fetch, 6).error_code,
            ToInt(ErrorCode::kNotCoordinator));
}

}  // namespace
}  // namespace eddy::gateway
