// eddy-coordinator: the group coordinator daemon (docs/architecture.md). Besides the member
// daemon's shared skeleton (config, logging, /metrics and /healthz, gRPC, heartbeat lease with the
// controller) it hosts group shards (GroupShardSet) and serves eddy.v1.Coordinator on its gRPC
// port. With --group-log=broker (the default) it follows the cluster metadata, loads the shards
// the controller assigns to it from their __consumer_offsets partitions and writes through the
// brokers; with --group-log=memory it serves every shard from memory (tests without brokers).
#include <memory>
#include <thread>

#include "asio/executor_work_guard.hpp"
#include "asio/io_context.hpp"
#include "asio/steady_timer.hpp"
#include "libs/common/shutdown.h"
#include "libs/common/status_macros.h"
#include "services/coordinator/broker_group_log.h"
#include "services/coordinator/coordinator_config.h"
#include "services/coordinator/coordinator_metadata.h"
#include "services/coordinator/coordinator_service.h"
#include "services/coordinator/group_metrics.h"
#include "services/coordinator/group_shard_set.h"
#include "services/coordinator/log_end_offsets.h"
#include "services/runtime/grpc_broker_data_path.h"
#include "services/runtime/member_daemon.h"
#include "services/runtime/metadata_follower.h"
#include "spdlog/spdlog.h"

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
  const bool broker_log = config.group_log == "broker";

  // Timers for the broker data path's deadlines and the group log's retry backoff.
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread io_thread([&io] { io.run(); });
  const coordinator::Schedule schedule = [&io](absl::Duration delay, std::function<void()> fn) {
    auto timer = std::make_shared<asio::steady_timer>(
        io, std::chrono::microseconds(absl::ToInt64Microseconds(delay)));
    timer->async_wait([timer, fn = std::move(fn)](const std::error_code& ec) {
      if (!ec) fn();
    });
  };
  std::unique_ptr<runtime::GrpcBrokerDataPath> data_path;
  std::unique_ptr<coordinator::CoordinatorMetadata> cluster;
  std::unique_ptr<runtime::MetadataFollower> follower;
  std::unique_ptr<coordinator::LogEndOffsetPoller> log_ends;

  // The service exists before the gRPC server starts; shards load in `start`, so calls that
  // arrive earlier are answered NOT_COORDINATOR and clients look the coordinator up again.
  std::unique_ptr<coordinator::GroupMetrics> metrics;
  auto shards = std::make_unique<coordinator::GroupShardSet>(
      coordinator::GroupShardSetOptions{.num_shards = config.offsets_topic_partitions,
                                        .threads = config.threads,
                                        .tick = absl::Milliseconds(config.tick_ms),
                                        .group = config.ToGroupConfig()},
      [&](coordinator::ShardLogContext context) -> std::shared_ptr<coordinator::GroupLog> {
        if (!broker_log) {
          return std::make_shared<coordinator::InMemoryGroupLog>(std::move(context.post));
        }
        return std::make_shared<coordinator::BrokerGroupLog>(
            coordinator::BrokerGroupLogOptions{
                .partition = context.shard,
                .shard_epoch = context.epoch,
                .deposed = std::move(context.deposed),
                .append_timeout = absl::Milliseconds(config.offsets_commit_timeout_ms),
                .fetch_max_bytes = config.offsets_load_buffer_size},
            *data_path,
            [&](const std::string& topic, int32_t partition) {
              return cluster->Leader(topic, partition);
            },
            schedule, std::move(context.post), common::Clock::Real());
      },
      common::Clock::Real());
  coordinator::CoordinatorService service(*shards);
  auto start = [&](runtime::DaemonHost& host, std::vector<eddy::v1::Endpoint>&) -> absl::Status {
    metrics = std::make_unique<coordinator::GroupMetrics>(host.metrics(), config.partition_metrics);
    shards->AttachMetrics(metrics.get());
    service.AttachMetrics(metrics.get());
    if (!broker_log) {
      for (int32_t shard = 0; shard < config.offsets_topic_partitions; ++shard) {
        shards->LoadShard(shard);
      }
      return absl::OkStatus();
    }
    data_path = std::make_unique<runtime::GrpcBrokerDataPath>(host.channels(), io);
    cluster = std::make_unique<coordinator::CoordinatorMetadata>(
        membership.node_id, [&](int32_t shard, bool owned, int64_t epoch) {
          if (shard >= config.offsets_topic_partitions) {
            spdlog::error("group shard {} assigned, but --offsets-topic-partitions is {}", shard,
                          config.offsets_topic_partitions);
          } else if (owned) {
            shards->LoadShard(shard, epoch);
          } else {
            shards->UnloadShard(shard);
          }
        });
    log_ends = std::make_unique<coordinator::LogEndOffsetPoller>(
        *cluster, *data_path, absl::Milliseconds(config.lag_poll_interval_ms));
    metrics->SetLogEndOffsets([&](const std::string& topic, int32_t partition) {
      return log_ends->Get(topic, partition);
    });
    log_ends->Start();
    follower = std::make_unique<runtime::MetadataFollower>(
        runtime::MetadataFollowerOptions{.controllers = membership.ControllerTargets(),
                                         .member_id = membership.node_id,
                                         .role = eddy::v1::MEMBER_ROLE_COORDINATOR},
        host.channels(), [&](const eddy::v1::MetadataDelta& delta) { cluster->Apply(delta); });
    follower->Start();
    if (!follower->WaitForFirst(absl::Seconds(10))) {
      spdlog::warn("no metadata snapshot yet; shards load once the assignment arrives");
    }
    return absl::OkStatus();
  };
  const int exit_code = runtime::RunMemberDaemon(runtime::MemberDaemon{
      .name = "eddy-coordinator",
      .metric_prefix = "eddy_coordinator",
      .role = eddy::v1::MEMBER_ROLE_COORDINATOR,
      .spec = &spec,
      .server = &server,
      .membership = &membership,
      .services = {&service},
      .start = start,
      // Unload (waiting members get NOT_COORDINATOR); the set itself outlives the gRPC server.
      // Broker streams end here, while the daemon's gRPC runtime is still up; failing their
      // outstanding requests also ends a shard read still in progress.
      .stop = [&] {
        if (follower) follower->Stop();  // no more assignment changes
        if (log_ends) log_ends->Stop();
        if (data_path) data_path->Stop();
        for (int32_t shard = 0; shard < config.offsets_topic_partitions; ++shard) {
          shards->UnloadShard(shard);
        }
        shards->Quiesce();
      }});
  shards.reset();
  // Let the timer thread run out of work rather than stopping it: handlers left queued in a
  // stopped io_context would destroy their timers while the io_context itself is destroyed.
  work.reset();
  io_thread.join();
  return exit_code;
}
