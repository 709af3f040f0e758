// `./dev bench groups`: issue 8 acceptance 5 on the real, durable stack. 1 controller, 3 brokers
// (__consumer_offsets RF 3, so every commit and group change is an acks=all replicated append) and
// 1 eddy-coordinator (Release, LocalCluster), driven through the Coordinator gRPC API:
//   commits  offset commits/s and offsets/s on the one coordinator: --committers closed-loop
//            committers (one commit in flight each, gRPC callback API) over --groups groups spread
//            across the shards, so each shard's log groups the appends waiting behind its in-flight
//            produce (target >= 10,000 commits/s); then 4x as many in flight; then --committers
//            on a single group (one shard); latency p50/p99.
//   join     time from the 50th member's first JoinGroup to a Stable 50-member group (every member
//            synced in one generation): a cold group (all 50 start together) and a stable 49-member
//            group that a 50th joins, with group.initial.rebalance.delay.ms=0 (target <= 3 s); then
//            the cold group again with Kafka's default 3 s delay, which adds to it by design.
//            Members act as clients do: MEMBER_ID_REQUIRED rejoin, the leader assigns, followers
//            sync, heartbeats every --heartbeat-ms and rejoin on REBALANCE_IN_PROGRESS.
// Flags: --bin-dir=PATH (Release daemons), --seconds=N (per commit phase, default 10),
// --committers=N (default 256), --groups=N (default 500), --partitions=N (per commit, default 4),
// --members=N (default 50), --heartbeat-ms=N (default 100), --out=PATH (JSON).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/bench_args.h"
#include "libs/common/process_tuning.h"
#include "nlohmann/json.hpp"
#include "proto/eddy/v1/coordinator.grpc.pb.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/wait_for.h"

namespace {

using eddy::bench::DieIfError;
using eddy::bench::Flag;
using eddy::bench::SecondsSince;

using eddy::testing::LocalCluster;
using eddy::testing::Role;
using eddy::testing::WaitFor;
using SteadyClock = std::chrono::steady_clock;
using Stub = eddy::v1::Coordinator::Stub;

constexpr int kRebalanceInProgress = 27;
constexpr int kMemberIdRequired = 79;
constexpr int kUnknownMemberId = 25;
constexpr int kIllegalGeneration = 22;

double LoadAverage() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : -1;
}

// Stubs opens `n` connections (separate subchannel pools, so separate HTTP/2 connections).
std::vector<std::unique_ptr<Stub>> Stubs(const std::string& address, int n) {
  std::vector<std::unique_ptr<Stub>> stubs;
  for (int i = 0; i < n; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    stubs.push_back(eddy::v1::Coordinator::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args)));
  }
  return stubs;
}

void Deadline(grpc::ClientContext& context, int seconds) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

// ---- commits ----

eddy::v1::OffsetCommitRequest CommitRequest(const std::string& group, int partitions,
                                            int64_t offset) {
  eddy::v1::OffsetCommitRequest request;
  request.set_group_id(group);
  request.set_generation_id(-1);  // a simple consumer: no membership
  request.set_retention_time_ms(-1);
  for (int p = 0; p < partitions; ++p) {
    auto* part = request.add_partitions();
    part->mutable_partition()->set_topic("bench");
    part->mutable_partition()->set_partition(p);
    part->set_committed_offset(offset);
    part->set_committed_leader_epoch(-1);
  }
  return request;
}

// Commit returns the first partition's error code, -1 when the RPC failed.
int Commit(Stub& stub, const eddy::v1::OffsetCommitRequest& request) {
  grpc::ClientContext context;
  Deadline(context, 30);
  eddy::v1::OffsetCommitResponse response;
  if (!stub.OffsetCommit(&context, request, &response).ok()) return -1;
  for (const auto& r : response.results()) {
    if (r.error_code() != 0) return r.error_code();
  }
  return response.results_size() == request.partitions_size() ? 0 : -2;
}

std::string GroupName(int g) { return absl::StrCat("bench-commit-", g); }

struct CommitResult {
  int groups = 0;
  int committers = 0;
  double seconds = 0;
  int64_t commits = 0;
  int64_t errors = 0;
  double commits_per_s = 0;
  double offsets_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double load = 0;
};

// Committer is one closed-loop committer: a commit in flight at all times, the next sent from the
// previous one's completion (gRPC's callback API, so hundreds of them cost no client threads).
struct Committer {
  Stub* stub = nullptr;
  int next_group = 0;
  int64_t offset = 0;
  std::unique_ptr<grpc::ClientContext> context;
  eddy::v1::OffsetCommitRequest request;
  eddy::v1::OffsetCommitResponse response;
  SteadyClock::time_point sent;
  std::vector<double> latencies_ms;
  int64_t errors = 0;
};

CommitResult RunCommits(std::vector<std::unique_ptr<Stub>>& stubs, int committers, int groups,
                        int partitions, double seconds) {
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::condition_variable all_done;
  int done = 0;
  std::vector<Committer> slots(committers);
  std::function<void(Committer&)> send = [&](Committer& c) {
    if (stop.load()) {
      std::lock_guard<std::mutex> lock(mu);
      if (++done == committers) all_done.notify_one();
      return;
    }
    c.request = CommitRequest(GroupName(c.next_group % groups), partitions, ++c.offset);
    c.next_group += committers;
    c.context = std::make_unique<grpc::ClientContext>();
    Deadline(*c.context, 30);
    c.response.Clear();
    c.sent = SteadyClock::now();
    c.stub->async()->OffsetCommit(
        c.context.get(), &c.request, &c.response, [&send, &c](grpc::Status status) {
          bool ok = status.ok() && c.response.results_size() == c.request.partitions_size();
          for (const auto& r : c.response.results()) {
            ok = ok && r.error_code() == 0;
          }
          if (ok) {
            c.latencies_ms.push_back(SecondsSince(c.sent) * 1000);
          } else {
            ++c.errors;
          }
          send(c);
        });
  };
  const auto start = SteadyClock::now();
  for (int t = 0; t < committers; ++t) {
    slots[t].stub = stubs[t % stubs.size()].get();
    slots[t].next_group = t;
    send(slots[t]);
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  {
    std::unique_lock<std::mutex> lock(mu);
    all_done.wait(lock, [&] { return done == committers; });
  }
  std::vector<std::vector<double>> latencies;
  int64_t errors = 0;
  for (Committer& c : slots) {
    latencies.push_back(std::move(c.latencies_ms));
    errors += c.errors;
  }
  CommitResult result;
  result.groups = groups;
  result.committers = committers;
  result.seconds = SecondsSince(start);
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  result.commits = static_cast<int64_t>(all.size());
  result.errors = errors;
  result.commits_per_s = static_cast<double>(result.commits) / result.seconds;
  result.offsets_per_s = result.commits_per_s * partitions;
  if (!all.empty()) {
    result.p50_ms = all[all.size() / 2];
    result.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  result.load = LoadAverage();
  return result;
}

// WarmUp commits once to every group until each is acknowledged: every shard loaded and owned.
void WarmUp(Stub& stub, int groups, int partitions) {
  for (int g = 0; g < groups; ++g) {
    const auto request = CommitRequest(GroupName(g), partitions, 0);
    if (!WaitFor([&] { return Commit(stub, request) == 0; }, absl::Seconds(60))) {
      DieIfError(absl::UnavailableError(absl::StrCat("group ", g, " never accepted a commit")),
                 "warm-up");
    }
  }
}

// ---- join ----

// Member is one group member acting as a client does, on its own thread.
class Member {
 public:
  Member(Stub& stub, std::string group, int heartbeat_ms)
      : stub_(stub), group_(std::move(group)), heartbeat_ms_(heartbeat_ms) {}

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void StopAndLeave() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  SteadyClock::time_point first_join() const { return first_join_.load(); }
  // Synced reports the generation this member last synced in and when.
  void Synced(int32_t* generation, SteadyClock::time_point* at) const {
    std::lock_guard<std::mutex> lock(mu_);
    *generation = synced_generation_;
    *at = synced_at_;
  }

 private:
  void Run() {
    std::string member_id;
    bool first = true;
    while (!stop_) {
      eddy::v1::JoinGroupRequest join;
      join.set_group_id(group_);
      join.set_member_id(member_id);
      join.set_session_timeout_ms(30000);
      join.set_rebalance_timeout_ms(30000);
      join.set_protocol_type("consumer");
      join.set_require_known_member_id(true);
      auto* protocol = join.add_protocols();
      protocol->set_name("range");
      protocol->set_metadata(std::string(32, 'm'));
      if (first) {
        first_join_ = SteadyClock::now();
        first = false;
      }
      grpc::ClientContext join_context;
      Deadline(join_context, 60);
      eddy::v1::JoinGroupResponse joined;
      if (!stub_.JoinGroup(&join_context, join, &joined).ok()) continue;
      if (joined.error_code() == kMemberIdRequired) {
        member_id = joined.member_id();
        continue;
      }
      if (joined.error_code() == kUnknownMemberId) member_id.clear();
      if (joined.error_code() != 0) continue;
      member_id = joined.member_id();
      // Sync: the leader sends every member's assignment.
      eddy::v1::SyncGroupRequest sync;
      sync.set_group_id(group_);
      sync.set_member_id(member_id);
      sync.set_generation_id(joined.generation_id());
      sync.set_protocol_type("consumer");
      sync.set_protocol_name(joined.protocol_name());
      if (joined.leader() == member_id) {
        for (const auto& m : joined.members()) {
          auto* a = sync.add_assignments();
          a->set_member_id(m.member_id());
          a->set_assignment(std::string(30, 'a'));
        }
      }
      grpc::ClientContext sync_context;
      Deadline(sync_context, 60);
      eddy::v1::SyncGroupResponse synced;
      if (!stub_.SyncGroup(&sync_context, sync, &synced).ok()) continue;
      if (synced.error_code() != 0) continue;  // REBALANCE_IN_PROGRESS and the like: rejoin
      {
        std::lock_guard<std::mutex> lock(mu_);
        synced_generation_ = joined.generation_id();
        synced_at_ = SteadyClock::now();
      }
      // Heartbeat until a rebalance asks to rejoin.
      while (!stop_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(heartbeat_ms_));
        eddy::v1::GroupHeartbeatRequest beat;
        beat.set_group_id(group_);
        beat.set_member_id(member_id);
        beat.set_generation_id(joined.generation_id());
        grpc::ClientContext beat_context;
        Deadline(beat_context, 10);
        eddy::v1::GroupHeartbeatResponse beat_response;
        if (!stub_.Heartbeat(&beat_context, beat, &beat_response).ok()) continue;
        const int error = beat_response.error_code();
        if (error == kRebalanceInProgress || error == kIllegalGeneration) break;
        if (error == kUnknownMemberId) {
          member_id.clear();
          break;
        }
      }
    }
    if (!member_id.empty()) {
      eddy::v1::LeaveGroupRequest leave;
      leave.set_group_id(group_);
      leave.add_members()->set_member_id(member_id);
      grpc::ClientContext context;
      Deadline(context, 10);
      eddy::v1::LeaveGroupResponse left;
      (void)stub_.LeaveGroup(&context, leave, &left);
    }
  }

  Stub& stub_;
  const std::string group_;
  const int heartbeat_ms_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<SteadyClock::time_point> first_join_{};
  mutable std::mutex mu_;
  int32_t synced_generation_ = -1;
  SteadyClock::time_point synced_at_{};
};

// StableAt returns when every one of `want` members had synced in one generation (the latest
// sync), or nullopt while they have not. A member syncs only in a generation it belongs to.
std::optional<SteadyClock::time_point> StableAt(const std::vector<std::unique_ptr<Member>>& members,
                                                size_t want) {
  if (members.size() != want) return std::nullopt;
  int32_t generation0 = -2;
  SteadyClock::time_point latest{};
  for (const auto& m : members) {
    int32_t generation;
    SteadyClock::time_point at;
    m->Synced(&generation, &at);
    if (generation < 0) return std::nullopt;
    if (generation0 == -2) generation0 = generation;
    if (generation != generation0) return std::nullopt;
    latest = std::max(latest, at);
  }
  return latest;
}

// DescribedStable asks the coordinator whether the group is Stable with `want` members.
bool DescribedStable(Stub& stub, const std::string& group, int want) {
  eddy::v1::DescribeGroupsRequest request;
  request.add_group_ids(group);
  grpc::ClientContext context;
  Deadline(context, 10);
  eddy::v1::DescribeGroupsResponse response;
  return stub.DescribeGroups(&context, request, &response).ok() && response.groups_size() == 1 &&
         response.groups(0).group_state() == "Stable" && response.groups(0).members_size() == want;
}

struct JoinResult {
  std::string scenario;
  double seconds = -1;  // from the last member's first JoinGroup to all synced
  double load = 0;
};

// RunJoin starts `before` members and waits for them to be stable, then starts the rest at once,
// and measures from the last one's first JoinGroup until all `members` synced in one generation.
JoinResult RunJoin(Stub& stub, const std::string& scenario, const std::string& group, int members,
                   int before, int heartbeat_ms) {
  std::vector<std::unique_ptr<Member>> all;
  auto start = [&](int n) {
    for (int i = 0; i < n; ++i) {
      all.push_back(std::make_unique<Member>(stub, group, heartbeat_ms));
      all.back()->Start();
    }
  };
  JoinResult result;
  result.scenario = scenario;
  if (before > 0) {
    start(before);
    if (!WaitFor([&] { return StableAt(all, before).has_value(); }, absl::Seconds(60))) {
      std::fprintf(stderr, "%s: the first %d members never became stable\n", scenario.c_str(),
                   before);
    }
  }
  start(members - before);
  const bool stable = WaitFor(
      [&] { return StableAt(all, members).has_value() && DescribedStable(stub, group, members); },
      absl::Seconds(60), absl::Milliseconds(5));
  if (stable) {
    SteadyClock::time_point last_join{};
    for (const auto& m : all) last_join = std::max(last_join, m->first_join());
    result.seconds = std::chrono::duration<double>(*StableAt(all, members) - last_join).count();
  } else {
    std::fprintf(stderr, "%s: the group never became stable with %d members\n", scenario.c_str(),
                 members);
  }
  result.load = LoadAverage();
  for (auto& m : all) m->StopAndLeave();
  return result;
}

std::unique_ptr<LocalCluster> StartCluster(const std::string& bin_dir) {
  eddy::testing::LocalClusterOptions options;
  options.bin_dir = bin_dir;
  options.controllers = 1;
  options.brokers = 3;
  options.coordinators = 1;
  options.registries = 0;
  options.gateways = 0;
  auto cluster = std::make_unique<LocalCluster>(options);
  DieIfError(cluster->Start(), "start cluster");
  // Brokers register fenced and are unfenced by their first heartbeats.
  if (!WaitFor(
          [&] {
            auto status = cluster->ClusterStatus();
            return status.ok() && status->health().brokers() == 3 &&
                   status->health().fenced_brokers() == 0;
          },
          absl::Seconds(30))) {
    DieIfError(absl::UnavailableError("brokers never unfenced"), "start cluster");
  }
  return cluster;
}

}  // namespace

int main(int argc, char** argv) {
  eddy::common::TuneForBulkData();
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows while a phase runs
  const std::string bin_dir = Flag(argc, argv, "bin-dir", "build/release/bin");
  const double seconds = std::atof(Flag(argc, argv, "seconds", "10").c_str());
  const int committers = std::atoi(Flag(argc, argv, "committers", "256").c_str());
  const int groups = std::atoi(Flag(argc, argv, "groups", "500").c_str());
  const int partitions = std::atoi(Flag(argc, argv, "partitions", "4").c_str());
  const int members = std::atoi(Flag(argc, argv, "members", "50").c_str());
  const int heartbeat_ms = std::atoi(Flag(argc, argv, "heartbeat-ms", "100").c_str());
  const std::string out = Flag(argc, argv, "out", "");
  if (committers < 1 || groups < 1 || partitions < 1 || members < 2 || heartbeat_ms < 1) {
    std::fprintf(stderr,
                 "bench_groups: --committers, --groups, --partitions, --heartbeat-ms >= 1, "
                 "--members >= 2\n");
    return 2;
  }

  // The first cluster runs with group.initial.rebalance.delay.ms=0; the coordinator restarts with
  // Kafka's default (3000) for the last scenario.
  ::setenv("EDDY_GROUP_INITIAL_REBALANCE_DELAY_MS", "0", 1);
  auto cluster = StartCluster(bin_dir);
  const std::string address = cluster->GrpcAddress(Role::kCoordinator);
  auto stubs = Stubs(address, 4);
  std::printf(
      "cluster: 1 controller, 3 brokers (__consumer_offsets RF 3, acks=all), 1 coordinator "
      "at %s\n",
      address.c_str());
  WarmUp(*stubs[0], groups, partitions);

  std::printf("offset commits: %d partitions per commit, %.0f s each\n", partitions, seconds);
  // Many groups at --committers, then 4x as many in flight (the coordinator's saturation: deeper
  // per-shard batches for latency), then one group (one shard, so one produce in flight).
  std::vector<CommitResult> commits;
  commits.push_back(RunCommits(stubs, committers, groups, partitions, seconds));
  commits.push_back(RunCommits(stubs, 4 * committers, groups, partitions, seconds));
  commits.push_back(RunCommits(stubs, committers, 1, partitions, seconds));
  for (const CommitResult& r : commits) {
    std::printf(
        "  %4d group(s), %5d committers: %7.0f commits/s %7.0f offsets/s  p50 %6.2f ms  "
        "p99 %6.2f ms  errors %lld  load %.2f\n",
        r.groups, r.committers, r.commits_per_s, r.offsets_per_s, r.p50_ms, r.p99_ms,
        static_cast<long long>(r.errors), r.load);
  }

  std::printf(
      "join: %d members, heartbeat every %d ms; from the last member's JoinGroup to all "
      "synced\n",
      members, heartbeat_ms);
  std::vector<JoinResult> joins;
  joins.push_back(RunJoin(*stubs[0], "cold group, initial delay 0", "bench-join-cold", members, 0,
                          heartbeat_ms));
  joins.push_back(RunJoin(*stubs[0], "stable group + 1, initial delay 0", "bench-join-grow",
                          members, members - 1, heartbeat_ms));
  auto stopped = cluster->Stop(Role::kCoordinator, 0, absl::Seconds(10));
  DieIfError(stopped.status(), "stop coordinator");
  ::setenv("EDDY_GROUP_INITIAL_REBALANCE_DELAY_MS", "3000", 1);
  DieIfError(cluster->Restart(Role::kCoordinator, 0), "restart coordinator");
  WarmUp(*stubs[0], 1, 1);  // its shards loaded again
  joins.push_back(RunJoin(*stubs[0], "cold group, initial delay 3000 (Kafka default)",
                          "bench-join-cold-delay", members, 0, heartbeat_ms));
  for (const auto& j : joins) {
    std::printf("  %-48s %7.3f s  load %.2f\n", j.scenario.c_str(), j.seconds, j.load);
  }
  cluster.reset();  // stops the daemons and removes their data

  if (!out.empty()) {
    nlohmann::json json;
    json["cluster"] = "1 controller, 3 brokers, 1 coordinator; __consumer_offsets RF 3 acks=all";
    json["commits"] = nlohmann::json::array();
    for (const CommitResult& r : commits) {
      json["commits"].push_back({{"groups", r.groups},
                                 {"committers", r.committers},
                                 {"partitions_per_commit", partitions},
                                 {"seconds", r.seconds},
                                 {"commits", r.commits},
                                 {"errors", r.errors},
                                 {"commits_per_s", r.commits_per_s},
                                 {"offsets_per_s", r.offsets_per_s},
                                 {"latency_p50_ms", r.p50_ms},
                                 {"latency_p99_ms", r.p99_ms},
                                 {"load_average_1m", r.load}});
    }
    json["join"] = nlohmann::json::array();
    for (const auto& j : joins) {
      json["join"].push_back({{"scenario", j.scenario},
                              {"members", members},
                              {"heartbeat_interval_ms", heartbeat_ms},
                              {"last_join_to_stable_s", j.seconds},
                              {"load_average_1m", j.load}});
    }
    std::ofstream(out) << json.dump(2) << "\n";
  }
  const bool ok =
      commits[0].commits > 0 &&
      std::all_of(joins.begin(), joins.end(), [](const auto& j) { return j.seconds >= 0; });
  return ok ? 0 : 1;
}
