// eddy-coordinator: the group coordinator daemon (docs/architecture.md). Besides the member
// daemon's shared skeleton (config, logging, /metrics and /healthz, gRPC, heartbeat lease with the
// controller) it hosts group shards (GroupShardSet) and serves eddy.v1.Coordinator on its gRPC
// port. Until the controller's shard assignment reaches coordinators, an instance serves every
// shard, persisting to the --group-log it is given.
#include <memory>

#include "libs/common/shutdown.h"
#include "libs/common/status_macros.h"
#include "services/coordinator/coordinator_config.h"
#include "services/coordinator/coordinator_service.h"
#include "services/coordinator/group_metrics.h"
#include "services/coordinator/group_shard_set.h"
#include "services/runtime/member_daemon.h"

int main(int argc, char** argv) {
  using namespace eddy;
  common::TerminationSignals::Block();
  runtime::ServerConfig server;
  server.grpc_port = 9095;
  server.http_port = 9603;
  server.data_dir = "./data/coordinator";
  runtime::MembershipConfig membership;
  coordinator::CoordinatorConfig config;
  common::ConfigSpec spec{"eddy-coordinator"};
  runtime::AddServerConfig(spec, &server);
  runtime::AddMembershipConfig(spec, &membership);
  coordinator::AddCoordinatorConfig(spec, &config);
  runtime::LoadConfigOrExit(spec, argc, argv, [&]() -> absl::Status {
    EDDY_RETURN_IF_ERROR(server.Validate());
    EDDY_RETURN_IF_ERROR(membership.Validate());
    return config.Validate();
  });

  // The service exists before the gRPC server starts; shards load in `start`, so calls that
  // arrive earlier are answered NOT_COORDINATOR and clients look the coordinator up again.
  std::unique_ptr<coordinator::GroupMetrics> metrics;
  auto shards = std::make_unique<coordinator::GroupShardSet>(
      coordinator::GroupShardSetOptions{.num_shards = config.offsets_topic_partitions,
                                        .threads = config.threads,
                                        .tick = absl::Milliseconds(config.tick_ms),
                                        .group = config.ToGroupConfig()},
      [](int32_t,
         coordinator::InMemoryGroupLog::Post post) -> std::unique_ptr<coordinator::GroupLog> {
        return std::make_unique<coordinator::InMemoryGroupLog>(std::move(post));
      },
      common::Clock::Real());
  coordinator::CoordinatorService service(*shards);
  auto start = [&](runtime::DaemonHost& host, std::vector<eddy::v1::Endpoint>&) -> absl::Status {
    metrics = std::make_unique<coordinator::GroupMetrics>(host.metrics(), config.partition_metrics);
    shards->AttachMetrics(metrics.get());
    service.AttachMetrics(metrics.get());
    for (int32_t shard = 0; shard < config.offsets_topic_partitions; ++shard) {
      shards->LoadShard(shard);
    }
    shards->Quiesce();
    return absl::OkStatus();
  };
  return runtime::RunMemberDaemon(runtime::MemberDaemon{
      .name = "eddy-coordinator",
      .metric_prefix = "eddy_coordinator",
      .role = eddy::v1::MEMBER_ROLE_COORDINATOR,
      .spec = &spec,
      .server = &server,
      .membership = &membership,
      .services = {&service},
      .start = start,
      // Unload (waiting members get NOT_COORDINATOR); the set itself outlives the gRPC server.
      .stop = [&] {
        for (int32_t shard = 0; shard < config.offsets_topic_partitions; ++shard) {
          shards->UnloadShard(shard);
        }
        shards->Quiesce();
      }});
}
