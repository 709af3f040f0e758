// Issue 6, acceptance 1 with librdkafka through the gateway: 1 controller + 3 brokers + 2
// gateways, RF=3, min.insync.replicas=2. An idempotent acks=all confluent-kafka producer
// (gateway_leader_kill_producer.py) sends keyed records while this test kill -9s the broker leading
// partition 0 three times, restarting it each time; the script's final read (manual assignment)
// must show every acknowledged record exactly once at its acknowledged offset, each key in order.
// CI runs 20,000 records; EDDY_GATEWAY_SOAK_RECORDS raises it (`./dev soak broker` uses 200,000).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_cluster.h"
#include "tests/testing/data_stream_client.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kFaults = 3;

int64_t TotalRecords() {
  const char* env = std::getenv("EDDY_GATEWAY_SOAK_RECORDS");
  return env != nullptr ? std::atoll(env) : 20000;
}

int64_t ReadCount(const std::string& path) {
  std::ifstream in(path);
  int64_t n = 0;
  return (in >> n) ? n : 0;
}

void WriteCount(const std::string& path, int64_t n) {
  { std::ofstream(path + ".tmp") << n << "\n"; }
  std::filesystem::rename(path + ".tmp", path);
}

TEST(GatewayLeaderKillTest, LibrdkafkaProducerKeepsEveryAcknowledgedRecordExactlyOnce) {
  std::unique_ptr<LocalCluster> cluster = StartE2eCluster();
  ASSERT_NE(cluster, nullptr);
  const std::string controller = cluster->GrpcAddress(Role::kController);
  const std::string state_dir = cluster->data_dir() + "/leader-kill";
  std::filesystem::create_directories(state_dir);
  const int64_t total = TotalRecords();
  const int64_t segment = total / (kFaults + 1);
  const absl::Time start = absl::Now();
  auto elapsed = [&] {
    return absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Milliseconds(100)));
  };

  absl::StatusOr<ProcessResult> result;
  std::thread producer([&] {
    result =
        RunProcess({"/usr/bin/python3",
                    std::string(EDDY_SOURCE_DIR) + "/tests/e2e/gateway_leader_kill_producer.py",
                    cluster->KafkaBootstrap(), "events", std::to_string(total),
                    std::to_string(kFaults), state_dir},
                   {}, absl::Seconds(120) + absl::Milliseconds(total));
  });
  // On a failed assertion the script is released to finish (and report) before the join.
  struct Join {
    std::thread& t;
    std::string faults;
    ~Join() {
      if (!t.joinable()) return;
      WriteCount(faults, kFaults);
      t.join();
    }
  } join{producer, state_dir + "/faults"};

  auto full_isr = [&] {
    for (int p = 0; p < 3; ++p) {
      absl::StatusOr<PartitionState> state = GetPartitionState(controller, "events", p);
      if (!state.ok() || state->leader < 0 || state->isr.size() != 3) return false;
    }
    return true;
  };
  for (int fault = 1; fault <= kFaults; ++fault) {
    // Half-way through the current segment, so records are in flight when the leader dies.
    const int64_t at = segment * (fault - 1) + segment / 2;
    const bool reached =
        WaitFor([&] { return ReadCount(state_dir + "/acked") >= at; }, absl::Seconds(120));
    ASSERT_TRUE(reached) << "the producer never reached " << at << " acknowledged records";
    // A full ISR first, so the kill never takes the last in-sync replica.
    ASSERT_TRUE(WaitFor(full_isr, absl::Seconds(30)));
    absl::StatusOr<PartitionState> state = GetPartitionState(controller, "events", 0);
    ASSERT_TRUE(state.ok()) << state.status();
    std::cout << elapsed() << ": killing broker " << state->leader << " at "
              << ReadCount(state_dir + "/acked") << " acknowledged records" << std::endl;
    EDDY_ASSERT_OK(cluster->Kill(Role::kBroker, state->leader - 1));
    ASSERT_TRUE(WaitFor(
        [&] {
          auto now = GetPartitionState(controller, "events", 0);
          return now.ok() && now->leader >= 0 && now->leader != state->leader;
        },
        absl::Seconds(30)));
    EDDY_ASSERT_OK(cluster->Restart(Role::kBroker, state->leader - 1));
    std::cout << elapsed() << ": broker " << state->leader << " back" << std::endl;
    WriteCount(state_dir + "/faults", fault);
  }
  producer.join();
  ASSERT_TRUE(result.ok()) << result.status();
  std::cout << elapsed() << ": " << result->out << std::endl;
  EXPECT_EQ(result->exit_code, 0) << result->out << result->err;
  EXPECT_THAT(result->out, HasSubstr("all steps passed")) << result->out << result->err;
}

}  // namespace
}  // namespace eddy::testing
