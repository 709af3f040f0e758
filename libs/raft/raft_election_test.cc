// Elections: §5.2 voting, §5.4.1 up-to-date check, pre-vote (diss. §9.6), check-quorum and the
// vote lease (diss. §4.2.3).
#include <algorithm>

#include "gtest/gtest.h"
#include "libs/raft/test_cluster.h"

namespace eddy::raft {
namespace {

TEST(RaftElectionTest, SingleVoterElectsItselfAndCommits) {
  TestCluster c(1);
  ASSERT_TRUE(c.Campaign(1));
  ASSERT_TRUE(c.Propose(1, "x").ok());
  EXPECT_EQ(c.state(1), "x,");
}

TEST(RaftElectionTest, ThreeVotersElectExactlyOneLeader) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(2));
  EXPECT_EQ(c.Leader(), 2);
  for (int id : {1, 3}) {
    EXPECT_EQ(c.node(id).status().role, Role::kFollower);
    EXPECT_EQ(c.node(id).status().leader, NodeId(2));
    EXPECT_EQ(c.node(id).status().term, c.node(2).status().term);
  }
}

TEST(RaftElectionTest, VoteIsSavedInTheSameOutputAsTheGrant) {
  TestCluster c(3);
  c.drop = [](const Message& m) { return m.type == MessageType::kVoteResponse; };
  c.Tick(1, 40);  // 1 campaigns repeatedly but never hears the votes
  c.Crash(2);
  c.Restart(2);
  // The restarted voter remembers its vote for node 1 in node 1's latest term it voted in.
  EXPECT_EQ(c.storage(2).LoadHardState()->vote, NodeId(1));
}

TEST(RaftElectionTest, StaleLogCannotWin) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  c.Isolate(3);
  ASSERT_TRUE(c.Propose(1, "a").ok());
  c.Heal();
  c.Isolate(1);
  // 3 lacks "a": 2 refuses it (§5.4.1), so 3 cannot collect a majority.
  c.Tick(3, 100);
  EXPECT_NE(c.node(3).status().role, Role::kLeader);
  ASSERT_TRUE(c.Campaign(2));
}

TEST(RaftElectionTest, PreVoteKeepsAPartitionedNodeFromInflatingTerms) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  const Term term = c.node(1).status().term;
  c.Isolate(3);
  c.Tick(3, 100);
  EXPECT_EQ(c.node(3).status().term, term);
  EXPECT_EQ(c.node(3).status().role, Role::kPreCandidate);
  c.Heal();
  c.Tick(0, 5);
  EXPECT_EQ(c.Leader(), 1);
  EXPECT_EQ(c.node(1).status().term, term);
}

TEST(RaftElectionTest, WithoutPreVoteAPartitionedNodeDisruptsTheLeaderOnReturn) {
  RaftOptions options;
  options.pre_vote = false;
  options.check_quorum = false;
  TestCluster c(3, options);
  ASSERT_TRUE(c.Campaign(1));
  const Term term = c.node(1).status().term;
  c.Isolate(3);
  c.Tick(3, 100);
  EXPECT_GT(c.node(3).status().term, term);
  c.Heal();
  c.Tick(0, 3);
  EXPECT_GT(c.node(1).status().term, term);
}

TEST(RaftElectionTest, CheckQuorumMakesAnIsolatedLeaderStepDown) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  c.Isolate(1);
  // The first check after the election counts everyone as active; the second finds no one.
  c.Tick(1, 10);
  EXPECT_EQ(c.node(1).status().role, Role::kLeader);
  c.Tick(1, 10);
  EXPECT_EQ(c.node(1).status().role, Role::kFollower);
}

TEST(RaftElectionTest, FollowerInLeaseIgnoresVoteRequests) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  const Term term = c.node(1).status().term;
  Message vote{.type = MessageType::kVote,
               .from = NodeId(3),
               .to = NodeId(2),
               .term = term + 5,
               .index = LogIndex(100),
               .log_term = term + 4};
  c.node(2).Step(vote);
  EXPECT_EQ(c.node(2).status().term, term);
  EXPECT_FALSE(c.node(2).HasOutput());
}

TEST(RaftElectionTest, RejectedVoteRequestsDoNotPostponeCandidacy) {
  RaftOptions options;
  options.pre_vote = false;
  options.check_quorum = false;
  TestCluster c(3, options);
  ASSERT_TRUE(c.Campaign(1));
  ASSERT_TRUE(c.Propose(1, "a").ok());
  c.Crash(1);
  c.Isolate(3);
  // Node 3's stale candidacies reach node 2 every few ticks at ever higher terms; node 2 rejects
  // them (§5.4.1) and must still time out and campaign itself (§5.2).
  bool campaigned = false;
  for (int tick = 1; tick <= 4 * options.election_tick && !campaigned; ++tick) {
    if (tick % 4 == 0) {
      c.node(2).Step(Message{.type = MessageType::kVote,
                             .from = NodeId(3),
                             .to = NodeId(2),
                             .term = c.node(2).status().term + 1});
    }
    c.Tick(2);
    campaigned = c.node(2).status().role == Role::kCandidate;
  }
  EXPECT_TRUE(campaigned);
}

TEST(RaftElectionTest, PreCandidateAsksAgainOnceTheOtherVotersLeaseRunsOut) {
  TestCluster c(3);
  ASSERT_TRUE(c.Campaign(1));
  c.Crash(1);
  // Node 3 times out first; node 2 heard from the dead leader too recently and drops its pre-vote.
  int ticks = 0;
  while (c.node(3).status().role != Role::kPreCandidate && ticks++ < 100) c.Tick(3);
  ASSERT_EQ(c.node(3).status().role, Role::kPreCandidate);
  const int election_tick = RaftOptions().election_tick;
  c.Tick(2, election_tick - 1);
  c.Tick(3);  // asked again, still inside node 2's lease
  ASSERT_EQ(c.node(3).status().role, Role::kPreCandidate);
  c.Tick(2);  // node 2's lease has run out (its own timeout is drawn later than that here)
  ASSERT_EQ(c.node(2).status().role, Role::kFollower);
  // One heartbeat tick later node 3 asks again and wins, rather than a whole randomized election
  // timeout after its first attempt.
  c.Tick(3, RaftOptions().heartbeat_tick);
  EXPECT_EQ(c.Leader(), 3);
}

}  // namespace
}  // namespace eddy::raft
