// KIP-966 clean shutdown (issue 6): a broker stopped with SIGTERM records its member epoch and
// sends it as RegisterMemberRequest.previous_member_epoch when it starts again, so the controller
// keeps it an eligible leader replica (ELR) and may elect it while the last ISR member is down; a
// broker killed with kill -9 sends nothing, leaves the ELR and cannot lead until the ISR member
// returns. 2 brokers, RF=2, min.insync.replicas=2: stopping the follower leaves the ISR below the
// minimum, so the follower enters the ELR; then the leader stops too.
#include <signal.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/broker_test_cluster.h"

namespace eddy::testing {
namespace {

struct PartitionView {
  int32_t leader = -1;
  std::vector<int32_t> isr;
  std::vector<int32_t> elr;
};

absl::StatusOr<PartitionView> View(const std::string& controller) {
  absl::StatusOr<eddy::v1::MetadataDelta> snapshot = MetadataSnapshot(controller);
  if (!snapshot.ok()) return snapshot.status();
  for (const eddy::v1::TopicMetadata& topic : snapshot->topics()) {
    if (topic.name() != "t" || topic.partitions().empty()) continue;
    const eddy::v1::PartitionMetadata& p = topic.partitions(0);
    return PartitionView{
        .leader = p.leader(),
        .isr = {p.isr().begin(), p.isr().end()},
        .elr = {p.eligible_leader_replicas().begin(), p.eligible_leader_replicas().end()}};
  }
  return absl::NotFoundError("no topic t");
}

bool Has(const std::vector<int32_t>& v, int32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

class BrokerCleanShutdownTest : public BrokerClusterTest {
 protected:
  // StopFollowerThenLeader takes the follower down (cleanly or with kill -9), waits until it is in
  // the ELR, then stops the leader with SIGTERM; returns the follower's id.
  int32_t StopFollowerThenLeader(bool kill_follower) {
    StartCluster(2);
    CreateTopicAndWait("t", 1, 2, {{"min.insync.replicas", "2"}});
    absl::StatusOr<PartitionView> view = View(controller());
    EXPECT_TRUE(view.ok()) << view.status();
    if (!view.ok()) return -1;
    const int32_t leader = view->leader;
    const int32_t follower = 3 - leader;
    if (kill_follower) {
      EXPECT_TRUE(cluster_->Kill(Role::kBroker, follower - 1).ok());
    } else {
      EXPECT_TRUE(cluster_->Stop(Role::kBroker, follower - 1, absl::Seconds(20)).ok());
    }
    EXPECT_TRUE(WaitFor(
        [&] {
          view = View(controller());
          return view.ok() && view->leader == leader && Has(view->elr, follower);
        },
        absl::Seconds(30)))
        << "broker " << follower << " never entered the ELR";
    EXPECT_TRUE(cluster_->Stop(Role::kBroker, leader - 1, absl::Seconds(20)).ok());
    EXPECT_TRUE(WaitFor(
        [&] {
          view = View(controller());
          return view.ok() && view->leader == -1;
        },
        absl::Seconds(30)))
        << "the partition kept a leader with both brokers down";
    return follower;
  }
};

TEST_F(BrokerCleanShutdownTest, CleanlyStoppedBrokerStaysEligibleAndLeadsAfterRestart) {
  const int32_t follower = StopFollowerThenLeader(/*kill_follower=*/false);
  ASSERT_GT(follower, 0);
  EDDY_ASSERT_OK(cluster_->Restart(Role::kBroker, follower - 1));
  absl::StatusOr<PartitionView> view;
  EXPECT_TRUE(WaitFor(
      [&] {
        view = View(controller());
        return view.ok() && view->leader == follower;
      },
      absl::Seconds(30)))
      << "the cleanly restarted ELR member was not elected: leader "
      << (view.ok() ? view->leader : -2);
}

TEST_F(BrokerCleanShutdownTest, KilledBrokerLeavesTheElrOnRestart) {
  const int32_t follower = StopFollowerThenLeader(/*kill_follower=*/true);
  ASSERT_GT(follower, 0);
  EDDY_ASSERT_OK(cluster_->Restart(Role::kBroker, follower - 1));
  // Its registration counts as unclean: out of the ELR, and the partition stays offline.
  absl::StatusOr<PartitionView> view;
  EXPECT_TRUE(WaitFor(
      [&] {
        view = View(controller());
        return view.ok() && !Has(view->elr, follower) && ActiveBrokers() == 1;
      },
      absl::Seconds(30)));
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->leader, -1);
}

}  // namespace
}  // namespace eddy::testing
