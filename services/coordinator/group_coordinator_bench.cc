// Benchmarks of the group coordinator (Release: build/release/bin/coordinator_group_bench).
//   BM_OffsetCommitCore/<partitions per commit>: OffsetCommit through one shard's core with an
//     in-memory log acknowledging each append (offsets/s = items_per_second).
//   BM_OffsetCommitGrpc/<partitions per commit>: the same through CoordinatorService on a real
//     gRPC server (in-process channel), the shard executor and the in-memory log.
//   BM_StableGroup/<members>: from the last member's JoinGroup to a Stable group (every member
//     synced, the assignment persisted), in the core; group.initial.rebalance.delay.ms (3 s by
//     default) comes on top for a new group.
#include <benchmark/benchmark.h>

#include <deque>
#include <functional>
#include <memory>

#include "libs/common/clock.h"
#include "libs/rpc/server.h"
#include "services/coordinator/coordinator_service.h"
#include "services/coordinator/group_coordinator.h"
#include "spdlog/spdlog.h"

namespace eddy::coordinator {
namespace {

struct Core {
  Core() : log([this](std::function<void()> f) { queue.push_back(std::move(f)); }) {
    GroupConfig config;
    config.initial_rebalance_delay = absl::ZeroDuration();
    coordinator = std::make_unique<GroupCoordinator>(config, log, clock);
  }
  void Drain() {
    while (!queue.empty()) {
      auto f = std::move(queue.front());
      queue.pop_front();
      f();
    }
  }
  common::ManualClock clock;
  std::deque<std::function<void()>> queue;
  InMemoryGroupLog log;
  std::unique_ptr<GroupCoordinator> coordinator;
};

eddy::v1::OffsetCommitRequest CommitRequest(int partitions) {
  eddy::v1::OffsetCommitRequest r;
  r.set_group_id("bench");
  r.set_generation_id(-1);
  r.set_retention_time_ms(-1);
  for (int p = 0; p < partitions; ++p) {
    auto* c = r.add_partitions();
    c->mutable_partition()->set_topic("topic");
    c->mutable_partition()->set_partition(p);
    c->set_committed_leader_epoch(-1);
  }
  return r;
}

void BM_OffsetCommitCore(benchmark::State& state) {
  spdlog::set_level(spdlog::level::warn);
  Core core;
  const int partitions = static_cast<int>(state.range(0));
  eddy::v1::OffsetCommitRequest r = CommitRequest(partitions);
  int64_t offset = 0;
  for (auto _ : state) {
    ++offset;
    for (auto& p : *r.mutable_partitions()) p.set_committed_offset(offset);
    bool ok = false;
    core.coordinator->OffsetCommit(r, [&ok](auto resp) { ok = resp.results(0).error_code() == 0; });
    core.Drain();
    if (!ok) state.SkipWithError("commit failed");
    // Keep the in-memory log from growing without bound, as compaction would.
    if (offset % 4096 == 0) core.log.Compact();
  }
  state.SetItemsProcessed(state.iterations() * partitions);
}
BENCHMARK(BM_OffsetCommitCore)->Arg(1)->Arg(10)->Arg(100);

void BM_OffsetCommitGrpc(benchmark::State& state) {
  spdlog::set_level(spdlog::level::warn);
  GroupShardSetOptions options;
  options.num_shards = 50;
  GroupShardSet shards(
      options,
      [](int32_t, InMemoryGroupLog::Post post) -> std::unique_ptr<GroupLog> {
        return std::make_unique<InMemoryGroupLog>(std::move(post));
      },
      common::Clock::Real());
  for (int32_t s = 0; s < options.num_shards; ++s) shards.LoadShard(s);
  for (int32_t s = 0; s < options.num_shards; ++s) shards.WaitLoaded(s, absl::Seconds(30));
  CoordinatorService service(shards);
  rpc::GrpcServer server(rpc::ServerOptions{});
  server.AddService(&service);
  if (!server.Start().ok()) {
    state.SkipWithError("server did not start");
    return;
  }
  auto stub = eddy::v1::Coordinator::NewStub(server.InProcessChannel());
  const int partitions = static_cast<int>(state.range(0));
  eddy::v1::OffsetCommitRequest r = CommitRequest(partitions);
  int64_t offset = 0;
  for (auto _ : state) {
    ++offset;
    for (auto& p : *r.mutable_partitions()) p.set_committed_offset(offset);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    eddy::v1::OffsetCommitResponse response;
    grpc::Status status = stub->OffsetCommit(&context, r, &response);
    if (!status.ok() || response.results(0).error_code() != 0) state.SkipWithError("failed");
  }
  state.SetItemsProcessed(state.iterations() * partitions);
}
BENCHMARK(BM_OffsetCommitGrpc)->Arg(1)->Arg(10)->Arg(100)->UseRealTime();

eddy::v1::JoinGroupRequest JoinRequest(const std::string& member_id) {
  eddy::v1::JoinGroupRequest r;
  r.set_group_id("bench");
  r.set_member_id(member_id);
  r.set_protocol_type("consumer");
  auto* p = r.add_protocols();
  p->set_name("range");
  p->set_metadata(std::string(40, 's'));
  r.set_session_timeout_ms(10000);
  r.set_rebalance_timeout_ms(30000);
  r.set_client_id("bench");
  return r;
}

void BM_StableGroup(benchmark::State& state) {
  spdlog::set_level(spdlog::level::warn);
  const int members = static_cast<int>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    Core core;
    std::vector<std::string> ids(members);
    std::vector<eddy::v1::JoinGroupResponse> joins(members);
    // The first member forms generation 1; the others join and wait for it to rejoin.
    core.coordinator->JoinGroup(JoinRequest(""), [&](auto r) { ids[0] = r.member_id(); });
    core.Drain();
    for (int i = 1; i < members; ++i) {
      core.coordinator->JoinGroup(JoinRequest(""), [&joins, &ids, i](auto r) {
        ids[i] = r.member_id();
        joins[i] = std::move(r);
      });
    }
    state.ResumeTiming();
    core.coordinator->JoinGroup(JoinRequest(ids[0]), [&joins](auto r) { joins[0] = std::move(r); });
    const int32_t generation = joins[0].generation_id();
    int synced = 0;
    for (int i = members - 1; i >= 0; --i) {
      eddy::v1::SyncGroupRequest s;
      s.set_group_id("bench");
      s.set_member_id(ids[i]);
      s.set_generation_id(generation);
      if (i == 0) {
        for (const auto& id : ids) {
          auto* a = s.add_assignments();
          a->set_member_id(id);
          a->set_assignment(std::string(30, 'a'));
        }
      }
      core.coordinator->SyncGroup(s, [&synced](auto r) { synced += r.error_code() == 0; });
    }
    core.Drain();
    if (synced != members) state.SkipWithError("group did not stabilize");
    state.PauseTiming();
    core.coordinator.reset();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_StableGroup)->Arg(50)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace eddy::coordinator

BENCHMARK_MAIN();
