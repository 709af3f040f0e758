// RaftDriver with three members over a MemoryNetwork, MemoryStorage and one ManualClock, polled
// from the test thread: elections, replication with client callbacks, redirects, reads, leader
// crash and restart, automatic snapshots (including a follower catching up by InstallSnapshot),
// overwritten proposals, leadership transfer, membership changes and a storage failure.
// Deterministic: no thread, no sleep, and the election PRNGs are seeded by node id.
#include "libs/raft/raft_driver.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/raft/raft_driver_test_fixture.h"
#include "tests/testing/status_matchers.h"

namespace eddy::raft {
namespace {

using ::eddy::raft::testing::DriverCluster;
using ::eddy::raft::testing::Result;
using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;

RaftDriverOptions SmallOptions(uint64_t snapshot_interval = 0) {
  RaftDriverOptions options;
  options.tick_interval = absl::Milliseconds(100);
  options.snapshot_interval_entries = snapshot_interval;
  options.raft.snapshot_chunk_bytes = 16;  // several chunks even for a small snapshot
  return options;
}

// ProposeAll proposes key<i>=<i> for i in [from, to) on `leader` and runs until all are applied.
std::vector<LogIndex> ProposeAll(DriverCluster& cluster, int leader, int from, int to) {
  std::vector<Result<absl::StatusOr<LogIndex>>> results(to - from);
  for (int i = from; i < to; ++i) {
    cluster.driver(leader).Propose("key" + std::to_string(i) + "=" + std::to_string(i),
                                   results[i - from].callback());
  }
  EXPECT_TRUE(cluster.RunUntil([&] {
    for (const auto& r : results) {
      if (!r.value) return false;
    }
    return true;
  }));
  std::vector<LogIndex> indexes;
  for (const auto& r : results) {
    if (!r.value) continue;
    EXPECT_THAT(r.value->status(), IsOk());
    if (r.value->ok()) indexes.push_back(**r.value);
  }
  return indexes;
}

bool SameState(DriverCluster& cluster, std::vector<int> ids) {
  for (int id : ids) {
    if (cluster.state(id).data() != cluster.state(ids.front()).data()) return false;
  }
  return true;
}

TEST(RaftDriverTest, ElectsOneLeaderAndAppliesProposalsEverywhere) {
  DriverCluster cluster(3, SmallOptions());
  const int leader = cluster.WaitForLeader();
  ASSERT_NE(leader, 0);
  const std::vector<LogIndex> indexes = ProposeAll(cluster, leader, 0, 10);
  ASSERT_EQ(indexes.size(), 10u);
  EXPECT_TRUE(std::is_sorted(indexes.begin(), indexes.end()));
  ASSERT_TRUE(cluster.RunUntil([&] {
    return cluster.state(1).data().size() == 10 && SameState(cluster, {1, 2, 3});
  }));
  EXPECT_EQ(cluster.state(2).data().at("key7"), "7");
  const RaftDriverStatus status = cluster.driver(leader).status();
  EXPECT_EQ(status.node.role, Role::kLeader);
  EXPECT_GE(status.node.commit, indexes.back());
  EXPECT_EQ(status.leader_changes, 1u);
  EXPECT_FALSE(status.failed);
  for (int id = 1; id <= 3; ++id) {
    EXPECT_EQ(cluster.driver(id).status().node.leader, NodeId(leader));
  }
}

TEST(RaftDriverTest, FollowersRedirectToTheLeaderAndReadsAreLinearizable) {
  DriverCluster cluster(3, SmallOptions());
  const int leader = cluster.WaitForLeader();
  ASSERT_NE(leader, 0);
  const int follower = leader % 3 + 1;

  Result<absl::StatusOr<LogIndex>> redirected;
  cluster.driver(follower).Propose("a=1", redirected.callback());
  Result<absl::Status> follower_read;
  cluster.driver(follower).LinearizableRead(follower_read.callback());
  ASSERT_TRUE(cluster.RunUntil([&] { return redirected.value && follower_read.value; }));
  EXPECT_THAT(redirected.value->status(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(LeaderOf(redirected.value->status()), NodeId(leader));
  EXPECT_EQ(LeaderOf(*follower_read.value), NodeId(leader));

  // A read issued after a write was acknowledged sees it.
  ProposeAll(cluster, leader, 0, 1);
  std::string seen;
  Result<absl::Status> read;
  cluster.driver(leader).LinearizableRead([&](absl::Status s) {
    seen = cluster.state(leader).data().at("key0");
    read.value = s;
  });
  ASSERT_TRUE(cluster.RunUntil([&] { return read.value.has_value(); }));
  EXPECT_THAT(*read.value, IsOk());
  EXPECT_EQ(seen, "0");

  Result<absl::StatusOr<LogIndex>> empty;
  cluster.driver(leader).Propose("", empty.callback());
  EXPECT_THAT(empty.value->status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RaftDriverTest, SurvivesLeaderStopAndRestart) {
  DriverCluster cluster(3, SmallOptions());
  const int old_leader = cluster.WaitForLeader();
  ASSERT_NE(old_leader, 0);
  ProposeAll(cluster, old_leader, 0, 5);
  cluster.Stop(old_leader);
  int new_leader = 0;
  ASSERT_TRUE(cluster.RunUntil([&] {
    new_leader = cluster.Leader();
    return new_leader != 0 && new_leader != old_leader;
  }));
  EXPECT_EQ(ProposeAll(cluster, new_leader, 5, 10).size(), 5u);
  cluster.Start(old_leader);  // a fresh state machine, rebuilt from its storage and the leader
  ASSERT_TRUE(cluster.RunUntil([&] {
    return cluster.state(old_leader).data().size() == 10 && SameState(cluster, {1, 2, 3});
  }));
  EXPECT_EQ(cluster.driver(old_leader).status().node.leader, NodeId(new_leader));
  EXPECT_GE(cluster.driver(new_leader).status().leader_changes, 2u);
}

TEST(RaftDriverTest, SnapshotsEveryNEntriesAndALaggingFollowerCatchesUpFromOne) {
  DriverCluster cluster(3, SmallOptions(/*snapshot_interval=*/4));
  const int leader = cluster.WaitForLeader();
  ASSERT_NE(leader, 0);
  const int lagging = leader % 3 + 1;
  cluster.network().Isolate(NodeId(lagging), true);
  ProposeAll(cluster, leader, 0, 12);
  EXPECT_GT(*cluster.storage(leader).FirstIndex(), LogIndex(8));  // compacted
  cluster.network().Isolate(NodeId(lagging), false);
  ASSERT_TRUE(cluster.RunUntil([&] {
    return cluster.state(lagging).data().size() == 12 && SameState(cluster, {1, 2, 3});
  }));
  EXPECT_GE(cluster.state(lagging).restores(), 1) << "caught up without InstallSnapshot";
  EXPECT_GT(*cluster.storage(lagging).FirstIndex(), LogIndex(1));

  // A restarted member starts from its own snapshot and replays only what follows it.
  cluster.Stop(lagging);
  cluster.Start(lagging);
  EXPECT_EQ(cluster.state(lagging).restores(), 1);
  ASSERT_TRUE(cluster.RunUntil([&] { return cluster.state(lagging).data().size() == 12; }));
  EXPECT_TRUE(SameState(cluster, {1, 2, 3}));
}

TEST(RaftDriverTest, AProposalOverwrittenByANewLeaderIsAborted) {
  DriverCluster cluster(3, SmallOptions());
  const int old_leader = cluster.WaitForLeader();
  ASSERT_NE(old_leader, 0);
  cluster.network().Isolate(NodeId(old_leader), true);
  Result<absl::StatusOr<LogIndex>> lost;
  cluster.driver(old_leader).Propose("lost=1", lost.callback());
  int new_leader = 0;
  ASSERT_TRUE(cluster.RunUntil([&] {
    new_leader = cluster.Leader();
    return new_leader != 0 && new_leader != old_leader;
  }));
  ProposeAll(cluster, new_leader, 0, 3);
  cluster.network().Isolate(NodeId(old_leader), false);
  ASSERT_TRUE(cluster.RunUntil([&] { return lost.value.has_value(); }));
  EXPECT_THAT(lost.value->status(), StatusIs(absl::StatusCode::kAborted));
  ASSERT_TRUE(cluster.RunUntil([&] { return SameState(cluster, {1, 2, 3}); }));
  EXPECT_FALSE(cluster.state(old_leader).data().contains("lost"));
}

TEST(RaftDriverTest, TransfersLeadership) {
  DriverCluster cluster(3, SmallOptions());
  const int leader = cluster.WaitForLeader();
  ASSERT_NE(leader, 0);
  ProposeAll(cluster, leader, 0, 1);
  const int target = leader % 3 + 1;
  Result<absl::Status> started;
  cluster.driver(leader).TransferLeadership(NodeId(target), started.callback());
  ASSERT_TRUE(cluster.RunUntil([&] { return cluster.Leader() == target; }));
  EXPECT_THAT(*started.value, IsOk());
  EXPECT_EQ(ProposeAll(cluster, target, 1, 2).size(), 1u);
}

TEST(RaftDriverTest, AddsAndRemovesVoters) {
  DriverCluster cluster(3, SmallOptions());
  const int leader = cluster.WaitForLeader();
  ASSERT_NE(leader, 0);
  ProposeAll(cluster, leader, 0, 3);
  cluster.Start(4);  // joins with an empty storage
  Result<absl::StatusOr<LogIndex>> added;
  cluster.driver(leader).AddVoter(NodeId(4), added.callback());
  ASSERT_TRUE(cluster.RunUntil([&] { return added.value.has_value(); }));
  ASSERT_THAT(added.value->status(), IsOk());
  ASSERT_TRUE(cluster.RunUntil([&] { return SameState(cluster, {1, 2, 3, 4}); }));
  EXPECT_EQ(cluster.state(4).data().size(), 3u);
  EXPECT_EQ(cluster.driver(leader).status().node.conf.voters.size(), 4u);

  const int removed = leader % 3 + 1;
  Result<absl::StatusOr<LogIndex>> gone;
  cluster.driver(leader).RemoveVoter(NodeId(removed), gone.callback());
  ASSERT_TRUE(cluster.RunUntil([&] { return gone.value.has_value(); }));
  ASSERT_THAT(gone.value->status(), IsOk());
  EXPECT_FALSE(cluster.driver(leader).status().node.conf.voters.contains(NodeId(removed)));
}

// FailingStorage fails every Save once `fail` is set, like a full or broken disk.
class FailingStorage final : public Storage {
 public:
  explicit FailingStorage(MemoryStorage& inner) : inner_(inner) {}
  absl::StatusOr<HardState> LoadHardState() const override { return inner_.LoadHardState(); }
  absl::StatusOr<Snapshot> LoadSnapshot() const override { return inner_.LoadSnapshot(); }
  absl::StatusOr<LogIndex> FirstIndex() const override { return inner_.FirstIndex(); }
  absl::StatusOr<LogIndex> LastIndex() const override { return inner_.LastIndex(); }
  absl::StatusOr<Term> TermAt(LogIndex index) const override { return inner_.TermAt(index); }
  absl::StatusOr<std::vector<Entry>> Entries(LogIndex from, LogIndex to,
                                             size_t max_bytes) const override {
    return inner_.Entries(from, to, max_bytes);
  }
  absl::Status Save(const PersistRequest& request) override {
    if (fail) return absl::UnavailableError("disk gone");
    return inner_.Save(request);
  }
  bool fail = false;

 private:
  MemoryStorage& inner_;
};

TEST(RaftDriverTest, AStorageFailureStopsTheDriverAndFailsItsCalls) {
  common::ManualClock clock;
  MemoryNetwork network;
  MemoryStorage memory(ConfState{{NodeId(1)}});
  FailingStorage storage(memory);
  testing::KvStateMachine state;
  RaftDriverOptions options = SmallOptions();
  options.raft.id = NodeId(1);
  EDDY_ASSERT_OK_AND_ASSIGN(
      auto driver, RaftDriver::Create(options, storage, state, network.Endpoint(NodeId(1)), clock));
  for (int i = 0; i < 40 && driver->status().node.role != Role::kLeader; ++i) {
    clock.Advance(options.tick_interval);
    driver->Poll();
  }
  ASSERT_EQ(driver->status().node.role, Role::kLeader);
  storage.fail = true;
  Result<absl::StatusOr<LogIndex>> first;
  driver->Propose("a=1", first.callback());
  driver->Poll();
  EXPECT_THAT(first.value->status(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_TRUE(driver->status().failed);
  Result<absl::StatusOr<LogIndex>> later;
  driver->Propose("b=2", later.callback());
  driver->Poll();
  EXPECT_THAT(later.value->status(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_TRUE(state.data().empty());
}

TEST(RaftDriverTest, NotLeaderErrorCarriesTheLeader) {
  EXPECT_THAT(NotLeaderError(kNoNode), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(LeaderOf(NotLeaderError(kNoNode)), std::nullopt);
  EXPECT_THAT(NotLeaderError(NodeId(3)), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(LeaderOf(NotLeaderError(NodeId(3))), NodeId(3));
  EXPECT_EQ(LeaderOf(absl::FailedPreconditionError("other")), std::nullopt);
}

}  // namespace
}  // namespace eddy::raft
