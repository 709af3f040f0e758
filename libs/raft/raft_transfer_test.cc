// Leadership transfer (dissertation §3.10).
#include "gtest/gtest.h"
#include "libs/raft/test_cluster.h"

namespace eddy::raft {
namespace {

TEST(RaftTransferTest, UpToDateTargetTakesOverAtOnce) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  ASSERT_TRUE(c.Propose(1, "a").ok());
  const Term term = c.node(1).status().term;
  ASSERT_TRUE(c.node(1).TransferLeadership(NodeId(2)).ok());
  c.Deliver();
  EXPECT_EQ(c.Leader(), 2);
  EXPECT_EQ(c.node(2).status().term, term + 1);
  ASSERT_TRUE(c.Propose(2, "b").ok());
  EXPECT_EQ(c.state(2), "a,b,");
}

TEST(RaftTransferTest, LaggingTargetIsCaughtUpFirst) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  c.Isolate(3);
  ASSERT_TRUE(c.Propose(1, "a").ok());
  c.Heal();
  ASSERT_TRUE(c.node(1).TransferLeadership(NodeId(3)).ok());
  c.Deliver();
  EXPECT_EQ(c.Leader(), 3);
  c.Tick(0, 1);
  EXPECT_EQ(c.state(3), "a,");
}

TEST(RaftTransferTest, ProposalsAreRefusedDuringTransferUntilItTimesOut) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  c.Isolate(2);
  ASSERT_TRUE(c.node(1).TransferLeadership(NodeId(2)).ok());
  EXPECT_EQ(c.node(1).status().transfer_target, NodeId(2));
  EXPECT_EQ(c.node(1).Propose("x").status().code(), absl::StatusCode::kUnavailable);
  c.Tick(1, 10);
  EXPECT_EQ(c.node(1).status().transfer_target, kNoNode);
  EXPECT_TRUE(c.node(1).Propose("x").ok());
}

TEST(RaftTransferTest, TargetMustBeAVoter) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  EXPECT_FALSE(c.node(1).TransferLeadership(NodeId(9)).ok());
  EXPECT_FALSE(c.node(2).TransferLeadership(NodeId(3)).ok());
}

TEST(RaftTransferTest, TransferElectionBypassesTheVoteLease) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  c.Tick(0, 1);
  // Node 1 is cut off from 2, so only 3 can give 2 its majority; 3 heard from the leader a moment
  // ago and would ignore an ordinary vote request.
  c.Block(2, 1);
  ASSERT_TRUE(c.node(1).TransferLeadership(NodeId(2)).ok());
  c.Deliver();
  EXPECT_EQ(c.node(2).status().role, Role::kLeader);
}

}  // namespace
}  // namespace eddy::raft
