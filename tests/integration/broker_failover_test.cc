// Acceptance 1 of issue 6: 1 controller + 3 brokers, RF=3, min.insync.replicas=2. An idempotent
// acks=all producer (tests/testing/test_producer.h) sends keyed records while the test kills the
// current leader with kill -9 three times, restarting it each time (then the same with SIGSTOP /
// SIGCONT). A final read of every partition shows every acknowledged record exactly once, each
// key's records in order, nothing lost, nothing duplicated.
// CI runs 20,000 records per variant; `./dev soak broker` sets EDDY_BROKER_SOAK_RECORDS=200000 and
// repeats five times.
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "tests/integration/broker_test_cluster.h"

namespace eddy::testing {
namespace {

constexpr int kPartitions = 3;
constexpr int kFaults = 3;

int64_t TotalRecords() {
  const char* env = std::getenv("EDDY_BROKER_SOAK_RECORDS");
  return env != nullptr ? std::atoll(env) : 20000;
}

class BrokerFailoverTest : public BrokerClusterTest {
 protected:
  void SetUp() override {
    StartCluster(3);
    CreateTopicAndWait("events", kPartitions, 3, {{"min.insync.replicas", "2"}});
  }

  bool FullIsr() {
    for (int p = 0; p < kPartitions; ++p) {
      absl::StatusOr<PartitionState> state = GetPartitionState(controller(), "events", p);
      if (!state.ok() || state->isr.size() != 3 || state->leader < 0) return false;
    }
    return true;
  }

  // Run produces while `fault` hits the leader of partition 0 kFaults times, then checks the log.
  void Run(bool pause) {
    const absl::Time start = absl::Now();
    auto elapsed = [&] {
      return absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Milliseconds(100)));
    };
    const int64_t total = TotalRecords();
    const int64_t per_partition = total / kPartitions;
    TestProducerOptions options = ProducerOptions("events", kPartitions);
    // Small batches: many round trips, so every fault lands while batches are in flight.
    options.records_per_batch = 10;
    TestProducer producer(options);
    // The records go out in kFaults + 1 segments; the next segment is allowed only after the
    // fault in the current one, so every fault lands while batches are in flight however fast
    // the build.
    const int64_t segment = per_partition / (kFaults + 1);
    producer.Allow(segment);
    absl::Status produced;
    std::atomic<bool> done{false};
    std::thread thread([&] {
      produced = producer.Run(per_partition);
      done.store(true);
    });
    // The producer gives up by itself (batch deadline), so a failed assertion still joins once
    // the gate is open.
    struct Join {
      std::thread& t;
      TestProducer& producer;
      ~Join() {
        producer.Allow(std::numeric_limits<int64_t>::max());
        if (t.joinable()) t.join();
      }
    } join{thread, producer};
    for (int fault = 1; fault <= kFaults; ++fault) {
      // Half-way through the current segment.
      const int64_t at = (segment * (fault - 1) + segment / 2) * kPartitions;
      ASSERT_TRUE(WaitFor([&] { return producer.acked_records() >= at || done.load(); },
                          absl::Seconds(60)));
      ASSERT_FALSE(done.load()) << "the producer finished before fault " << fault;
      // A full ISR first, so the fault never takes the last in-sync replica.
      ASSERT_TRUE(WaitFor([&] { return FullIsr(); }, absl::Seconds(30)));
      absl::StatusOr<PartitionState> state = GetPartitionState(controller(), "events", 0);
      ASSERT_TRUE(state.ok());
      const int index = state->leader - 1;
      std::cout << elapsed() << ": " << (pause ? "pausing" : "killing") << " broker "
                << state->leader << " at " << producer.acked_records() << " acknowledged records"
                << std::endl;
      if (pause) {
        EDDY_ASSERT_OK(cluster_->Pause(Role::kBroker, index));
      } else {
        EDDY_ASSERT_OK(cluster_->Kill(Role::kBroker, index));
      }
      ASSERT_TRUE(WaitFor(
          [&] {
            auto now = GetPartitionState(controller(), "events", 0);
            return now.ok() && now->leader >= 0 && now->leader != state->leader;
          },
          absl::Seconds(20)));
      std::cout << elapsed() << ": partition 0 has a new leader" << std::endl;
      if (pause) {
        EDDY_ASSERT_OK(cluster_->Resume(Role::kBroker, index));
      } else {
        EDDY_ASSERT_OK(cluster_->Restart(Role::kBroker, index));
      }
      std::cout << elapsed() << ": broker " << state->leader << " back" << std::endl;
      producer.Allow(fault == kFaults ? per_partition : segment * (fault + 1));
    }
    while (!done.load()) {
      WaitFor([&] { return done.load(); }, absl::Seconds(3));
      std::cout << elapsed() << ": " << producer.acked_records() << " acknowledged" << std::endl;
    }
    thread.join();
    ASSERT_TRUE(produced.ok()) << produced;
    std::cout << elapsed() << ": " << producer.acked_records() << " records acknowledged, "
              << producer.retries() << " retried batches" << std::endl;
    const auto acknowledged = producer.Acknowledged();
    int64_t read_total = 0;
    for (int p = 0; p < kPartitions; ++p) {
      absl::StatusOr<std::vector<DecodedRecord>> read;
      ASSERT_TRUE(WaitFor(
          [&] {
            read = ReadPartition(ProducerOptions("events", kPartitions), p);
            return read.ok() && static_cast<int64_t>(read->size()) >= per_partition;
          },
          absl::Seconds(30)))
          << "partition " << p << ": "
          << (read.ok() ? std::to_string(read->size()) : read.status().ToString());
      EXPECT_EQ(CheckExactlyOnce(*read, acknowledged.at(p)), "") << "partition " << p;
      EXPECT_EQ(static_cast<int64_t>(read->size()), per_partition) << "partition " << p;
      read_total += static_cast<int64_t>(read->size());
    }
    EXPECT_EQ(read_total, per_partition * kPartitions);
  }
};

TEST_F(BrokerFailoverTest, KillNineTheLeaderThreeTimes) { Run(/*pause=*/false); }

TEST_F(BrokerFailoverTest, PauseTheLeaderThreeTimes) { Run(/*pause=*/true); }

}  // namespace
}  // namespace eddy::testing
