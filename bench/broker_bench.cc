// `./dev bench broker`: issue 6 acceptance 5, the gRPC produce path without a gateway, in one run:
//   storage   in-process PartitionLog appends of 1 KiB records in 16 KiB batches over 16 logs: the
//             storage append baseline on this disk, measured in the same invocation
//   acks=1    1 controller + 1 eddy-broker, 16 partitions RF=1, the same batches produced over 4
//             Data streams taken in turn, 32 requests in flight, each request one 16 KiB batch for
//             every partition: what a gateway sends for a librdkafka ProduceRequest when one broker
//             leads all 16 partitions; throughput and its ratio to the storage figure (target >=
//             80%), and the CPU the broker and the bench client spent per MB
//             (bench/preserialized_data_stream.h keeps the client's share small)
//   acks=all  1 controller + 3 brokers, 16 partitions RF=3 min.insync.replicas=2, 50 MB/s offered
//             open-loop (a request every 16 KiB / rate), produce latency p50/p99/p99.9/max (target
//             p99 <= 5 ms) as the client sees it, and the brokers' own histograms scraped from
//             /metrics (acks=all produce time inside the leader, follower fetch time inside the
//             leader), which tell broker time from transport and client time
// Flags: --bin-dir=PATH (the Release daemons), --dir=PATH (scratch, default /tmp), --mb=N (bytes
// per throughput phase, default 512), --seconds=N (acks=all phase, default 10), --rate-mb=N
// (default 50), --phases=LIST (comma-separated subset of storage,acks1,acksall; default all, for
// profiling one phase), --out=PATH (JSON).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "bench/bench_args.h"
#include "bench/preserialized_data_stream.h"
#include "bench/storage_append.h"
#include "libs/common/process_tuning.h"
#include "nlohmann/json.hpp"
#include "tests/testing/data_stream_client.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/wait_for.h"

namespace {

using eddy::bench::CpuSeconds;
using eddy::bench::DieIfError;
using eddy::bench::Flag;
using eddy::bench::SecondsSince;

using eddy::bench::PreserializedDataStream;
using SteadyClock = std::chrono::steady_clock;

constexpr int kPartitions = eddy::bench::kStoragePartitions;

std::string Batch() { return eddy::bench::StorageBatch(); }

std::unique_ptr<eddy::testing::LocalCluster> StartCluster(const std::string& bin_dir,
                                                          const std::string& dir, int brokers) {
  eddy::testing::LocalClusterOptions options;
  options.bin_dir = bin_dir;
  options.brokers = brokers;
  options.coordinators = 0;
  options.registries = 0;
  options.gateways = 0;
  options.data_dir = dir;
  auto cluster = std::make_unique<eddy::testing::LocalCluster>(options);
  DieIfError(cluster->Start(), "start cluster");
  const std::string controller = cluster->GrpcAddress(eddy::testing::Role::kController);
  eddy::testing::WaitFor(
      [&] {
        auto status = cluster->ClusterStatus();
        return status.ok() &&
               status->health().brokers() - status->health().fenced_brokers() == brokers;
      },
      absl::Seconds(20));
  return cluster;
}

void CreateAndWait(eddy::testing::LocalCluster& cluster, int rf,
                   const std::map<std::string, std::string>& configs) {
  const std::string controller = cluster.GrpcAddress(eddy::testing::Role::kController);
  DieIfError(eddy::testing::CreateTopic(controller, "bench", kPartitions, rf, configs),
             "create topic");
  for (int p = 0; p < kPartitions; ++p) {
    bool ok = eddy::testing::WaitFor(
        [&] {
          auto state = eddy::testing::GetPartitionState(controller, "bench", p);
          return state.ok() && state->leader > 0 && static_cast<int>(state->isr.size()) == rf;
        },
        absl::Seconds(30));
    if (!ok) DieIfError(absl::UnavailableError("partition never ready"), "wait");
  }
}

eddy::v1::DataRequest Request(const std::string& batch, int first_partition, int partitions,
                              int acks) {
  eddy::v1::DataRequest request;
  auto* produce = request.mutable_produce();
  produce->set_acks(acks);
  produce->set_timeout_ms(30000);
  for (int i = 0; i < partitions; ++i) {
    auto* p = produce->add_partitions();
    p->mutable_partition()->set_topic("bench");
    p->mutable_partition()->set_partition((first_partition + i) % kPartitions);
    p->set_records(batch);
  }
  return request;
}

// LeaderStreams opens one Data stream per leader broker and maps partitions to them.
struct LeaderStreams {
  std::vector<std::unique_ptr<PreserializedDataStream>> clients;
  std::vector<PreserializedDataStream*> by_partition;
};

LeaderStreams Streams(eddy::testing::LocalCluster& cluster, int brokers, int per_broker) {
  LeaderStreams streams;
  const std::string controller = cluster.GrpcAddress(eddy::testing::Role::kController);
  std::vector<std::vector<PreserializedDataStream*>> of_broker(brokers + 1);
  for (int b = 1; b <= brokers; ++b) {
    for (int i = 0; i < per_broker; ++i) {
      streams.clients.push_back(std::make_unique<PreserializedDataStream>(
          cluster.GrpcAddress(eddy::testing::Role::kBroker, b - 1)));
      of_broker[b].push_back(streams.clients.back().get());
    }
  }
  for (int p = 0; p < kPartitions; ++p) {
    auto state = eddy::testing::GetPartitionState(controller, "bench", p);
    DieIfError(state.status(), "metadata");
    streams.by_partition.push_back(of_broker[state->leader][p % per_broker]);
  }
  return streams;
}

// Acks1Result is the acks=1 throughput and the CPU each side spent per MB.
struct Acks1Result {
  double mb_s = 0;
  double broker_cpu_ms_per_mb = 0;
  double client_cpu_ms_per_mb = 0;
  int64_t errors = 0;
};

// Acks1 is closed-loop with a window of requests in flight.
Acks1Result Acks1(eddy::testing::LocalCluster& cluster, int64_t total_bytes) {
  CreateAndWait(cluster, 1, {});
  LeaderStreams streams = Streams(cluster, 1, 4);
  const std::string batch = Batch();
  constexpr int kPerRequest = 16;
  constexpr int kWindow = 32;
  const grpc::Slice body = PreserializedDataStream::Body(Request(batch, 0, kPerRequest, 1));
  const int64_t requests = total_bytes / static_cast<int64_t>(batch.size() * kPerRequest);
  absl::Mutex mu;
  int64_t in_flight = 0;
  int64_t completed = 0;
  std::atomic<int64_t> failed{0};
  std::atomic<int> first_error{0};  // a Kafka error code, -1 for a stream failure
  const pid_t broker = cluster.Pid(eddy::testing::Role::kBroker, 0);
  const double broker_cpu_start = CpuSeconds(broker);
  const double client_cpu_start = CpuSeconds(getpid());
  const auto start = SteadyClock::now();
  for (int64_t i = 0; i < requests; ++i) {
    {
      absl::MutexLock lock(&mu);
      mu.Await(absl::Condition(
          +[](int64_t* n) { return *n < kWindow; }, &in_flight));
      ++in_flight;
    }
    streams.clients[i % streams.clients.size()]->Send(
        body, [&](absl::StatusOr<eddy::v1::DataResponse> r) {
          if (!r.ok()) {
            failed.fetch_add(1);
            int expected = 0;
            first_error.compare_exchange_strong(expected, -1);
          } else {
            for (const auto& result : r->produce().results()) {
              if (result.error_code() == 0) continue;
              failed.fetch_add(1);
              int expected = 0;
              first_error.compare_exchange_strong(expected, result.error_code());
            }
          }
          absl::MutexLock lock(&mu);
          --in_flight;
          ++completed;
        });
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int64_t* n) { return *n == 0; }, &in_flight));
  }
  const double seconds = SecondsSince(start);
  const double mb = static_cast<double>(requests * kPerRequest * batch.size()) / 1e6;
  Acks1Result result;
  result.mb_s = mb / seconds;
  result.broker_cpu_ms_per_mb = (CpuSeconds(broker) - broker_cpu_start) * 1e3 / mb;
  result.client_cpu_ms_per_mb = (CpuSeconds(getpid()) - client_cpu_start) * 1e3 / mb;
  result.errors = failed.load();
  if (result.errors > 0) std::printf("acks=1: first error code %d\n", first_error.load());
  return result;
}

// ServerHistogram is one broker histogram series summed over every broker's /metrics.
struct ServerHistogram {
  std::vector<double> bounds;      // seconds, ascending; the last bucket is +Inf
  std::vector<double> cumulative;  // per bound
  double count = 0;

  // Quantile returns the upper bound (ms) of the bucket holding quantile q (-1: in +Inf).
  double QuantileMs(double q) const {
    for (size_t i = 0; i < bounds.size(); ++i) {
      if (cumulative[i] >= q * count) return bounds[i] * 1e3;
    }
    return -1;
  }
  double FractionAtMost(double seconds) const {
    for (size_t i = 0; i < bounds.size(); ++i) {
      if (bounds[i] >= seconds) return count > 0 ? cumulative[i] / count : 0;
    }
    return 1;
  }
};

// ScrapeHistogram sums `name`{`label`} over the brokers' /metrics (curl; the bench is no daemon).
ServerHistogram ScrapeHistogram(eddy::testing::LocalCluster& cluster, int brokers,
                                const std::string& name, const std::string& label) {
  ServerHistogram h;
  std::map<double, double> by_bound;
  for (int b = 0; b < brokers; ++b) {
    auto page = eddy::testing::RunProcess(
        {"/usr/bin/curl", "-sf",
         "http://" + cluster.HttpAddress(eddy::testing::Role::kBroker, b) + "/metrics"});
    if (!page.ok() || page->exit_code != 0) continue;
    const std::string prefix = name + "_bucket{" + label + ",le=\"";
    size_t at = 0;
    while ((at = page->out.find(prefix, at)) != std::string::npos) {
      const size_t le = at + prefix.size();
      const size_t quote = page->out.find('"', le);
      const size_t space = page->out.find(' ', quote);
      const size_t eol = page->out.find('\n', space);
      const std::string bound = page->out.substr(le, quote - le);
      const double value = std::atof(page->out.substr(space + 1, eol - space - 1).c_str());
      by_bound[bound == "+Inf" ? 1e300 : std::atof(bound.c_str())] += value;
      at = eol;
    }
  }
  for (const auto& [bound, cumulative] : by_bound) {
    h.bounds.push_back(bound);
    h.cumulative.push_back(cumulative);
  }
  if (!h.cumulative.empty()) h.count = h.cumulative.back();
  return h;
}

struct LatencyResult {
  double offered_mb = 0;
  double achieved_mb = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
  ServerHistogram server_produce;
  ServerHistogram server_follower_fetch;
  ServerHistogram replica_round_trip;
  ServerHistogram replica_apply;
  int64_t requests = 0;
  int64_t errors = 0;
};

// AwaitLeaders produces one body to each partition until its leader accepts it: the controller
// reports a leader before that broker has applied the metadata, and the first requests would
// otherwise measure NOT_LEADER_OR_FOLLOWER answers.
void AwaitLeaders(const LeaderStreams& streams, const std::vector<grpc::Slice>& bodies) {
  for (int p = 0; p < kPartitions; ++p) {
    const bool accepted = eddy::testing::WaitFor(
        [&] {
          std::promise<bool> answered;
          streams.by_partition[p]->Send(bodies[p], [&](absl::StatusOr<eddy::v1::DataResponse> r) {
            answered.set_value(r.ok() && r->produce().results(0).error_code() == 0);
          });
          return answered.get_future().get();
        },
        absl::Seconds(30));
    if (!accepted) DieIfError(absl::UnavailableError("leader never accepted a produce"), "warm up");
  }
}

// AcksAll is open-loop: one 16 KiB request every batch/rate, latency per request.
LatencyResult AcksAll(eddy::testing::LocalCluster& cluster, double rate_mb, double seconds) {
  CreateAndWait(cluster, 3, {{"min.insync.replicas", "2"}});
  LeaderStreams streams = Streams(cluster, 3, 1);
  const std::string batch = Batch();
  std::vector<grpc::Slice> bodies;
  for (int p = 0; p < kPartitions; ++p) {
    bodies.push_back(PreserializedDataStream::Body(Request(batch, p, 1, -1)));
  }
  AwaitLeaders(streams, bodies);
  const auto interval =
      std::chrono::duration<double>(static_cast<double>(batch.size()) / (rate_mb * 1e6));
  absl::Mutex mu;
  std::vector<double> latencies;
  int64_t outstanding = 0;
  std::atomic<int64_t> failed{0};
  std::atomic<int> first_error{0};  // a Kafka error code, -1 for a stream failure
  const auto start = SteadyClock::now();
  int64_t sent = 0;
  while (SecondsSince(start) < seconds) {
    const auto due = start + std::chrono::duration_cast<SteadyClock::duration>(interval * sent);
    std::this_thread::sleep_until(due);
    const int partition = static_cast<int>(sent % kPartitions);
    const auto t0 = SteadyClock::now();
    {
      absl::MutexLock lock(&mu);
      ++outstanding;
    }
    streams.by_partition[partition]->Send(
        bodies[partition], [&, t0](absl::StatusOr<eddy::v1::DataResponse> r) {
          const double ms = SecondsSince(t0) * 1e3;
          if (!r.ok() || r->produce().results(0).error_code() != 0) {
            failed.fetch_add(1);
            int expected = 0;
            first_error.compare_exchange_strong(expected,
                                                r.ok() ? r->produce().results(0).error_code() : -1);
          }
          absl::MutexLock lock(&mu);
          latencies.push_back(ms);
          --outstanding;
        });
    ++sent;
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int64_t* n) { return *n == 0; }, &outstanding));
  }
  const double elapsed = SecondsSince(start);
  LatencyResult result;
  std::sort(latencies.begin(), latencies.end());
  result.offered_mb = rate_mb;
  result.requests = sent;
  result.achieved_mb =
      static_cast<double>(sent) * static_cast<double>(batch.size()) / elapsed / 1e6;
  if (!latencies.empty()) {
    auto at = [&](double q) {
      return latencies[std::min(latencies.size() - 1, static_cast<size_t>(q * latencies.size()))];
    };
    result.p50_ms = at(0.50);
    result.p99_ms = at(0.99);
    result.p999_ms = at(0.999);
    result.max_ms = latencies.back();
  }
  result.errors = failed.load();
  if (result.errors > 0) std::printf("acks=all: first error code %d\n", first_error.load());
  result.server_produce =
      ScrapeHistogram(cluster, 3, "eddy_broker_produce_latency_seconds", "acks=\"all\"");
  result.server_follower_fetch =
      ScrapeHistogram(cluster, 3, "eddy_broker_fetch_latency_seconds", "kind=\"follower\"");
  result.replica_round_trip =
      ScrapeHistogram(cluster, 3, "eddy_broker_replica_fetch_seconds", "stage=\"round_trip\"");
  result.replica_apply =
      ScrapeHistogram(cluster, 3, "eddy_broker_replica_fetch_seconds", "stage=\"apply\"");
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  eddy::common::TuneForBulkData();
  const std::string bin_dir = Flag(argc, argv, "bin-dir", "build/release/bin");
  const std::string scratch = Flag(
      argc, argv, "dir", std::getenv("EDDY_BENCH_DIR") ? std::getenv("EDDY_BENCH_DIR") : "/tmp");
  const int64_t total = std::atoll(Flag(argc, argv, "mb", "512").c_str()) << 20;
  const double seconds = std::atof(Flag(argc, argv, "seconds", "10").c_str());
  const double rate = std::atof(Flag(argc, argv, "rate-mb", "50").c_str());
  const std::string out = Flag(argc, argv, "out", "");
  const std::string phases = Flag(argc, argv, "phases", "storage,acks1,acksall");
  auto run = [&](const char* phase) { return absl::StrContains(phases, phase); };
  const std::string dir = absl::StrCat(scratch, "/eddy-broker-bench-", getpid());
  std::filesystem::create_directories(dir);

  double storage_mb = 0;
  if (run("storage")) {
    auto storage = eddy::bench::StorageAppendMbPerSec(dir + "/storage", total);
    DieIfError(storage.status(), "storage append");
    storage_mb = *storage;
    std::printf("storage append (16 logs, 16 KiB batches of 1 KiB records): %.1f MB/s\n",
                storage_mb);
  }

  Acks1Result acks1;
  if (run("acks1")) {
    auto cluster = StartCluster(bin_dir, dir + "/one", 1);
    acks1 = Acks1(*cluster, total);
    std::printf(
        "broker acks=1 (1 broker, 16 partitions, gRPC Data streams): %.1f MB/s = %.0f%% of "
        "storage (%ld errors); CPU per MB: broker %.2f ms, bench client %.2f ms\n",
        acks1.mb_s, storage_mb > 0 ? 100 * acks1.mb_s / storage_mb : 0.0,
        static_cast<long>(acks1.errors), acks1.broker_cpu_ms_per_mb, acks1.client_cpu_ms_per_mb);
  }
  const double acks1_mb = acks1.mb_s;
  const int64_t acks1_errors = acks1.errors;

  LatencyResult all;
  if (run("acksall")) {
    auto cluster = StartCluster(bin_dir, dir + "/three", 3);
    all = AcksAll(*cluster, rate, seconds);
    std::printf(
        "broker acks=all (3 brokers, RF=3, min.insync=2, %.0f MB/s offered): achieved %.1f MB/s, "
        "p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms over %ld requests (%ld errors)\n",
        all.offered_mb, all.achieved_mb, all.p50_ms, all.p99_ms, all.p999_ms, all.max_ms,
        static_cast<long>(all.requests), static_cast<long>(all.errors));
    std::printf(
        "  inside the leaders (histogram bucket bounds): acks=all produce p50 <= %.2f ms, p99 <= "
        "%.2f ms, %.1f%% within 5 ms; follower fetch (long-poll included) p50 <= %.2f ms, p99 <= "
        "%.2f ms over %.0f fetches\n",
        all.server_produce.QuantileMs(0.5), all.server_produce.QuantileMs(0.99),
        100 * all.server_produce.FractionAtMost(0.005), all.server_follower_fetch.QuantileMs(0.5),
        all.server_follower_fetch.QuantileMs(0.99), all.server_follower_fetch.count);
    std::printf(
        "  at the followers: fetch round trip p50 <= %.2f ms, p99 <= %.2f ms; applying p50 <= %.2f "
        "ms, p99 <= %.2f ms\n",
        all.replica_round_trip.QuantileMs(0.5), all.replica_round_trip.QuantileMs(0.99),
        all.replica_apply.QuantileMs(0.5), all.replica_apply.QuantileMs(0.99));
  }
  std::filesystem::remove_all(dir);

  if (!out.empty()) {
    nlohmann::json json = {
        {"storage_append_mb_s", storage_mb},
        {"acks1_mb_s", acks1_mb},
        {"acks1_ratio", storage_mb > 0 ? acks1_mb / storage_mb : 0.0},
        {"acks1_errors", acks1_errors},
        {"acks1_broker_cpu_ms_per_mb", acks1.broker_cpu_ms_per_mb},
        {"acks1_client_cpu_ms_per_mb", acks1.client_cpu_ms_per_mb},
        {"acks_all",
         {{"offered_mb_s", all.offered_mb},
          {"achieved_mb_s", all.achieved_mb},
          {"p50_ms", all.p50_ms},
          {"p99_ms", all.p99_ms},
          {"p999_ms", all.p999_ms},
          {"server_produce_p50_ms_at_most", all.server_produce.QuantileMs(0.5)},
          {"server_produce_p99_ms_at_most", all.server_produce.QuantileMs(0.99)},
          {"server_produce_within_5ms", all.server_produce.FractionAtMost(0.005)},
          {"follower_fetches", all.server_follower_fetch.count},
          {"max_ms", all.max_ms},
          {"requests", all.requests},
          {"errors", all.errors}}}};
    std::ofstream(out) << json.dump(2) << "\n";
  }
  return 0;
}
