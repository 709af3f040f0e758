// JoinGroup / SyncGroup / Heartbeat / LeaveGroup with dynamic members: the rebalance state
// machine and each Kafka error code it answers.
#include "services/coordinator/group_coordinator_test_fixture.h"

namespace eddy::coordinator::testing {
namespace {

using kafka::ErrorCode;

using MembershipTest = GroupCoordinatorTest;

TEST_F(MembershipTest, FirstJoinV4GetsMemberIdRequiredThenJoinsAsLeader) {
  auto first = Join({});
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->error_code(), E(ErrorCode::kMemberIdRequired));
  EXPECT_EQ((*first)->generation_id(), -1);
  EXPECT_TRUE((*first)->member_id().starts_with("client-"));
  EXPECT_EQ(StateOf(), GroupState::kEmpty);  // a pending member does not start a rebalance

  JoinSpec again;
  again.member_id = (*first)->member_id();
  auto join = Join(again);
  ASSERT_TRUE(join->has_value());
  EXPECT_EQ((*join)->error_code(), 0);
  EXPECT_EQ((*join)->generation_id(), 1);
  EXPECT_EQ((*join)->leader(), again.member_id);
  EXPECT_EQ((*join)->protocol_name(), "range");
  EXPECT_EQ((*join)->protocol_type(), "consumer");
  ASSERT_EQ((*join)->members_size(), 1);
  EXPECT_EQ((*join)->members(0).metadata(), "meta");
  EXPECT_EQ(StateOf(), GroupState::kCompletingRebalance);

  const int64_t appends = log_.appends();
  auto sync = Sync(again.member_id, 1, {{again.member_id, "A"}});
  ASSERT_TRUE(sync->has_value());
  EXPECT_EQ((*sync)->error_code(), 0);
  EXPECT_EQ((*sync)->assignment(), "A");
  EXPECT_EQ(StateOf(), GroupState::kStable);
  EXPECT_EQ(log_.appends(), appends + 1);  // the assignment was persisted before the answer
}

TEST_F(MembershipTest, OldClientsJoinWithoutAMemberIdRoundTrip) {
  JoinSpec spec;
  spec.require_known_member_id = false;
  auto join = Join(spec);
  ASSERT_TRUE(join->has_value());
  EXPECT_EQ((*join)->error_code(), 0);
  EXPECT_EQ((*join)->generation_id(), 1);
  EXPECT_FALSE((*join)->member_id().empty());
}

TEST_F(MembershipTest, RejectsInvalidGroupIdAndSessionTimeouts) {
  JoinSpec spec;
  spec.group = "";
  EXPECT_EQ((*Join(spec))->error_code(), E(ErrorCode::kInvalidGroupId));
  spec.group = "g";
  spec.session_ms = 5999;
  EXPECT_EQ((*Join(spec))->error_code(), E(ErrorCode::kInvalidSessionTimeout));
  spec.session_ms = 1800001;
  EXPECT_EQ((*Join(spec))->error_code(), E(ErrorCode::kInvalidSessionTimeout));
  EXPECT_EQ(coordinator_->FindGroup("g"), nullptr);
}

TEST_F(MembershipTest, UnknownMemberIdsAreRejected) {
  JoinSpec spec;
  spec.member_id = "nobody";
  EXPECT_EQ((*Join(spec))->error_code(), E(ErrorCode::kUnknownMemberId));  // no such group
  int32_t gen = 0;
  StableGroup(1, &gen);
  EXPECT_EQ((*Join(spec))->error_code(), E(ErrorCode::kUnknownMemberId));  // no such member
  EXPECT_EQ((*Sync("nobody", gen))->error_code(), E(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Heartbeat("nobody", gen), E(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Heartbeat("nobody", gen, "no-such-group"), E(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Heartbeat("nobody", gen, ""), E(ErrorCode::kInvalidGroupId));
}

TEST_F(MembershipTest, SecondMemberTriggersRebalanceAndLeaderGetsEveryMember) {
  int32_t gen = 0;
  auto ids = StableGroup(1, &gen);
  ASSERT_EQ(gen, 1);
  auto second = JoinNew({});
  EXPECT_FALSE(second->has_value());  // waits for the leader to rejoin
  EXPECT_EQ(StateOf(), GroupState::kPreparingRebalance);
  EXPECT_EQ(Heartbeat(ids[0], 1), E(ErrorCode::kRebalanceInProgress));
  EXPECT_EQ((*Sync(ids[0], 1))->error_code(), E(ErrorCode::kRebalanceInProgress));

  JoinSpec rejoin;
  rejoin.member_id = ids[0];
  auto leader = Join(rejoin);
  ASSERT_TRUE(leader->has_value());
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ((*leader)->generation_id(), 2);
  EXPECT_EQ((*second)->generation_id(), 2);
  EXPECT_EQ((*leader)->leader(), ids[0]);
  EXPECT_EQ((*second)->leader(), ids[0]);
  EXPECT_EQ((*leader)->members_size(), 2);
  EXPECT_EQ((*second)->members_size(), 0);  // followers do not see the member list

  const std::string follower = (*second)->member_id();
  auto follower_sync = Sync(follower, 2);
  EXPECT_FALSE(follower_sync->has_value());  // waits for the leader's assignment
  EXPECT_EQ(Heartbeat(follower, 2), 0);      // CompletingRebalance: heartbeats are fine
  auto leader_sync = Sync(ids[0], 2, {{ids[0], "L"}, {follower, "F"}});
  ASSERT_TRUE(follower_sync->has_value());
  EXPECT_EQ((*follower_sync)->assignment(), "F");
  EXPECT_EQ((*leader_sync)->assignment(), "L");
  EXPECT_EQ(Heartbeat(follower, 1), E(ErrorCode::kIllegalGeneration));
  EXPECT_EQ(Heartbeat(follower, 2), 0);
}

TEST_F(MembershipTest, MembersMissingFromTheLeadersAssignmentGetAnEmptyOne) {
  int32_t gen = 0;
  auto ids = StableGroup(2, &gen);
  EXPECT_EQ((*Sync(ids[1], gen))->assignment(), "assignment-of-" + ids[1]);
  JoinSpec rejoin;
  rejoin.member_id = ids[0];
  auto leader = Join(rejoin);
  JoinSpec rejoin2;
  rejoin2.member_id = ids[1];
  auto follower = Join(rejoin2);
  ASSERT_TRUE(follower->has_value());
  auto follower_sync = Sync(ids[1], gen + 1);
  Sync(ids[0], gen + 1, {{ids[0], "all"}});
  ASSERT_TRUE(follower_sync->has_value());
  EXPECT_EQ((*follower_sync)->error_code(), 0);
  EXPECT_EQ((*follower_sync)->assignment(), "");
}

TEST_F(MembershipTest, SyncGroupErrors) {
  int32_t gen = 0;
  auto ids = StableGroup(1, &gen);
  EXPECT_EQ((*Sync(ids[0], gen + 1))->error_code(), E(ErrorCode::kIllegalGeneration));
  eddy::v1::SyncGroupRequest r;
  r.set_group_id("g");
  r.set_member_id(ids[0]);
  r.set_generation_id(gen);
  r.set_protocol_name("roundrobin");
  int32_t code = -100;
  coordinator_->SyncGroup(r, [&code](auto resp) { code = resp.error_code(); });
  EXPECT_EQ(code, E(ErrorCode::kInconsistentGroupProtocol));
  r.set_protocol_name("range");
  r.set_protocol_type("connect");
  coordinator_->SyncGroup(r, [&code](auto resp) { code = resp.error_code(); });
  EXPECT_EQ(code, E(ErrorCode::kInconsistentGroupProtocol));
  r.set_group_id("");
  coordinator_->SyncGroup(r, [&code](auto resp) { code = resp.error_code(); });
  EXPECT_EQ(code, E(ErrorCode::kInvalidGroupId));
  // A Stable group answers a repeated SyncGroup with the member's assignment.
  EXPECT_EQ((*Sync(ids[0], gen))->assignment(), "assignment-of-" + ids[0]);
}

TEST_F(MembershipTest, ProtocolSelectionIsTheMostVotedCommonProtocol) {
  JoinSpec a;
  a.protocols = {{"roundrobin", "a"}, {"range", "a"}, {"sticky", "a"}};
  auto first = JoinNew(a);
  const std::string leader = (*first)->member_id();
  JoinSpec b;
  b.protocols = {{"range", "b"}, {"sticky", "b"}};
  auto second = JoinNew(b);
  JoinSpec c;
  c.protocols = {{"sticky", "c"}, {"range", "c"}};
  auto third = JoinNew(c);
  a.member_id = leader;
  auto rejoin = Join(a);
  ASSERT_TRUE(rejoin->has_value());
  // Candidates {range, sticky}; first choices among them: a→range, b→range, c→sticky.
  EXPECT_EQ((*rejoin)->protocol_name(), "range");
  // The leader sees each member's metadata for the chosen protocol.
  for (const auto& m : (*rejoin)->members()) EXPECT_EQ(m.metadata().size(), 1u);

  JoinSpec d;
  d.protocols = {{"roundrobin", "d"}};
  EXPECT_EQ((*Join(d))->error_code(), E(ErrorCode::kInconsistentGroupProtocol));
  JoinSpec e;
  e.protocol_type = "connect";
  EXPECT_EQ((*Join(e))->error_code(), E(ErrorCode::kInconsistentGroupProtocol));
  JoinSpec f;
  f.group = "other";
  f.protocols.clear();
  EXPECT_EQ((*Join(f))->error_code(), E(ErrorCode::kInconsistentGroupProtocol));
}

TEST_F(MembershipTest, RebalanceTimeoutRemovesDynamicMembersThatDidNotRejoin) {
  int32_t gen = 0;
  auto ids = StableGroup(2, &gen);
  auto third = JoinNew({});
  EXPECT_EQ(StateOf(), GroupState::kPreparingRebalance);
  JoinSpec rejoin;
  rejoin.member_id = ids[0];
  auto leader = Join(rejoin);
  EXPECT_FALSE(leader->has_value());
  for (int i = 0; i < 5; ++i) {
    Advance(absl::Seconds(5));
    // Heartbeats keep ids[1]'s session alive but do not count as rejoining.
    EXPECT_EQ(Heartbeat(ids[1], gen), E(ErrorCode::kRebalanceInProgress));
  }
  Advance(absl::Milliseconds(4999));
  EXPECT_FALSE(leader->has_value());
  Advance(absl::Milliseconds(1));
  ASSERT_TRUE(leader->has_value());
  ASSERT_TRUE(third->has_value());
  EXPECT_EQ((*leader)->generation_id(), gen + 1);
  EXPECT_EQ((*leader)->members_size(), 2);
  EXPECT_EQ(Heartbeat(ids[1], gen), E(ErrorCode::kUnknownMemberId));
}

TEST_F(MembershipTest, LeaderThatDoesNotRejoinIsReplacedByAJoinedMember) {
  int32_t gen = 0;
  auto ids = StableGroup(2, &gen);
  JoinSpec rejoin;
  rejoin.member_id = ids[1];
  rejoin.protocols = {{"range", "changed"}};
  auto follower = Join(rejoin);
  EXPECT_FALSE(follower->has_value());
  Advance(absl::Seconds(30));
  ASSERT_TRUE(follower->has_value());
  EXPECT_EQ((*follower)->leader(), ids[1]);
  EXPECT_EQ((*follower)->members_size(), 1);
}

TEST_F(MembershipTest, SessionTimeoutExpiresASilentMember) {
  int32_t gen = 0;
  auto ids = StableGroup(2, &gen);
  Advance(absl::Seconds(6));
  EXPECT_EQ(Heartbeat(ids[0], gen), 0);
  Advance(absl::Seconds(4));  // ids[1] last heard from 10 s ago: its session (10 s) lapsed
  EXPECT_EQ(StateOf(), GroupState::kPreparingRebalance);
  EXPECT_EQ(Heartbeat(ids[1], gen), E(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Heartbeat(ids[0], gen), E(ErrorCode::kRebalanceInProgress));
  JoinSpec rejoin;
  rejoin.member_id = ids[0];
  auto join = Join(rejoin);
  ASSERT_TRUE(join->has_value());
  EXPECT_EQ((*join)->generation_id(), gen + 1);
  EXPECT_EQ((*join)->members_size(), 1);
}

TEST_F(MembershipTest, AllMembersExpiringEmptiesTheGroupAndPersistsIt) {
  int32_t gen = 0;
  StableGroup(2, &gen);
  Advance(absl::Seconds(10));
  EXPECT_EQ(StateOf(), GroupState::kEmpty);
  EXPECT_EQ(coordinator_->FindGroup("g")->generation.value(), gen + 1);
  Restart();
  EXPECT_EQ(StateOf(), GroupState::kEmpty);
  EXPECT_EQ(coordinator_->FindGroup("g")->generation.value(), gen + 1);
}

TEST_F(MembershipTest, UnansweredPendingMemberBlocksTheJoinUntilItsSessionEnds) {
  int32_t gen = 0;
  auto ids = StableGroup(1, &gen);
  auto pending = Join({});
  EXPECT_EQ((*pending)->error_code(), E(ErrorCode::kMemberIdRequired));
  JoinSpec rejoin;
  rejoin.member_id = ids[0];
  rejoin.protocols = {{"range", "v2"}};
  auto join = Join(rejoin);
  EXPECT_FALSE(join->has_value());
  Advance(absl::Seconds(10));
  ASSERT_TRUE(join->has_value());
  EXPECT_EQ((*join)->members_size(), 1);
}

TEST_F(MembershipTest, MembersThatDoNotSyncAreRemovedAfterTheRebalanceTimeout) {
  int32_t gen = 0;
  auto ids = StableGroup(2, &gen);
  JoinSpec a;
  a.member_id = ids[0];
  JoinSpec b;
  b.member_id = ids[1];
  Join(a);
  Join(b);
  auto sync = Sync(ids[0], gen + 1, {{ids[0], "x"}, {ids[1], "y"}});
  ASSERT_TRUE(sync->has_value());
  EXPECT_EQ(StateOf(), GroupState::kStable);
  for (int i = 0; i < 6; ++i) {  // ids[1] heartbeats but never sends SyncGroup
    EXPECT_EQ(StateOf(), GroupState::kStable);
    Advance(absl::Seconds(5));
    Heartbeat(ids[0], gen + 1);
    Heartbeat(ids[1], gen + 1);
  }
  EXPECT_EQ(StateOf(), GroupState::kPreparingRebalance);
  EXPECT_EQ(Heartbeat(ids[1], gen + 1), E(ErrorCode::kUnknownMemberId));
}

TEST_F(MembershipTest, InitialRebalanceDelayWaitsForMoreMembers) {
  config_.initial_rebalance_delay = absl::Seconds(3);
  Restart();
  JoinSpec spec;
  spec.rebalance_ms = 10000;
  auto a = JoinNew(spec);
  Advance(absl::Seconds(2));
  auto b = JoinNew(spec);
  EXPECT_FALSE(a->has_value());
  Advance(absl::Seconds(1));  // 3 s: a member arrived, so the delay extends (7 s left)
  EXPECT_FALSE(a->has_value());
  Advance(absl::Milliseconds(2999));
  EXPECT_FALSE(a->has_value());
  Advance(absl::Milliseconds(1));  // 6 s: nobody new; the first generation forms
  ASSERT_TRUE(a->has_value());
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ((*a)->generation_id(), 1);
  EXPECT_EQ((*a)->members_size() + (*b)->members_size(), 2);
}

TEST_F(MembershipTest, InitialRebalanceDelayNeverExceedsTheRebalanceTimeout) {
  config_.initial_rebalance_delay = absl::Seconds(3);
  Restart();
  JoinSpec spec;
  spec.rebalance_ms = 5000;
  auto a = JoinNew(spec);
  Advance(absl::Seconds(2));
  JoinNew(spec);
  Advance(absl::Seconds(1));  // extends by min(3 s, 2 s left)
  Advance(absl::Seconds(1));
  JoinNew(spec);  // arrives with nothing left to extend
  EXPECT_FALSE(a->has_value());
  Advance(absl::Seconds(1));  // 5 s = the rebalance timeout
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->generation_id(), 1);
}

TEST_F(MembershipTest, GroupMaxSizeRejectsTheExtraMember) {
  config_.max_size = 2;
  Restart();
  int32_t gen = 0;
  StableGroup(2, &gen);
  auto third = Join({});
  ASSERT_TRUE(third->has_value());
  EXPECT_EQ((*third)->error_code(), E(ErrorCode::kGroupMaxSizeReached));
  EXPECT_EQ(StateOf(), GroupState::kStable);
}

TEST_F(MembershipTest, LeaveGroupIsBatchedWithPerMemberErrors) {
  int32_t gen = 0;
  auto ids = StableGroup(3, &gen);
  auto response = Leave({{ids[1], ""}, {"nobody", ""}, {ids[2], ""}});
  EXPECT_EQ(response.error_code(), 0);
  ASSERT_EQ(response.member_error_codes_size(), 3);
  EXPECT_EQ(response.member_error_codes(0), 0);
  EXPECT_EQ(response.member_error_codes(1), E(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(response.member_error_codes(2), 0);
  EXPECT_EQ(StateOf(), GroupState::kPreparingRebalance);
  auto last = Leave({{ids[0], ""}});
  EXPECT_EQ(last.member_error_codes(0), 0);
  EXPECT_EQ(StateOf(), GroupState::kEmpty);
  EXPECT_EQ(Leave({{"x", ""}}, "no-such-group").member_error_codes(0),
            E(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Leave({{"x", ""}}, "").error_code(), E(ErrorCode::kInvalidGroupId));
}

TEST_F(MembershipTest, LeavingWhileOthersWaitCompletesTheJoin) {
  int32_t gen = 0;
  auto ids = StableGroup(2, &gen);
  JoinSpec rejoin;
  rejoin.member_id = ids[0];
  rejoin.protocols = {{"range", "new"}};
  auto join = Join(rejoin);
  EXPECT_FALSE(join->has_value());
  Leave({{ids[1], ""}});
  ASSERT_TRUE(join->has_value());
  EXPECT_EQ((*join)->generation_id(), gen + 1);
}

TEST_F(MembershipTest, StableFollowerRejoiningUnchangedGetsTheCurrentGeneration) {
  int32_t gen = 0;
  auto ids = StableGroup(2, &gen);
  JoinSpec rejoin;
  rejoin.member_id = ids[1];
  auto join = Join(rejoin);
  ASSERT_TRUE(join->has_value());
  EXPECT_EQ((*join)->generation_id(), gen);
  EXPECT_EQ(StateOf(), GroupState::kStable);
  // The leader rejoining forces a rebalance (it may have seen new topic metadata).
  rejoin.member_id = ids[0];
  auto leader = Join(rejoin);
  EXPECT_FALSE(leader->has_value());
  EXPECT_EQ(StateOf(), GroupState::kPreparingRebalance);
}

TEST_F(MembershipTest, AFailedAssignmentWriteFailsTheSyncAndRebalances) {
  int32_t gen = 0;
  auto ids = StableGroup(2, &gen);
  JoinSpec a;
  a.member_id = ids[0];
  JoinSpec b;
  b.member_id = ids[1];
  Join(a);
  Join(b);
  auto follower = Sync(ids[1], gen + 1);
  log_.FailAppends(absl::UnavailableError("not enough replicas"));
  auto leader = Sync(ids[0], gen + 1, {{ids[0], "x"}, {ids[1], "y"}});
  ASSERT_TRUE(leader->has_value());
  ASSERT_TRUE(follower->has_value());
  EXPECT_EQ((*leader)->error_code(), E(ErrorCode::kCoordinatorNotAvailable));
  EXPECT_EQ((*follower)->error_code(), E(ErrorCode::kCoordinatorNotAvailable));
  EXPECT_EQ(StateOf(), GroupState::kPreparingRebalance);
  log_.FailAppends(absl::FailedPreconditionError("not the leader"));
  Join(a);
  auto again = Join(b);
  Sync(ids[1], (*again)->generation_id());
  auto lost = Sync(ids[0], (*again)->generation_id(), {});
  EXPECT_EQ((*lost)->error_code(), E(ErrorCode::kNotCoordinator));
}

TEST_F(MembershipTest, ASupersededJoinIsAnswered) {
  int32_t gen = 0;
  auto ids = StableGroup(2, &gen);
  JoinSpec a;
  a.member_id = ids[0];
  auto first = Join(a);
  auto second = Join(a);
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->error_code(), E(ErrorCode::kRebalanceInProgress));
  EXPECT_FALSE(second->has_value());
}

TEST_F(MembershipTest, UnloadingTheShardAnswersWaitingMembers) {
  int32_t gen = 0;
  auto ids = StableGroup(2, &gen);
  JoinSpec a;
  a.member_id = ids[0];
  auto join = Join(a);
  EXPECT_FALSE(join->has_value());
  coordinator_.reset();
  ASSERT_TRUE(join->has_value());
  EXPECT_EQ((*join)->error_code(), E(ErrorCode::kNotCoordinator));
  Restart();
}

// KIP-429: the coordinator is protocol-agnostic; a cooperative client revokes what moves, then
// rejoins at once, giving two back-to-back generations with its owned partitions in the opaque
// subscription. Stable members that did not change keep their generation without a rebalance.
TEST_F(MembershipTest, CooperativeRebalanceIsTwoBackToBackGenerations) {
  JoinSpec a;
  a.protocols = {{"cooperative-sticky", "owned:p0,p1"}};
  auto first = JoinNew(a);
  a.member_id = (*first)->member_id();
  Sync(a.member_id, 1, {{a.member_id, "p0,p1"}});
  JoinSpec b;
  b.protocols = {{"cooperative-sticky", "owned:"}};
  auto joiner = JoinNew(b);
  auto leader = Join(a);  // first rebalance: the leader revokes p1 only
  ASSERT_TRUE(joiner->has_value());
  b.member_id = (*joiner)->member_id();
  EXPECT_EQ((*leader)->generation_id(), 2);
  EXPECT_EQ((*leader)->protocol_name(), "cooperative-sticky");
  Sync(b.member_id, 2);
  Sync(a.member_id, 2, {{a.member_id, "p0"}, {b.member_id, ""}});
  EXPECT_EQ(StateOf(), GroupState::kStable);
  // Having revoked p1, the leader rejoins with its new owned set; the follower keeps consuming
  // until it learns of the rebalance through its heartbeat.
  a.protocols = {{"cooperative-sticky", "owned:p0"}};
  auto second = Join(a);
  EXPECT_EQ(Heartbeat(b.member_id, 2), E(ErrorCode::kRebalanceInProgress));
  auto follower = Join(b);
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ((*second)->generation_id(), 3);
  bool saw_owned = false;
  for (const auto& m : (*second)->members()) saw_owned |= m.metadata() == "owned:p0";
  EXPECT_TRUE(saw_owned);  // subscription bytes reach the leader unchanged
  Sync(b.member_id, 3);
  Sync(a.member_id, 3, {{a.member_id, "p0"}, {b.member_id, "p1"}});
  EXPECT_EQ(StateOf(), GroupState::kStable);
}

}  // namespace
}  // namespace eddy::coordinator::testing
