// Replication across three real brokers (issue 6): followers catch up over ReplicaFetch and
// acks=all completes once the ISR has the batch; acceptance 2: with two of three replicas down
// (min.insync.replicas=2) acks=all fails with NOT_ENOUGH_REPLICAS and nothing becomes visible to
// consumers, while acks=1 succeeds; the replicas return, catch up and rejoin the ISR, and the
// high watermark moves again.
#include <string>

#include "gtest/gtest.h"
#include "tests/integration/broker_test_cluster.h"

namespace eddy::testing {
namespace {

constexpr int kNotEnoughReplicas = 19;

std::string Records(int n, const std::string& value) {
  TestBatch batch;
  for (int i = 0; i < n; ++i) batch.records.emplace_back("k" + std::to_string(i), value);
  return BuildBatch(batch);
}

class BrokerReplicationTest : public BrokerClusterTest {
 protected:
  void SetUp() override {
    StartCluster(3);
    CreateTopicAndWait("r", 1, 3, {{"min.insync.replicas", "2"}});
  }

  PartitionState State() {
    absl::StatusOr<PartitionState> state = GetPartitionState(controller(), "r", 0);
    EXPECT_TRUE(state.ok()) << state.status();
    return state.ok() ? *state : PartitionState{};
  }
};

TEST_F(BrokerReplicationTest, TwoOfThreeReplicasDown) {
  const PartitionState initial = State();
  ASSERT_GE(initial.leader, 1);
  DataStreamClient leader(brokers_.at(initial.leader));
  auto committed = leader.Call(ProduceRequest("r", 0, Records(5, "committed"), -1));
  ASSERT_TRUE(committed.ok());
  ASSERT_EQ(committed->produce().results(0).error_code(), 0);

  // Every replica holds the committed batch: the followers' logs reach it.
  for (const auto& [id, address] : brokers_) {
    eddy::v1::DataRequest dirs;
    dirs.mutable_describe_log_dirs();
    DataStreamClient client(address);
    ASSERT_TRUE(WaitFor(
        [&] {
          auto answer = client.Call(dirs);
          return answer.ok() && answer->describe_log_dirs().log_dirs(0).partitions_size() == 1 &&
                 answer->describe_log_dirs().log_dirs(0).partitions(0).size_bytes() > 0;
        },
        absl::Seconds(10)))
        << "broker " << id;
  }

  auto hw = [&] {
    auto answer = leader.Call(FetchRequest("r", 0, 0));
    return answer.ok() ? answer->fetch().results(0).high_watermark() : -1;
  };
  ASSERT_EQ(hw(), 5);

  for (int id = 1; id <= 3; ++id) {
    if (id == initial.leader) continue;
    EDDY_ASSERT_OK(cluster_->Kill(Role::kBroker, id - 1));
  }
  // The controller fences both once their leases lapse and shrinks the ISR to the leader; the
  // leader refuses acks=all before appending from then on.
  ASSERT_TRUE(WaitFor([&] { return State().isr.size() == 1; }, absl::Seconds(20)));
  ASSERT_TRUE(WaitFor(
      [&] {
        auto answer = leader.Call(ProduceRequest("r", 0, Records(1, "refused"), -1, 1000));
        return answer.ok() && answer->produce().results(0).error_code() == kNotEnoughReplicas;
      },
      absl::Seconds(20)));

  auto acks_one = leader.Call(ProduceRequest("r", 0, Records(2, "acks-one"), 1));
  ASSERT_TRUE(acks_one.ok());
  EXPECT_EQ(acks_one->produce().results(0).error_code(), 0);

  // Consumers see only the committed batch: the HW stays below min.insync.replicas (KIP-966).
  EXPECT_EQ(hw(), 5);
  auto read = leader.Call(FetchRequest("r", 0, 0));
  ASSERT_TRUE(read.ok());
  auto records = DecodeRecords(read->fetch().results(0).records());
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 5u);
  for (const DecodedRecord& r : *records) EXPECT_EQ(r.value, "committed");

  // The replicas return, catch up, rejoin the ISR; the HW passes the acks=1 records.
  for (int id = 1; id <= 3; ++id) {
    if (id == initial.leader) continue;
    EDDY_ASSERT_OK(cluster_->Restart(Role::kBroker, id - 1));
  }
  ASSERT_TRUE(WaitFor([&] { return State().isr.size() == 3; }, absl::Seconds(30)));
  ASSERT_TRUE(WaitFor([&] { return hw() == 7; }, absl::Seconds(10)));
  auto again = leader.Call(ProduceRequest("r", 0, Records(1, "again"), -1));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->produce().results(0).error_code(), 0);
  EXPECT_EQ(again->produce().results(0).base_offset(), 7);
}

}  // namespace
}  // namespace eddy::testing
