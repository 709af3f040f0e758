// `./dev bench produce|consume|e2e`: issue 7 acceptance 6, stock-client load through the gateway.
// One invocation measures, with the same librdkafka load (bench/client_load.h; 1 KiB records over
// 16 partitions):
//   storage  the storage append baseline (bench/storage_append.h) on this disk
//   eddy     1 controller + 1 eddy-broker + 1 eddy-gateway (Release daemons via LocalCluster)
//   mock     librdkafka's in-memory mock cluster in a helper process (bench_kafka_mock)
// Workloads: produce (acks=1 and acks=all: delivery-report latency), consume (all the acks=1 data
// the log still holds, from the beginning: throughput; the mock keeps only about 5 MB per
// partition, so it serves the last ~80 MB), e2e (open-loop produce at --e2e-rate with a concurrent
// consumer: produce-to-consume latency), each with the CPU milliseconds per MB that the gateway,
// broker, mock and the bench's own client spent on it. Then the targets: eddy produce >= 70% of
// storage append,
// eddy consume >= 1.5x eddy produce, eddy >= mock. Flags: --workload=produce|consume|e2e|all,
// --bin-dir=PATH (the daemons), --mock=PATH (bench_kafka_mock, default: next to this binary),
// --dir=PATH (scratch, default /tmp), --count=N (fixed-count mode, default 500000 records) or
// --seconds=S (fixed-duration mode), --e2e-rate=N records/s (default 10000), --e2e-seconds=S
// (default 10), --storage-mb=N (default 256), --queue-messages=N (producer queue, default 10000),
// --out=PATH (JSON).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/bench_args.h"
#include "bench/client_load.h"
#include "bench/storage_append.h"
#include "libs/common/process_tuning.h"
#include "nlohmann/json.hpp"
#include "tests/testing/data_stream_client.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/wait_for.h"

namespace {

using eddy::bench::CpuSeconds;
using eddy::bench::Flag;
using eddy::bench::LoadOptions;
using eddy::bench::LoadResult;

constexpr int kPartitions = 16;
const char* const kAcks1Topic = "bench-acks1";
const char* const kAcksAllTopic = "bench-acksall";
const char* const kE2eTopic = "bench-e2e";

// The run's scratch directory, removed on the way out of a failed run too. The daemons die with
// this process (LocalCluster children get PR_SET_PDEATHSIG).
std::string scratch_dir;

void Die(const absl::Status& s, const std::string& what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what.c_str(), s.ToString().c_str());
    if (!scratch_dir.empty()) std::filesystem::remove_all(scratch_dir);
    std::exit(1);
  }
}

// MockCluster runs bench_kafka_mock: it serves while its stdin is open, and dies with us
// (PR_SET_PDEATHSIG) should we die first.
class MockCluster {
 public:
  static absl::StatusOr<std::unique_ptr<MockCluster>> Start(
      const std::string& binary, const std::vector<std::string>& topics) {
    int in[2];
    int out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
      return absl::InternalError("pipe failed");
    }
    const std::string topics_flag = "--topics=" + absl::StrJoin(topics, ",");
    const std::string partitions_flag = absl::StrCat("--partitions=", kPartitions);
    const pid_t pid = fork();
    if (pid < 0) return absl::InternalError("fork failed");
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      dup2(in[0], STDIN_FILENO);
      dup2(out[1], STDOUT_FILENO);
      execl(binary.c_str(), binary.c_str(), topics_flag.c_str(), partitions_flag.c_str(), nullptr);
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    auto mock = std::unique_ptr<MockCluster>(new MockCluster(pid, in[1], out[0]));
    // The first line is the bootstrap list.
    std::string line;
    while (line.empty() || line.back() != '\n') {
      pollfd fd{out[0], POLLIN, 0};
      if (poll(&fd, 1, 10000) <= 0) return absl::DeadlineExceededError("mock cluster silent");
      char c;
      if (read(out[0], &c, 1) != 1) {
        return absl::UnavailableError(
            absl::StrCat(binary, " exited before printing its bootstrap"));
      }
      line.push_back(c);
    }
    line.pop_back();
    mock->bootstrap_ = line;
    return mock;
  }

  ~MockCluster() {
    close(stdin_);
    close(stdout_);
    int status = 0;
    // It exits when its stdin closes; a signal makes sure.
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, &status, 0);
    }
  }

  const std::string& bootstrap() const { return bootstrap_; }
  pid_t pid() const { return pid_; }

 private:
  MockCluster(pid_t pid, int stdin_fd, int stdout_fd)
      : pid_(pid), stdin_(stdin_fd), stdout_(stdout_fd) {}

  pid_t pid_;
  int stdin_;
  int stdout_;
  std::string bootstrap_;
};

std::unique_ptr<eddy::testing::LocalCluster> StartEddy(const std::string& bin_dir,
                                                       const std::string& dir,
                                                       const std::vector<std::string>& topics) {
  eddy::testing::LocalClusterOptions options;
  options.bin_dir = bin_dir;
  options.brokers = 1;
  options.coordinators = 0;
  options.registries = 0;
  options.gateways = 1;
  options.data_dir = dir;
  auto cluster = std::make_unique<eddy::testing::LocalCluster>(options);
  Die(cluster->Start(), "start eddy");
  const std::string controller = cluster->GrpcAddress(eddy::testing::Role::kController);
  const bool registered = eddy::testing::WaitFor(
      [&] {
        auto status = cluster->ClusterStatus();
        return status.ok() && status->health().brokers() - status->health().fenced_brokers() == 1;
      },
      absl::Seconds(20));
  if (!registered) Die(absl::UnavailableError("the broker never registered"), "start eddy");
  for (const std::string& topic : topics) {
    Die(eddy::testing::CreateTopic(controller, topic, kPartitions, 1), "create topic " + topic);
    for (int p = 0; p < kPartitions; ++p) {
      const bool led = eddy::testing::WaitFor(
          [&] {
            auto state = eddy::testing::GetPartitionState(controller, topic, p);
            return state.ok() && state->leader > 0;
          },
          absl::Seconds(30));
      if (!led) Die(absl::UnavailableError("no leader"), absl::StrCat(topic, "-", p));
    }
  }
  return cluster;
}

struct Settings {
  bool produce = false;
  bool consume = false;
  bool e2e = false;
  int64_t count = 200000;
  double seconds = 0;
  double e2e_rate = 10000;
  double e2e_seconds = 10;
  int queue_messages = 10000;
};

// Results of one system (eddy or mock), by workload name.
using Results = std::map<std::string, LoadResult>;
// The processes whose CPU time a workload is charged for, by name (the bench itself is "client").
using Processes = std::vector<std::pair<std::string, pid_t>>;
// CPU milliseconds per MB moved, by workload name and then process name.
using CpuPerMb = std::map<std::string, std::map<std::string, double>>;

Results RunLoad(const std::string& system, const std::string& bootstrap, const Settings& settings,
                const Processes& processes, CpuPerMb* cpu) {
  Results results;
  LoadOptions base;
  base.bootstrap = bootstrap;
  base.partitions = kPartitions;
  base.queue_messages = settings.queue_messages;
  auto run = [&](const std::string& name, auto fn, LoadOptions options) {
    std::fprintf(stderr, "%s: %s ...\n", system.c_str(), name.c_str());
    std::vector<double> cpu_before;
    for (const auto& [process, pid] : processes) cpu_before.push_back(CpuSeconds(pid));
    auto result = fn(options);
    Die(result.status(), absl::StrCat(system, " ", name));
    results[name] = *result;
    const double mb = static_cast<double>(result->bytes) / 1e6;
    for (size_t i = 0; i < processes.size() && mb > 0; ++i) {
      (*cpu)[name][processes[i].first] =
          (CpuSeconds(processes[i].second) - cpu_before[i]) * 1e3 / mb;
    }
    return *result;
  };
  if (settings.produce || settings.consume) {
    LoadOptions options = base;
    options.topic = kAcks1Topic;
    options.acks = 1;
    options.count = settings.seconds > 0 ? 0 : settings.count;
    options.seconds = settings.seconds;
    run("produce acks=1", eddy::bench::Produce, options);
    if (settings.produce) {
      options.topic = kAcksAllTopic;
      options.acks = -1;
      run("produce acks=all", eddy::bench::Produce, options);
    }
    if (settings.consume) {
      options.topic = kAcks1Topic;
      run("consume", eddy::bench::Consume, options);
    }
  }
  if (settings.e2e) {
    LoadOptions options = base;
    options.topic = kE2eTopic;
    options.acks = 1;
    options.rate = settings.e2e_rate;
    options.seconds = settings.e2e_seconds;
    run("e2e acks=1", eddy::bench::EndToEnd, options);
  }
  return results;
}

// The workloads in the order they run.
const char* const kWorkloads[] = {"produce acks=1", "produce acks=all", "consume", "e2e acks=1"};

void Print(const std::string& system, const Results& results, const CpuPerMb& cpu) {
  for (const char* name : kWorkloads) {
    auto it = results.find(name);
    if (it == results.end()) continue;
    const LoadResult& r = it->second;
    std::printf("%-5s %-17s %8ld records %7.2f s %8.1f MB/s %9.0f msgs/s", system.c_str(), name,
                static_cast<long>(r.messages), r.seconds, r.mb_per_s, r.msgs_per_s);
    if (std::string(name) != "consume") {
      std::printf("  p50 %.2f ms p99 %.2f ms p99.9 %.2f ms max %.2f ms", r.p50_ms, r.p99_ms,
                  r.p999_ms, r.max_ms);
    }
    if (auto c = cpu.find(name); c != cpu.end()) {
      std::printf("  CPU ms/MB:");
      for (const auto& [process, ms] : c->second) std::printf(" %s %.2f", process.c_str(), ms);
    }
    std::printf("\n");
  }
}

nlohmann::json ToJson(const Results& results, const CpuPerMb& cpu) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [name, r] : results) {
    json[name] = {{"records", r.messages}, {"bytes", r.bytes},       {"seconds", r.seconds},
                  {"mb_s", r.mb_per_s},    {"msgs_s", r.msgs_per_s}, {"p50_ms", r.p50_ms},
                  {"p99_ms", r.p99_ms},    {"p99_9_ms", r.p999_ms},  {"max_ms", r.max_ms}};
    if (auto c = cpu.find(name); c != cpu.end()) json[name]["cpu_ms_per_mb"] = c->second;
  }
  return json;
}

}  // namespace

int main(int argc, char** argv) {
  eddy::common::TuneForBulkData();
  const std::string workload = Flag(argc, argv, "workload", "all");
  Settings settings;
  settings.produce = workload == "produce" || workload == "all";
  settings.consume = workload == "consume" || workload == "all";
  settings.e2e = workload == "e2e" || workload == "all";
  if (!settings.produce && !settings.consume && !settings.e2e) {
    std::fprintf(stderr, "bench_client: --workload must be produce, consume, e2e or all\n");
    return 2;
  }
  settings.count = std::atoll(Flag(argc, argv, "count", "500000").c_str());
  settings.seconds = std::atof(Flag(argc, argv, "seconds", "0").c_str());
  settings.e2e_rate = std::atof(Flag(argc, argv, "e2e-rate", "10000").c_str());
  settings.e2e_seconds = std::atof(Flag(argc, argv, "e2e-seconds", "10").c_str());
  settings.queue_messages = std::atoi(Flag(argc, argv, "queue-messages", "10000").c_str());
  const int64_t storage_bytes = std::atoll(Flag(argc, argv, "storage-mb", "256").c_str()) << 20;
  const std::string bin_dir = Flag(argc, argv, "bin-dir", "build/release/bin");
  const std::string scratch = Flag(
      argc, argv, "dir", std::getenv("EDDY_BENCH_DIR") ? std::getenv("EDDY_BENCH_DIR") : "/tmp");
  const std::string out = Flag(argc, argv, "out", "");
  const std::string mock_binary =
      Flag(argc, argv, "mock",
           (std::filesystem::path(argv[0]).parent_path() / "bench_kafka_mock").string());
  const std::string dir = absl::StrCat(scratch, "/eddy-client-bench-", getpid());
  std::filesystem::create_directories(dir);
  scratch_dir = dir;
  const std::vector<std::string> topics = {kAcks1Topic, kAcksAllTopic, kE2eTopic};

  auto storage = eddy::bench::StorageAppendMbPerSec(dir + "/storage", storage_bytes);
  Die(storage.status(), "storage append");
  std::filesystem::remove_all(dir + "/storage");
  std::printf("storage append (16 logs, 16 KiB batches of 1 KiB records): %.1f MB/s\n", *storage);

  Results eddy;
  CpuPerMb eddy_cpu;
  {
    auto cluster = StartEddy(bin_dir, dir + "/eddy", topics);
    const Processes processes = {{"gateway", cluster->Pid(eddy::testing::Role::kGateway)},
                                 {"broker", cluster->Pid(eddy::testing::Role::kBroker)},
                                 {"client", getpid()}};
    eddy = RunLoad("eddy", cluster->KafkaBootstrap(), settings, processes, &eddy_cpu);
  }
  std::filesystem::remove_all(dir);
  Results mock;
  CpuPerMb mock_cpu;
  {
    auto cluster = MockCluster::Start(mock_binary, topics);
    Die(cluster.status(), "start mock cluster");
    const Processes processes = {{"mock", (*cluster)->pid()}, {"client", getpid()}};
    mock = RunLoad("mock", (*cluster)->bootstrap(), settings, processes, &mock_cpu);
  }
  Print("eddy", eddy, eddy_cpu);
  Print("mock", mock, mock_cpu);

  // Targets (issue 7, acceptance 6).
  nlohmann::json targets = nlohmann::json::object();
  auto check = [&](const std::string& name, double value, double target) {
    std::printf("%-40s %6.2f (target >= %.2f) %s\n", name.c_str(), value, target,
                value >= target ? "met" : "MISSED");
    targets[name] = {{"value", value}, {"target", target}, {"met", value >= target}};
  };
  if (eddy.contains("produce acks=1")) {
    check("eddy produce acks=1 / storage append", eddy["produce acks=1"].mb_per_s / *storage, 0.7);
  }
  if (eddy.contains("produce acks=all")) {
    check("eddy produce acks=all / storage append", eddy["produce acks=all"].mb_per_s / *storage,
          0.7);
  }
  if (eddy.contains("consume")) {
    check("eddy consume / eddy produce acks=1",
          eddy["consume"].mb_per_s / eddy["produce acks=1"].mb_per_s, 1.5);
  }
  // Throughput for the closed-loop runs; e2e offers both the same rate, so there it is latency.
  for (const char* name : kWorkloads) {
    if (!eddy.contains(name)) continue;
    if (std::string(name) == "e2e acks=1") {
      check("mock / eddy e2e acks=1 p99 latency", mock[name].p99_ms / eddy[name].p99_ms, 1.0);
    } else {
      check(absl::StrCat("eddy / mock ", name), eddy[name].mb_per_s / mock[name].mb_per_s, 1.0);
    }
  }

  if (!out.empty()) {
    nlohmann::json json = {{"workload", workload},
                           {"storage_append_mb_s", *storage},
                           {"eddy", ToJson(eddy, eddy_cpu)},
                           {"mock", ToJson(mock, mock_cpu)},
                           {"targets", targets}};
    std::ofstream(out) << json.dump(2) << "\n";
  }
  return 0;
}
