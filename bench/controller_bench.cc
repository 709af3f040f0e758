// ./dev bench controller: three real eddy-controller processes (Release) as one Raft quorum, with
// three brokers registered through the gRPC API (FakeBrokers keeps their leases), measuring the
// issue 5 acceptance-4 figures:
//   - creating T topics x P partitions (replication factor 3), one CreateTopics call per topic,
//     until every controller's replica holds them all (target <= 10 s for 100 x 100);
//   - a new watcher's initial metadata snapshot, on each controller (target <= 1 s);
//   - a kill -9 of the leader and a restart of it, to serving again: ready, and its replica
//     recovered from snapshot plus log and caught up (target <= 3 s).
// Prints a table and writes JSON (--out).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tests/integration/controller_test_client.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/wait_for.h"

namespace eddy::bench {
namespace {

using testing::ControllerClient;
using testing::FakeBrokers;
using testing::LocalCluster;
using testing::LocalClusterOptions;
using testing::Role;
using testing::WaitFor;
using Stub = eddy::v1::Controller::Stub;

constexpr int kControllers = 3;
constexpr int kBrokers = 3;

struct Args {
  std::string bin_dir;
  std::string out = "build/bench/controller.json";
  int topics = 100;
  int partitions = 100;
};

double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }

// Partitions counts the partitions in controller `index`'s snapshot (-1 if it gave none).
int64_t Partitions(ControllerClient& client, size_t index) {
  std::optional<eddy::v1::MetadataDelta> snapshot = client.Snapshot(index);
  if (!snapshot.has_value()) return -1;
  int64_t count = 0;
  for (const eddy::v1::TopicMetadata& topic : snapshot->topics()) count += topic.partitions_size();
  return count;
}

int Run(const Args& args) {
  LocalClusterOptions options;
  options.bin_dir = args.bin_dir;
  options.controllers = kControllers;
  options.brokers = 0;
  options.coordinators = 0;
  options.registries = 0;
  options.gateways = 0;
  options.member_session_timeout_ms = 9000;  // Kafka's broker.session.timeout.ms
  options.member_heartbeat_interval_ms = 2000;
  LocalCluster cluster(options);
  if (absl::Status status = cluster.Start(); !status.ok()) {
    std::cerr << "bench controller: " << status << std::endl;
    return 1;
  }
  std::vector<std::string> addresses;
  for (int i = 0; i < kControllers; ++i) addresses.push_back(cluster.GrpcAddress(Role::kController, i));
  ControllerClient client(addresses);
  FakeBrokers brokers(addresses, kBrokers, absl::Milliseconds(500));
  if (!WaitFor(
          [&] {
            eddy::v1::GetClusterStatusResponse status;
            return client.Call(&Stub::GetClusterStatus, eddy::v1::GetClusterStatusRequest(), &status)
                       .ok() &&
                   status.health().brokers() - status.health().fenced_brokers() == kBrokers;
          },
          absl::Seconds(30))) {
    std::cerr << "bench controller: the brokers did not register" << std::endl;
    return 1;
  }

  // 1. Topic creation.
  const int64_t total = static_cast<int64_t>(args.topics) * args.partitions;
  std::vector<double> latencies_ms;
  const absl::Time start = absl::Now();
  for (int t = 0; t < args.topics; ++t) {
    eddy::v1::CreateTopicsRequest request;
    eddy::v1::CreatableTopic* topic = request.add_topics();
    topic->set_name(absl::StrCat("bench-", t));
    topic->set_num_partitions(args.partitions);
    topic->set_replication_factor(kBrokers);
    eddy::v1::CreateTopicsResponse response;
    const absl::Time sent = absl::Now();
    const grpc::Status status = client.Call(&Stub::CreateTopics, request, &response);
    latencies_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - sent));
    if (!status.ok() || response.results_size() != 1 || response.results(0).error_code() != 0) {
      std::cerr << "bench controller: CreateTopics bench-" << t << " failed: "
                << status.error_message()
                << (response.results_size() == 1 ? response.results(0).error_message() : "")
                << std::endl;
      return 1;
    }
  }
  const absl::Duration acknowledged = absl::Now() - start;
  if (!WaitFor(
          [&] {
            for (size_t c = 0; c < kControllers; ++c) {
              if (Partitions(client, c) != total) return false;
            }
            return true;
          },
          absl::Seconds(60), absl::Milliseconds(10))) {
    std::cerr << "bench controller: the topics did not reach every controller" << std::endl;
    return 1;
  }
  const absl::Duration replicated = absl::Now() - start;
  std::sort(latencies_ms.begin(), latencies_ms.end());

  // 2. A new watcher's initial snapshot, on each controller.
  std::vector<double> snapshot_seconds;
  for (size_t c = 0; c < kControllers; ++c) {
    const absl::Time asked = absl::Now();
    const int64_t partitions = Partitions(client, c);
    snapshot_seconds.push_back(Seconds(absl::Now() - asked));
    if (partitions != total) {
      std::cerr << "bench controller: controller " << c << "'s snapshot has " << partitions
                << " partitions" << std::endl;
      return 1;
    }
  }

  // 3. kill -9 the leader, start it again: time to ready, then to its replica holding everything.
  eddy::v1::GetClusterStatusResponse status;
  if (!client.Call(&Stub::GetClusterStatus, eddy::v1::GetClusterStatusRequest(), &status).ok()) {
    std::cerr << "bench controller: no leader" << std::endl;
    return 1;
  }
  const int leader = status.controller_id() - 1;
  if (absl::Status killed = cluster.Kill(Role::kController, leader); !killed.ok()) {
    std::cerr << "bench controller: " << killed << std::endl;
    return 1;
  }
  const absl::Time restarted = absl::Now();
  if (absl::Status up = cluster.Restart(Role::kController, leader); !up.ok()) {
    std::cerr << "bench controller: " << up << std::endl;
    return 1;
  }
  const absl::Duration ready = absl::Now() - restarted;
  if (!WaitFor([&] { return Partitions(client, leader) == total; }, absl::Seconds(30),
               absl::Milliseconds(10))) {
    std::cerr << "bench controller: the restarted controller did not recover" << std::endl;
    return 1;
  }
  const absl::Duration serving = absl::Now() - restarted;

  const double p50 = latencies_ms[latencies_ms.size() / 2];
  const double p99 = latencies_ms[(latencies_ms.size() * 99 + 99) / 100 - 1];
  const double worst_snapshot = *std::max_element(snapshot_seconds.begin(), snapshot_seconds.end());
  std::printf("%-52s %12s %10s\n", "controller bench (3 controllers, RF 3)", "result", "target");
  std::printf("%-52s %10.3f s %8s\n",
              absl::StrFormat("create %d topics x %d partitions (acknowledged)", args.topics,
                              args.partitions)
                  .c_str(),
              Seconds(acknowledged), "");
  std::printf("%-52s %10.3f s %8s\n", "  ... held by all 3 controllers", Seconds(replicated),
              "<= 10 s");
  std::printf("%-52s %8.1f ms %8s\n", "  CreateTopics latency p50", p50, "");
  std::printf("%-52s %8.1f ms %8s\n", "  CreateTopics latency p99", p99, "");
  for (size_t c = 0; c < snapshot_seconds.size(); ++c) {
    std::printf("%-52s %10.3f s %8s\n",
                absl::StrFormat("new watcher's snapshot, controller %d%s", c + 1,
                                static_cast<int>(c) == leader ? " (leader)" : "")
                    .c_str(),
                snapshot_seconds[c], "<= 1 s");
  }
  std::printf("%-52s %10.3f s %8s\n", "leader kill -9 + restart: ready", Seconds(ready), "");
  std::printf("%-52s %10.3f s %8s\n", "leader kill -9 + restart: serving its full image",
              Seconds(serving), "<= 3 s");

  nlohmann::json json = {
      {"controllers", kControllers},
      {"brokers", kBrokers},
      {"topics", args.topics},
      {"partitions_per_topic", args.partitions},
      {"replication_factor", kBrokers},
      {"create_acknowledged_seconds", Seconds(acknowledged)},
      {"create_replicated_seconds", Seconds(replicated)},
      {"create_topics_latency_ms", {{"p50", p50}, {"p99", p99}}},
      {"watch_snapshot_seconds", snapshot_seconds},
      {"watch_snapshot_seconds_max", worst_snapshot},
      {"restart_ready_seconds", Seconds(ready)},
      {"restart_serving_seconds", Seconds(serving)},
      {"targets",
       {{"create_replicated_seconds", 10}, {"watch_snapshot_seconds_max", 1},
        {"restart_serving_seconds", 3}}},
  };
  std::ofstream(args.out) << json.dump(2) << "\n";
  std::cout << "results in " << args.out << std::endl;
  return 0;
}

}  // namespace
}  // namespace eddy::bench

int main(int argc, char** argv) {
  eddy::bench::Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    bool ok = true;
    if (arg == "--bin-dir") {
      args.bin_dir = value();
    } else if (arg == "--out") {
      args.out = value();
    } else if (arg == "--topics") {
      ok = absl::SimpleAtoi(value(), &args.topics) && args.topics > 0;
    } else if (arg == "--partitions") {
      ok = absl::SimpleAtoi(value(), &args.partitions) && args.partitions > 0;
    } else {
      ok = false;
    }
    if (!ok) {
      std::cerr << "usage: bench_controller --bin-dir DIR [--out FILE] [--topics N] "
                   "[--partitions N]"
                << std::endl;
      return 2;
    }
  }
  if (args.bin_dir.empty()) {
    std::cerr << "bench_controller: --bin-dir is required" << std::endl;
    return 2;
  }
  return eddy::bench::Run(args);
}
