// Linearizable reads through ReadIndex (dissertation §6.4).
#include "gtest/gtest.h"
#include "libs/raft/test_cluster.h"

namespace eddy::raft {
namespace {

TEST(RaftReadIndexTest, ReadIsAnsweredAfterAQuorumConfirmsLeadership) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  ASSERT_TRUE(c.Propose(1, "a").ok());
  const LogIndex commit = c.node(1).status().commit;
  c.Isolate(3);
  ASSERT_TRUE(c.node(1).ReadIndex(7).ok());
  c.Deliver();
  ASSERT_EQ(c.read_states(1).size(), 1u);
  EXPECT_TRUE(c.read_states(1)[0].ok);
  EXPECT_EQ(c.read_states(1)[0].request_id, 7u);
  EXPECT_EQ(c.read_states(1)[0].index, commit);
}

TEST(RaftReadIndexTest, IsolatedLeaderNeverAnswersAndFailsTheReadWhenItStepsDown) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  c.Tick(0, 1);
  c.Isolate(1);
  ASSERT_TRUE(c.node(1).ReadIndex(1).ok());
  c.Tick(1, 5);
  EXPECT_TRUE(c.read_states(1).empty());
  c.Tick(1, 20);  // check-quorum deposes it
  ASSERT_EQ(c.read_states(1).size(), 1u);
  EXPECT_FALSE(c.read_states(1)[0].ok);
}

TEST(RaftReadIndexTest, NewLeaderWaitsForAnEntryOfItsTerm) {
  TestCluster c(3);
  c.drop = [](const Message& m) { return m.type == MessageType::kAppendResponse; };
  ASSERT_TRUE(c.Campaign(1));
  ASSERT_TRUE(c.node(1).ReadIndex(1).ok());
  c.Tick(1, 1);
  EXPECT_TRUE(c.read_states(1).empty());
  c.drop = nullptr;
  c.Tick(1, 1);
  ASSERT_EQ(c.read_states(1).size(), 1u);
  EXPECT_TRUE(c.read_states(1)[0].ok);
  EXPECT_EQ(c.read_states(1)[0].index, c.node(1).status().commit);
}

TEST(RaftReadIndexTest, FollowersRefuse) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  EXPECT_FALSE(c.node(2).ReadIndex(1).ok());
}

TEST(RaftReadIndexTest, SingleVoterAnswersAtOnce) {
  TestCluster c(1);
  ASSERT_TRUE(c.Campaign(1));
  ASSERT_TRUE(c.node(1).ReadIndex(3).ok());
  c.Deliver();
  ASSERT_EQ(c.read_states(1).size(), 1u);
  EXPECT_TRUE(c.read_states(1)[0].ok);
}

}  // namespace
}  // namespace eddy::raft
