// Single-server membership changes (dissertation §4.1-4.2).
#include "gtest/gtest.h"
#include "libs/raft/test_cluster.h"

namespace eddy::raft {
namespace {

ConfChange Add(int id) { return {ConfChangeType::kAddVoter, NodeId(id)}; }
ConfChange Remove(int id) { return {ConfChangeType::kRemoveVoter, NodeId(id)}; }

TEST(RaftMembershipTest, AddedServerLearnsTheLogAndCountsTowardsTheQuorum) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  ASSERT_TRUE(c.Propose(1, "a").ok());
  c.AddNode(4);
  EXPECT_TRUE(c.node(4).status().conf.voters.empty());
  ASSERT_TRUE(c.node(1).ProposeConfChange(Add(4)).ok());
  c.Tick(0, 5);
  EXPECT_EQ(c.state(4), "a,");
  EXPECT_EQ(c.node(4).status().conf.voters.size(), 4u);
  // With 4 voters the quorum is 3: the leader and one follower are not enough.
  c.Isolate(3);
  c.Isolate(4);
  ASSERT_TRUE(c.Propose(1, "b").ok());
  c.Tick(1, 2);
  EXPECT_EQ(c.state(1), "a,");
  c.Heal();
  c.Tick(0, 3);
  EXPECT_EQ(c.state(4), "a,b,");
}

TEST(RaftMembershipTest, ChangeTakesEffectWhenAppendedNotWhenCommitted) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  c.Isolate(2);
  c.Isolate(3);
  ASSERT_TRUE(c.node(1).ProposeConfChange(Remove(3)).ok());
  EXPECT_EQ(c.node(1).status().conf.voters.size(), 2u);
}

TEST(RaftMembershipTest, OneChangeAtATime) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  c.Isolate(2);
  c.Isolate(3);
  ASSERT_TRUE(c.node(1).ProposeConfChange(Remove(3)).ok());
  EXPECT_FALSE(c.node(1).ProposeConfChange(Remove(2)).ok());
  c.Heal();
  c.Tick(0, 2);
  EXPECT_TRUE(c.node(1).ProposeConfChange(Add(3)).ok());
}

TEST(RaftMembershipTest, ChangesThatChangeNothingAreRefused) {
  TestCluster c(1);
  ASSERT_TRUE(c.Campaign(1));
  EXPECT_FALSE(c.node(1).ProposeConfChange(Add(1)).ok());
  EXPECT_FALSE(c.node(1).ProposeConfChange(Remove(5)).ok());
  EXPECT_FALSE(c.node(1).ProposeConfChange(Remove(1)).ok());
}

TEST(RaftMembershipTest, RemovedServerStopsVotingAndDoesNotDisrupt) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  ASSERT_TRUE(c.node(1).ProposeConfChange(Remove(3)).ok());
  c.Tick(0, 2);
  const Term term = c.node(1).status().term;
  // The leader stopped replicating to 3 once the change was appended, so 3 may never learn it was
  // removed and keeps pre-voting; its stale log and the others' lease make that harmless.
  c.Tick(0, 100);
  EXPECT_EQ(c.Leader(), 1);
  EXPECT_EQ(c.node(1).status().term, term);
  EXPECT_EQ(c.node(3).status().term, term);
  ASSERT_TRUE(c.Propose(1, "a").ok());
  EXPECT_EQ(c.state(1), "a,");
}

TEST(RaftMembershipTest, RemovedLeaderStepsDownOnceTheChangeCommits) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  ASSERT_TRUE(c.node(1).ProposeConfChange(Remove(1)).ok());
  c.Deliver();
  EXPECT_NE(c.node(1).status().role, Role::kLeader);
  c.Tick(0, 30);
  const int leader = c.Leader();
  ASSERT_TRUE(leader == 2 || leader == 3);
  ASSERT_TRUE(c.Propose(leader, "a").ok());
  EXPECT_EQ(c.state(leader), "a,");
  c.Tick(0, 50);
  EXPECT_EQ(c.node(1).status().role, Role::kFollower);
}

TEST(RaftMembershipTest, ServerRemovedByAnUncommittedChangeStillCampaigns) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  c.Isolate(1);
  ASSERT_TRUE(c.node(1).ProposeConfChange(Remove(1)).ok());
  EXPECT_FALSE(c.node(1).status().conf.voters.contains(NodeId(1)));
  // Check-quorum deposes it; its removal is not committed, so it may hold the only up-to-date
  // log and must keep trying to win (diss. §4.2.2).
  c.Tick(1, 80);
  EXPECT_EQ(c.node(1).status().role, Role::kPreCandidate);
}

TEST(RaftMembershipTest, NewLeaderMustCommitInItsTermBeforeAChange) {
  TestCluster c(3);
  c.drop = [](const Message& m) { return m.type == MessageType::kAppendResponse; };
  ASSERT_TRUE(c.Campaign(1));
  EXPECT_FALSE(c.node(1).ProposeConfChange(Remove(3)).ok());
  c.drop = nullptr;
  c.Tick(1, 1);
  EXPECT_TRUE(c.node(1).ProposeConfChange(Remove(3)).ok());
}

}  // namespace
}  // namespace eddy::raft
