// Log replication (§5.3), commitment (§5.4.2), durability before acknowledgement, restart.
#include <string>

#include "gtest/gtest.h"
#include "libs/raft/test_cluster.h"

namespace eddy::raft {
namespace {

TEST(RaftReplicationTest, ProposalCommitsOnAMajorityAndAppliesEverywhere) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  c.Isolate(3);
  ASSERT_TRUE(c.Propose(1, "a").ok());
  EXPECT_EQ(c.state(1), "a,");
  EXPECT_EQ(c.state(2), "");  // 2 learns the commit on the next heartbeat
  c.Tick(0, 1);
  EXPECT_EQ(c.state(2), "a,");
  EXPECT_EQ(c.state(3), "");
  c.Heal();
  c.Tick(0, 2);
  EXPECT_EQ(c.state(3), "a,");
}

TEST(RaftReplicationTest, NoCommitWithoutAMajority) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  c.Isolate(1);
  ASSERT_TRUE(c.Propose(1, "a").ok());
  c.Tick(1, 5);
  EXPECT_EQ(c.state(1), "");
}

TEST(RaftReplicationTest, LeaderCountsItsOwnEntryOnlyOnceSaved) {
  TestCluster c(1);
  ASSERT_TRUE(c.Campaign(1));
  RaftNode& n = c.node(1);
  ASSERT_TRUE(n.Propose("x").ok());
  Output first = n.TakeOutput();
  ASSERT_EQ(first.persist.entries.size(), 1u);
  EXPECT_TRUE(first.committed.empty());
  EXPECT_FALSE(n.HasOutput());
  n.Advance(first);
  Output second = n.TakeOutput();
  ASSERT_EQ(second.committed.size(), 1u);
  EXPECT_EQ(second.committed[0].data, "x");
  EXPECT_EQ(second.persist.hard_state->commit, second.committed[0].index);
}

TEST(RaftReplicationTest, DivergentFollowerSuffixIsOverwritten) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  ASSERT_TRUE(c.Propose(1, "a").ok());
  c.Tick(0, 1);
  c.Isolate(1);
  // The old leader appends entries nobody else sees.
  ASSERT_TRUE(c.Propose(1, "lost1").ok());
  ASSERT_TRUE(c.Propose(1, "lost2").ok());
  c.Tick(0, 30);  // 2 and 3 elect a new leader
  const int leader = c.Leader();
  ASSERT_TRUE(leader == 2 || leader == 3);
  ASSERT_TRUE(c.Propose(leader, "b").ok());
  c.Heal();
  c.Tick(0, 3);
  EXPECT_EQ(c.Leader(), leader);
  for (int id : {1, 2, 3}) EXPECT_EQ(c.state(id), "a,b,") << "node " << id;
  EXPECT_EQ(c.node(1).status().last_index, c.node(leader).status().last_index);
}

TEST(RaftReplicationTest, DroppedAppendsAreResentOnHeartbeat) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  bool dropping = true;
  c.drop = [&](const Message& m) { return dropping && m.type == MessageType::kAppend; };
  ASSERT_TRUE(c.Propose(1, "a").ok());
  EXPECT_EQ(c.state(1), "");
  dropping = false;
  c.Tick(1, 1);
  EXPECT_EQ(c.state(1), "a,");
}

TEST(RaftReplicationTest, RestartedFollowerReappliesFromStorageAndCatchesUp) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  ASSERT_TRUE(c.Propose(1, "a").ok());
  c.Tick(0, 1);
  c.Crash(3);
  ASSERT_TRUE(c.Propose(1, "b").ok());
  c.Restart(3);
  EXPECT_EQ(c.node(3).status().commit, c.node(3).status().last_index);
  c.Deliver();
  c.Tick(1, 1);
  EXPECT_EQ(c.state(3), "a,b,");
}

TEST(RaftReplicationTest, LostUnsavedEntriesAreNotAcknowledged) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  // Node 2 receives the append but crashes before its driver saves it: no ack may have gone out.
  RaftNode& follower = c.node(2);
  const Term term = c.node(1).status().term;
  const LogIndex last = c.node(1).status().last_index;
  follower.Step(Message{.type = MessageType::kAppend,
                        .from = NodeId(1),
                        .to = NodeId(2),
                        .term = term,
                        .index = last,
                        .log_term = term,
                        .entries = {Entry{last + 1, term, EntryType::kNormal, "x"}}});
  Output out = follower.TakeOutput();
  ASSERT_EQ(out.persist.entries.size(), 1u);
  ASSERT_EQ(out.messages.size(), 1u);
  EXPECT_EQ(out.messages[0].index, last + 1);  // the ack travels with the entry it acknowledges
  c.Crash(2);
  c.Restart(2);
  EXPECT_EQ(c.node(2).status().last_index, last);
}

}  // namespace
}  // namespace eddy::raft
