// OffsetCommit / OffsetFetch / OffsetDelete / DeleteGroups / DescribeGroups / ListGroups and
// offset retention, with each Kafka error code.
#include "services/coordinator/group_coordinator_test_fixture.h"
#include "services/coordinator/group_records.h"
#include "tests/testing/status_matchers.h"

namespace eddy::coordinator::testing {
namespace {

using kafka::ErrorCode;

using OffsetsTest = GroupCoordinatorTest;

TEST_F(OffsetsTest, SimpleConsumerCommitsWithoutMembership) {
  EXPECT_EQ(Fetch("simple", "t", 0), -1);  // unknown group: no offset, no error
  EXPECT_EQ(CommitOne("simple", "", -1, "t", 0, 42, "meta"), 0);
  EXPECT_EQ(Fetch("simple", "t", 0), 42);
  EXPECT_EQ(Fetch("simple", "t", 1), -1);
  EXPECT_EQ(StateOf("simple"), GroupState::kEmpty);
  eddy::v1::OffsetFetchRequest all;
  all.set_group_id("simple");
  auto response = coordinator_->OffsetFetch(all);
  ASSERT_EQ(response.partitions_size(), 1);
  EXPECT_EQ(response.partitions(0).metadata(), "meta");
  EXPECT_EQ(response.partitions(0).committed_leader_epoch(), -1);
}

TEST_F(OffsetsTest, CommitIsAnsweredOnlyOnceDurable) {
  auto pending = CommitAsync("g", "", -1, {{"t", 0, 5}});
  EXPECT_FALSE(pending->has_value());
  EXPECT_EQ(Fetch("g", "t", 0), -1);  // not visible before the log acknowledges it
  Drain();
  ASSERT_TRUE(pending->has_value());
  EXPECT_EQ((*pending)->results(0).error_code(), 0);
  EXPECT_EQ(Fetch("g", "t", 0), 5);
}

TEST_F(OffsetsTest, CommitErrorsForGroupMembers) {
  EXPECT_EQ(CommitOne("nogroup", "m", 3, "t", 0, 1), E(ErrorCode::kIllegalGeneration));
  int32_t gen = 0;
  auto ids = StableGroup(2, &gen);
  EXPECT_EQ(CommitOne("g", ids[0], gen, "t", 0, 10), 0);
  EXPECT_EQ(CommitOne("g", "stranger", gen, "t", 0, 11), E(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(CommitOne("g", ids[0], gen - 1, "t", 0, 11), E(ErrorCode::kIllegalGeneration));
  // Members only: a simple commit to a group with members is refused.
  EXPECT_EQ(CommitOne("g", "", -1, "t", 0, 11), E(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(CommitOne("g", ids[0], gen, "t", 0, 11, std::string(4097, 'x')),
            E(ErrorCode::kOffsetMetadataTooLarge));
  EXPECT_EQ(Fetch("g", "t", 0), 10);

  // During PreparingRebalance the current generation may still commit (before rejoining).
  JoinSpec rejoin;
  rejoin.member_id = ids[0];
  Join(rejoin);
  EXPECT_EQ(StateOf(), GroupState::kPreparingRebalance);
  EXPECT_EQ(CommitOne("g", ids[1], gen, "t", 1, 7), 0);
  rejoin.member_id = ids[1];
  Join(rejoin);
  EXPECT_EQ(StateOf(), GroupState::kCompletingRebalance);
  EXPECT_EQ(CommitOne("g", ids[1], gen + 1, "t", 1, 8), E(ErrorCode::kRebalanceInProgress));
  EXPECT_EQ(Fetch("g", "t", 1), 7);
}

TEST_F(OffsetsTest, StorageFailuresMapToKafkaCodesAndApplyNothing) {
  log_.FailAppends(absl::UnavailableError("not enough replicas"));
  EXPECT_EQ(CommitOne("g", "", -1, "t", 0, 1), E(ErrorCode::kCoordinatorNotAvailable));
  log_.FailAppends(absl::FailedPreconditionError("not leader"));
  EXPECT_EQ(CommitOne("g", "", -1, "t", 0, 1), E(ErrorCode::kNotCoordinator));
  log_.FailAppends(absl::ResourceExhaustedError("too large"));
  EXPECT_EQ(CommitOne("g", "", -1, "t", 0, 1), E(ErrorCode::kInvalidCommitOffsetSize));
  EXPECT_EQ(Fetch("g", "t", 0), -1);
  log_.FailAppends(absl::OkStatus());
  EXPECT_EQ(CommitOne("g", "", -1, "t", 0, 1), 0);
}

TEST_F(OffsetsTest, OffsetFetchServesSeveralGroups) {
  CommitOne("a", "", -1, "t", 0, 1);
  CommitOne("b", "", -1, "t", 0, 2);
  CommitOne("b", "", -1, "u", 3, 3);
  eddy::v1::OffsetFetchRequest r;
  auto* ga = r.add_groups();
  ga->set_group_id("a");
  auto* tp = ga->add_partitions();
  tp->set_topic("t");
  tp->set_partition(0);
  r.add_groups()->set_group_id("b");  // every partition
  r.add_groups()->set_group_id("missing");
  auto response = coordinator_->OffsetFetch(r);
  ASSERT_EQ(response.groups_size(), 3);
  EXPECT_EQ(response.groups(0).partitions(0).committed_offset(), 1);
  ASSERT_EQ(response.groups(1).partitions_size(), 2);
  EXPECT_EQ(response.groups(1).partitions(1).partition().topic(), "u");
  EXPECT_EQ(response.groups(1).partitions(1).committed_offset(), 3);
  EXPECT_EQ(response.groups(2).error_code(), 0);
  EXPECT_EQ(response.groups(2).partitions_size(), 0);
}

// A consumer-protocol subscription blob (v0) for `topics`.
std::string Subscription(const std::vector<std::string>& topics) {
  std::string out("\x00\x00", 2);
  auto i32 = [&out](int32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
  };
  i32(static_cast<int32_t>(topics.size()));
  for (const auto& t : topics) {
    out.push_back(static_cast<char>(t.size() >> 8));
    out.push_back(static_cast<char>(t.size() & 0xff));
    out += t;
  }
  i32(-1);  // null user data
  return out;
}

TEST_F(OffsetsTest, OffsetDeleteRefusesSubscribedTopicsOfActiveGroups) {
  eddy::v1::OffsetDeleteRequest r;
  r.set_group_id("g");
  auto add = [&r](const std::string& topic) {
    auto* tp = r.add_partitions();
    tp->set_topic(topic);
    tp->set_partition(0);
  };
  add("orders");
  add("old");
  eddy::v1::OffsetDeleteResponse response;
  auto run = [&] {
    coordinator_->OffsetDelete(r, [&response](auto x) { response = std::move(x); });
    Drain();
  };
  run();
  EXPECT_EQ(response.error_code(), E(ErrorCode::kGroupIdNotFound));

  JoinSpec spec;
  spec.protocols = {{"range", Subscription({"orders"})}};
  auto join = JoinNew(spec);
  const std::string member = (*join)->member_id();
  Sync(member, 1, {{member, "x"}});
  CommitOne("g", member, 1, "orders", 0, 10);
  CommitOne("g", member, 1, "old", 0, 20);
  run();
  EXPECT_EQ(response.error_code(), 0);
  EXPECT_EQ(response.results(0).error_code(), E(ErrorCode::kGroupSubscribedToTopic));
  EXPECT_EQ(response.results(1).error_code(), 0);
  EXPECT_EQ(Fetch("g", "orders", 0), 10);
  EXPECT_EQ(Fetch("g", "old", 0), -1);
  Restart();  // the deletion was written as a tombstone
  EXPECT_EQ(Fetch("g", "old", 0), -1);
  EXPECT_EQ(Fetch("g", "orders", 0), 10);

  // A non-empty group of another protocol type refuses outright.
  JoinSpec connect;
  connect.group = "c";
  connect.protocol_type = "connect";
  auto cj = JoinNew(connect);
  Sync((*cj)->member_id(), 1, {}, "c");
  r.set_group_id("c");
  run();
  EXPECT_EQ(response.error_code(), E(ErrorCode::kNonEmptyGroup));
  r.set_group_id("");
  run();
  EXPECT_EQ(response.error_code(), E(ErrorCode::kInvalidGroupId));
}

TEST_F(OffsetsTest, OffsetDeleteOfAnEmptyGroupsLastOffsetRemovesTheGroup) {
  CommitOne("simple", "", -1, "t", 0, 1);
  eddy::v1::OffsetDeleteRequest r;
  r.set_group_id("simple");
  auto* tp = r.add_partitions();
  tp->set_topic("t");
  tp->set_partition(0);
  int32_t code = -100;
  coordinator_->OffsetDelete(r, [&code](auto x) { code = x.results(0).error_code(); });
  Drain();
  EXPECT_EQ(code, 0);
  EXPECT_EQ(coordinator_->FindGroup("simple"), nullptr);
  Restart();
  EXPECT_EQ(coordinator_->FindGroup("simple"), nullptr);
}

TEST_F(OffsetsTest, ACommitInFlightDoesNotResurrectADeletedOffset) {
  CommitOne("simple", "", -1, "t", 1, 1);
  auto pending = CommitAsync("simple", "", -1, {{"t", 0, 9}});
  eddy::v1::DeleteGroupsRequest r;
  r.add_group_ids("simple");
  coordinator_->DeleteGroups(r, [](auto) {});
  Drain();
  ASSERT_TRUE(pending->has_value());
  EXPECT_EQ(Fetch("simple", "t", 0), -1);
  Restart();  // the log agrees: commit, then tombstones
  EXPECT_EQ(Fetch("simple", "t", 0), -1);
}

TEST_F(OffsetsTest, DeleteGroupsNeedsAnEmptyGroup) {
  int32_t gen = 0;
  auto ids = StableGroup(1, &gen);
  CommitOne("g", ids[0], gen, "t", 0, 5);
  CommitOne("simple", "", -1, "t", 0, 5);
  eddy::v1::DeleteGroupsRequest r;
  r.add_group_ids("g");
  r.add_group_ids("simple");
  r.add_group_ids("missing");
  eddy::v1::DeleteGroupsResponse response;
  coordinator_->DeleteGroups(r, [&response](auto x) { response = std::move(x); });
  Drain();
  ASSERT_EQ(response.results_size(), 3);
  EXPECT_EQ(response.results(0).error_code(), E(ErrorCode::kNonEmptyGroup));
  EXPECT_EQ(response.results(1).error_code(), 0);
  EXPECT_EQ(response.results(2).error_code(), E(ErrorCode::kGroupIdNotFound));
  EXPECT_EQ(coordinator_->DescribeGroup("simple").group_state(), "Dead");
  EXPECT_EQ(Fetch("simple", "t", 0), -1);
  // A group tombstone and an offset tombstone were written (the in-flight test covers pending).
  int tombstones = 0;
  for (const auto& record : log_.Records()) tombstones += record.value.has_value() ? 0 : 1;
  EXPECT_EQ(tombstones, 2);
  Restart();
  EXPECT_EQ(coordinator_->FindGroup("simple"), nullptr);
  EXPECT_EQ(Fetch("g", "t", 0), 5);
}

TEST_F(OffsetsTest, DescribeAndListGroups) {
  int32_t gen = 0;
  auto ids = StableGroup(2, &gen);
  CommitOne("simple", "", -1, "t", 0, 5);
  auto described = coordinator_->DescribeGroup("g");
  EXPECT_EQ(described.error_code(), 0);
  EXPECT_EQ(described.group_state(), "Stable");
  EXPECT_EQ(described.protocol_type(), "consumer");
  EXPECT_EQ(described.protocol_data(), "range");
  ASSERT_EQ(described.members_size(), 2);
  for (const auto& m : described.members()) {
    EXPECT_EQ(m.member_assignment(), "assignment-of-" + m.member_id());
    EXPECT_EQ(m.member_metadata(), "meta");
    EXPECT_EQ(m.client_id(), "client");
  }
  EXPECT_EQ(coordinator_->DescribeGroup("nope").group_state(), "Dead");

  eddy::v1::ListGroupsRequest all;
  auto listed = coordinator_->ListGroups(all);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].group_id(), "g");
  EXPECT_EQ(listed[0].group_state(), "Stable");
  EXPECT_EQ(listed[1].group_id(), "simple");
  EXPECT_EQ(listed[1].group_state(), "Empty");
  eddy::v1::ListGroupsRequest stable;
  stable.add_states_filter("stable");  // case-insensitive, as Kafka parses states
  ASSERT_EQ(coordinator_->ListGroups(stable).size(), 1u);
  eddy::v1::ListGroupsRequest consumer_type;
  consumer_type.add_types_filter("consumer");  // KIP-848 groups: none here
  EXPECT_TRUE(coordinator_->ListGroups(consumer_type).empty());
  consumer_type.add_types_filter("Classic");
  EXPECT_EQ(coordinator_->ListGroups(consumer_type).size(), 2u);

  JoinSpec rejoin;
  rejoin.member_id = ids[0];
  Join(rejoin);
  described = coordinator_->DescribeGroup("g");
  EXPECT_EQ(described.group_state(), "PreparingRebalance");
  EXPECT_EQ(described.protocol_data(), "");
  EXPECT_EQ(described.members(0).member_assignment(), "");
}

TEST_F(OffsetsTest, SimpleConsumerOffsetsExpireAfterTheRetention) {
  CommitOne("simple", "", -1, "t", 0, 5);
  Advance(absl::Hours(24 * 7) - absl::Minutes(10));
  EXPECT_EQ(Fetch("simple", "t", 0), 5);
  Advance(absl::Minutes(10));  // the next retention check after 7 days
  EXPECT_EQ(Fetch("simple", "t", 0), -1);
  EXPECT_EQ(coordinator_->FindGroup("simple"), nullptr);
  Restart();
  EXPECT_EQ(Fetch("simple", "t", 0), -1);
}

TEST_F(OffsetsTest, ExplicitRetentionExpiresAtItsOwnTime) {
  EXPECT_EQ((*[&] {
              auto a = CommitAsync("simple", "", -1, {{"t", 0, 5}}, /*retention_ms=*/60000);
              Drain();
              return a;
            }())
                ->results(0)
                .error_code(),
            0);
  Advance(absl::Minutes(10));
  EXPECT_EQ(Fetch("simple", "t", 0), -1);
}

TEST_F(OffsetsTest, StableConsumerGroupsExpireOnlyUnsubscribedTopics) {
  JoinSpec spec;
  spec.protocols = {{"range", Subscription({"orders"})}};
  auto join = JoinNew(spec);
  const std::string member = (*join)->member_id();
  Sync(member, 1, {{member, "x"}});
  CommitOne("g", member, 1, "orders", 0, 10);
  CommitOne("g", member, 1, "old", 0, 20);
  for (int i = 0; i < 7 * 24 * 6; ++i) {  // heartbeat through seven days, checking every 10 min
    clock_.Advance(absl::Minutes(10));
    Heartbeat(member, 1);
    coordinator_->Tick();
    Drain();
  }
  EXPECT_EQ(Fetch("g", "orders", 0), 10);
  EXPECT_EQ(Fetch("g", "old", 0), -1);
}

TEST_F(OffsetsTest, EmptyGroupsExpireFromWhenTheyBecameEmpty) {
  int32_t gen = 0;
  auto ids = StableGroup(1, &gen);
  CommitOne("g", ids[0], gen, "t", 0, 10);
  Advance(absl::Hours(24 * 6));  // the member stops heartbeating: Empty after 10 s
  EXPECT_EQ(StateOf(), GroupState::kEmpty);
  EXPECT_EQ(Fetch("g", "t", 0), 10);
  Advance(absl::Hours(24) + absl::Minutes(10));
  EXPECT_EQ(Fetch("g", "t", 0), 10);  // 7 days since the commit, not since it became Empty
  Advance(absl::Hours(24 * 6));
  EXPECT_EQ(Fetch("g", "t", 0), -1);
  EXPECT_EQ(coordinator_->FindGroup("g"), nullptr);
}

TEST_F(OffsetsTest, ReplayRestoresGroupsAndOffsetsAndCompactionKeepsThem) {
  int32_t gen = 0;
  auto ids = StableGroup(2, &gen);
  for (int i = 1; i <= 5; ++i) CommitOne("g", ids[1], gen, "t", 0, i * 10);
  CommitOne("simple", "", -1, "t", 2, 7);
  for (bool compact : {false, true}) {
    if (compact) log_.Compact();
    Restart();
    const Group* g = coordinator_->FindGroup("g");
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->state, GroupState::kStable);
    EXPECT_EQ(g->generation.value(), gen);
    EXPECT_EQ(g->leader_id, ids[0]);
    EXPECT_EQ(Fetch("g", "t", 0), 50);
    EXPECT_EQ(Fetch("simple", "t", 2), 7);
    EXPECT_EQ((*Sync(ids[1], gen))->assignment(), "assignment-of-" + ids[1]);
    EXPECT_EQ(Heartbeat(ids[0], gen), 0);
  }
  // Loaded members must heartbeat within their session like any other.
  Advance(absl::Seconds(5));
  EXPECT_EQ(Heartbeat(ids[0], gen), 0);
  Advance(absl::Seconds(5));
  EXPECT_EQ(StateOf(), GroupState::kPreparingRebalance);
}

TEST_F(OffsetsTest, LoadsOlderRecordVersionsAndRewritesThemCurrent) {
  // Records as an older Kafka wrote them: OffsetCommitValue v0, GroupMetadataValue v1 (no state
  // timestamp, no instance ids).
  OffsetCommitValue offset{77, -1, "old", absl::ToUnixMillis(clock_.Now()), -1, {}};
  GroupMetadataValue group;
  group.protocol_type = "consumer";
  group.generation = 4;
  group.protocol = "range";
  group.leader = "m1";
  group.members.push_back({"m1", std::nullopt, "c", "/h", 30000, 10000, "meta", "asg", {}});
  log_.Append({{EncodeKey(OffsetCommitKey{"g", "t", 0}), *EncodeOffsetCommitValue(offset, 0)},
               {EncodeKey(GroupMetadataKey{"g"}), *EncodeGroupMetadataValue(group, 1)}},
              [](absl::Status) {});
  Restart();
  EXPECT_EQ(StateOf(), GroupState::kStable);
  EXPECT_EQ(Fetch("g", "t", 0), 77);
  EXPECT_EQ(Heartbeat("m1", 4), 0);
  EXPECT_EQ((*Sync("m1", 4))->assignment(), "asg");
  // The next write of the group uses the current version (v3), with a state timestamp.
  JoinSpec rejoin;
  rejoin.member_id = "m1";
  Join(rejoin);
  Sync("m1", 5, {{"m1", "new"}});
  auto last = log_.Records().back();
  EDDY_ASSERT_OK_AND_ASSIGN(GroupMetadataValue written, DecodeGroupMetadataValue(*last.value));
  EXPECT_EQ(written.generation, 5);
  EXPECT_GE(written.current_state_timestamp_ms, 0);
  EXPECT_EQ(written.members[0].assignment, "new");
}

TEST_F(OffsetsTest, ACorruptLogRecordFailsTheLoad) {
  log_.Append({{"\x00\x09garbage", std::nullopt}}, [](absl::Status) {});
  Drain();
  GroupCoordinator fresh(config_, log_, clock_);
  EXPECT_FALSE(fresh.Load().ok());
}

}  // namespace
}  // namespace eddy::coordinator::testing
