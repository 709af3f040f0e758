// Snapshots: compaction, chunked InstallSnapshot (§7), restart from a snapshot.
#include <string>

#include "gtest/gtest.h"
#include "libs/raft/test_cluster.h"

namespace eddy::raft {
namespace {

RaftOptions SmallChunks() {
  RaftOptions options;
  options.snapshot_chunk_bytes = 3;
  return options;
}

TEST(RaftSnapshotTest, CompactRequiresAnAppliedIndexPastTheSnapshot) {
  TestCluster c(1);
  ASSERT_TRUE(c.Campaign(1));
  ASSERT_TRUE(c.Propose(1, "a").ok());
  const LogIndex applied = c.node(1).status().applied;
  EXPECT_FALSE(c.node(1).Compact(applied + 1, "x").ok());
  EXPECT_TRUE(c.node(1).Compact(applied, c.state(1)).ok());
  EXPECT_FALSE(c.node(1).Compact(applied, c.state(1)).ok());
  EXPECT_EQ(c.node(1).status().snapshot_index, applied);
  c.Deliver();
  EXPECT_EQ(c.storage(1).LoadSnapshot()->metadata.index, applied);
  EXPECT_EQ(*c.storage(1).FirstIndex(), applied + 1);
}

TEST(RaftSnapshotTest, LaggingFollowerReceivesTheSnapshotInChunks) {
  TestCluster c(3, SmallChunks());
  ASSERT_TRUE(c.Campaign(1));
  c.Isolate(3);
  for (std::string v : {"alpha", "beta", "gamma"}) ASSERT_TRUE(c.Propose(1, v).ok());
  c.Tick(0, 1);
  ASSERT_TRUE(c.node(1).Compact(c.node(1).status().applied, c.state(1)).ok());
  ASSERT_TRUE(c.Propose(1, "delta").ok());
  c.Heal();
  c.Tick(0, 3);
  EXPECT_EQ(c.state(3), "alpha,beta,gamma,delta,");
  int chunks = 0;
  for (const Message& m : c.sent)
    chunks += m.type == MessageType::kInstallSnapshot && m.to == NodeId(3);
  EXPECT_GE(chunks, static_cast<int>(std::string("alpha,beta,gamma,").size() / 3));
  EXPECT_EQ(c.storage(3).LoadSnapshot()->data, "alpha,beta,gamma,");
}

TEST(RaftSnapshotTest, LostChunksAreResent) {
  TestCluster c(3, SmallChunks());
  ASSERT_TRUE(c.Campaign(1));
  c.Isolate(3);
  for (std::string v : {"one", "two", "three"}) ASSERT_TRUE(c.Propose(1, v).ok());
  c.Tick(0, 1);
  ASSERT_TRUE(c.node(1).Compact(c.node(1).status().applied, c.state(1)).ok());
  c.Heal();
  int n = 0;
  c.drop = [&](const Message& m) {
    return m.type == MessageType::kInstallSnapshot && ++n % 2 == 0;
  };
  c.Tick(0, 20);
  EXPECT_EQ(c.state(3), "one,two,three,");
}

TEST(RaftSnapshotTest, RestartRestoresTheSnapshotAndTheEntriesAfterIt) {
  TestCluster c(1);
  ASSERT_TRUE(c.Campaign(1));
  ASSERT_TRUE(c.Propose(1, "a").ok());
  ASSERT_TRUE(c.node(1).Compact(c.node(1).status().applied, c.state(1)).ok());
  ASSERT_TRUE(c.Propose(1, "b").ok());
  c.Crash(1);
  c.Restart(1);
  EXPECT_EQ(c.state(1), "a,");
  c.Deliver();
  EXPECT_EQ(c.state(1), "a,b,");
  ASSERT_TRUE(c.Campaign(1));
  ASSERT_TRUE(c.Propose(1, "c").ok());
  EXPECT_EQ(c.state(1), "a,b,c,");
}

}  // namespace
}  // namespace eddy::raft
