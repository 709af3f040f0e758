// Static membership (KIP-345, KIP-814): group.instance.id keeps a member's place across
// restarts, rejoining without a rebalance when nothing changed, and fences the old member id.
#include "services/coordinator/group_coordinator_test_fixture.h"

namespace eddy::coordinator::testing {
namespace {

using kafka::ErrorCode;

class StaticMemberTest : public GroupCoordinatorTest {
 protected:
  // Two static members, Stable at generation 1 (leader: i1's member).
  void SetUpStableStaticGroup() {
    JoinSpec a;
    a.instance_id = "i1";
    auto first = Join(a);
    ASSERT_TRUE(first->has_value());
    ASSERT_EQ((*first)->error_code(), 0);  // static members skip MEMBER_ID_REQUIRED
    leader_ = (*first)->member_id();
    JoinSpec b;
    b.instance_id = "i2";
    auto second = Join(b);
    a.member_id = leader_;
    auto rejoin = Join(a);
    ASSERT_TRUE(second->has_value());
    follower_ = (*second)->member_id();
    generation_ = (*rejoin)->generation_id();
    Sync(follower_, generation_, {}, "g", "i2");
    Sync(leader_, generation_, {{leader_, "A"}, {follower_, "B"}}, "g", "i1");
    ASSERT_EQ(StateOf(), GroupState::kStable);
  }

  std::string leader_;
  std::string follower_;
  int32_t generation_ = 0;
};

TEST_F(StaticMemberTest, RestartedFollowerRejoinsWithoutARebalance) {
  SetUpStableStaticGroup();
  JoinSpec b;
  b.instance_id = "i2";  // a restarted process: no member id, same instance id
  auto rejoin = Join(b);
  ASSERT_TRUE(rejoin->has_value());
  EXPECT_EQ((*rejoin)->error_code(), 0);
  EXPECT_EQ((*rejoin)->generation_id(), generation_);
  EXPECT_NE((*rejoin)->member_id(), follower_);
  EXPECT_EQ((*rejoin)->leader(), leader_);
  EXPECT_FALSE((*rejoin)->skip_assignment());
  EXPECT_EQ(StateOf(), GroupState::kStable);
  const std::string new_id = (*rejoin)->member_id();
  // The new id gets the old assignment; the old id is fenced.
  EXPECT_EQ((*Sync(new_id, generation_, {}, "g", "i2"))->assignment(), "B");
  EXPECT_EQ(Heartbeat(follower_, generation_, "g", "i2"), E(ErrorCode::kFencedInstanceId));
  EXPECT_EQ((*Sync(follower_, generation_, {}, "g", "i2"))->error_code(),
            E(ErrorCode::kFencedInstanceId));
  EXPECT_EQ(CommitOne("g", follower_, generation_, "t", 0, 1), E(ErrorCode::kUnknownMemberId));
  auto fenced = CommitAsync("g", follower_, generation_, {{"t", 0, 1}}, -1, "i2");
  Drain();
  EXPECT_EQ((*fenced)->results(0).error_code(), E(ErrorCode::kFencedInstanceId));
  auto ok = CommitAsync("g", new_id, generation_, {{"t", 0, 1}}, -1, "i2");
  Drain();
  EXPECT_EQ((*ok)->results(0).error_code(), 0);
  JoinSpec old;
  old.instance_id = "i2";
  old.member_id = follower_;
  EXPECT_EQ((*Join(old))->error_code(), E(ErrorCode::kFencedInstanceId));
  EXPECT_EQ(Heartbeat(new_id, generation_, "g", "i2"), 0);
  // The replacement was persisted: it survives a failover.
  Restart();
  EXPECT_EQ(Heartbeat(new_id, generation_, "g", "i2"), 0);
}

TEST_F(StaticMemberTest, RestartedLeaderGetsMembersAndSkipsAssignment) {
  SetUpStableStaticGroup();
  JoinSpec a;
  a.instance_id = "i1";
  auto rejoin = Join(a);
  ASSERT_TRUE(rejoin->has_value());
  EXPECT_EQ((*rejoin)->error_code(), 0);
  EXPECT_EQ((*rejoin)->leader(), (*rejoin)->member_id());
  EXPECT_TRUE((*rejoin)->skip_assignment());
  EXPECT_EQ((*rejoin)->members_size(), 2);
  EXPECT_EQ(StateOf(), GroupState::kStable);
}

TEST_F(StaticMemberTest, ProtocolChangeOfAStaticMemberRebalances) {
  SetUpStableStaticGroup();
  // Changing only its metadata does not change the group's protocol: no rebalance (Kafka checks
  // the selected protocol only; the leader sees new metadata on the next rebalance).
  JoinSpec b;
  b.instance_id = "i2";
  b.protocols = {{"roundrobin", "x"}, {"range", "x"}};
  auto same = Join(b);
  ASSERT_TRUE(same->has_value());
  EXPECT_EQ((*same)->error_code(), 0);
  EXPECT_EQ(StateOf(), GroupState::kStable);

  JoinSpec solo;
  solo.group = "solo";
  solo.instance_id = "s1";
  solo.protocols = {{"range", "m"}, {"roundrobin", "m"}};
  auto first = Join(solo);
  Sync((*first)->member_id(), 1, {}, "solo", "s1");
  ASSERT_EQ(StateOf("solo"), GroupState::kStable);
  solo.protocols = {{"roundrobin", "m"}};  // restarted with another assignor
  auto rejoin = Join(solo);
  ASSERT_TRUE(rejoin->has_value());  // a one-member rebalance completes at once
  EXPECT_EQ((*rejoin)->generation_id(), 2);
  EXPECT_EQ((*rejoin)->protocol_name(), "roundrobin");
}

TEST_F(StaticMemberTest, StaticMembersKeepTheirPlaceThroughARebalanceTimeout) {
  SetUpStableStaticGroup();
  JoinSpec a;
  a.instance_id = "i1";
  a.member_id = leader_;
  a.protocols = {{"range", "changed"}};
  auto join = Join(a);
  EXPECT_FALSE(join->has_value());
  Advance(absl::Seconds(5));
  Heartbeat(follower_, generation_, "g", "i2");
  Advance(absl::Seconds(5));
  Heartbeat(follower_, generation_, "g", "i2");
  for (int i = 0; i < 4; ++i) {
    Advance(absl::Seconds(5));
    Heartbeat(follower_, generation_, "g", "i2");
  }
  ASSERT_TRUE(join->has_value());  // the rebalance timeout (30 s) passed
  // The static follower did not rejoin but stays a member of the new generation.
  EXPECT_EQ((*join)->members_size(), 2);
}

TEST_F(StaticMemberTest, LeaveByInstanceIdAndFencing) {
  SetUpStableStaticGroup();
  auto response = Leave({{"", "i2"}, {"someone-else", "i1"}, {"", "unknown"}});
  EXPECT_EQ(response.member_error_codes(0), 0);
  EXPECT_EQ(response.member_error_codes(1), E(ErrorCode::kFencedInstanceId));
  EXPECT_EQ(response.member_error_codes(2), E(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(StateOf(), GroupState::kPreparingRebalance);
}

TEST_F(StaticMemberTest, AFailedReplacementWriteKeepsTheOldMember) {
  SetUpStableStaticGroup();
  log_.FailAppends(absl::DeadlineExceededError("timed out"));
  JoinSpec b;
  b.instance_id = "i2";
  auto rejoin = Join(b);
  ASSERT_TRUE(rejoin->has_value());
  EXPECT_EQ((*rejoin)->error_code(), E(ErrorCode::kCoordinatorNotAvailable));
  log_.FailAppends(absl::OkStatus());
  EXPECT_EQ(Heartbeat(follower_, generation_, "g", "i2"), 0);
  EXPECT_EQ(StateOf(), GroupState::kStable);
}

TEST_F(StaticMemberTest, RejoinDuringCompletingRebalanceStartsAnother) {
  SetUpStableStaticGroup();
  JoinSpec a;
  a.instance_id = "i1";
  a.member_id = leader_;
  JoinSpec b;
  b.instance_id = "i2";
  b.member_id = follower_;
  Join(a);
  auto joined = Join(b);
  ASSERT_TRUE(joined->has_value());
  EXPECT_EQ(StateOf(), GroupState::kCompletingRebalance);
  b.member_id.clear();
  auto replaced = Join(b);
  EXPECT_FALSE(replaced->has_value());
  EXPECT_EQ(StateOf(), GroupState::kPreparingRebalance);
}

}  // namespace
}  // namespace eddy::coordinator::testing
