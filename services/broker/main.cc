// eddy-broker: the data plane (docs/architecture.md). Besides the member daemon's shared skeleton
// (config, logging, /metrics and /healthz, gRPC, heartbeat lease with the controller) it follows
// the controller's metadata, hosts the assigned partition replicas under <data-dir>/logs, serves
// the Broker gRPC service (Data for gateways, ReplicaFetch for followers) and replicates from
// leaders. It registers only once the first metadata snapshot was applied, so "ready" means it
// serves the partitions it leads.
#include <memory>

#include "libs/common/clock.h"
#include "libs/common/shutdown.h"
#include "libs/common/status_macros.h"
#include "libs/storage/file_system.h"
#include "libs/storage/storage_metrics.h"
#include "services/broker/alter_partition_client.h"
#include "services/broker/broker_config.h"
#include "services/broker/broker_metrics.h"
#include "services/broker/broker_service.h"
#include "services/broker/clean_shutdown.h"
#include "services/broker/replica_fetcher.h"
#include "services/broker/replica_manager.h"
#include "services/runtime/member_daemon.h"
#include "services/runtime/metadata_follower.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace eddy;
  common::TerminationSignals::Block();
  runtime::ServerConfig server;
  server.grpc_port = 9094;
  server.http_port = 9602;
  server.data_dir = "./data/broker";
  runtime::MembershipConfig membership;
  broker::BrokerConfig config;
  common::ConfigSpec spec{"eddy-broker"};
  runtime::AddServerConfig(spec, &server);
  runtime::AddMembershipConfig(spec, &membership);
  broker::AddBrokerConfig(spec, &config);
  runtime::LoadConfigOrExit(spec, argc, argv, [&]() -> absl::Status {
    EDDY_RETURN_IF_ERROR(server.Validate());
    EDDY_RETURN_IF_ERROR(membership.Validate());
    return config.Validate();
  });

  common::Clock& clock = common::Clock::Real();
  broker::BrokerService service(
      clock, broker::BrokerServiceOptions{.default_produce_timeout =
                                              absl::Milliseconds(config.request_timeout_ms)});
  std::unique_ptr<storage::StorageMetrics> storage_metrics;
  std::unique_ptr<broker::BrokerMetrics> metrics;
  std::unique_ptr<broker::AlterPartitionClient> alter_partition;
  std::unique_ptr<broker::ReplicaFetchers> fetchers;
  std::unique_ptr<broker::ReplicaManager> replicas;
  std::unique_ptr<runtime::MetadataFollower> metadata;
  const BrokerId self(membership.node_id);
  const std::string log_dir = server.data_dir + "/logs";
  int64_t previous_member_epoch = 0;
  bool stopped_cleanly = false;

  auto start = [&](runtime::DaemonHost& host, std::vector<eddy::v1::Endpoint>&) -> absl::Status {
    storage_metrics = std::make_unique<storage::StorageMetrics>(host.metrics());
    metrics = std::make_unique<broker::BrokerMetrics>(host.metrics(), config.per_topic_metrics);
    alter_partition = std::make_unique<broker::AlterPartitionClient>(
        host.channels(), membership.ControllerTargets());
    fetchers = std::make_unique<broker::ReplicaFetchers>(
        broker::ReplicaFetcherOptions{
            .self = self,
            .max_wait = absl::Milliseconds(config.replica_fetch_wait_max_ms),
            .partition_max_bytes = config.replica_fetch_max_bytes,
            .response_max_bytes = config.replica_fetch_response_max_bytes,
            .backoff = absl::Milliseconds(config.replica_fetch_backoff_ms)},
        host.channels(), metrics.get());
    broker::ReplicaManagerOptions options;
    options.self = self;
    options.log_dir = log_dir;
    options.replica_lag_time_max = absl::Milliseconds(config.replica_lag_time_max_ms);
    options.producer_state.producer_id_expiration =
        absl::Milliseconds(config.producer_id_expiration_ms);
    options.retention_check_interval = absl::Milliseconds(config.log_retention_check_interval_ms);
    options.cleaner.dedupe_buffer_bytes =
        static_cast<uint64_t>(config.log_cleaner_dedupe_buffer_size);
    options.cleaner.backoff = absl::Milliseconds(config.log_cleaner_backoff_ms);
    EDDY_RETURN_IF_ERROR(storage::PosixFileSystem().CreateDirs(options.log_dir));
    // Taken before any log opens: from here on a crash must count as unclean.
    EDDY_ASSIGN_OR_RETURN(previous_member_epoch,
                          broker::TakeCleanShutdownMarker(storage::PosixFileSystem(), log_dir));
    if (previous_member_epoch > 0) {
      spdlog::info("the previous run stopped cleanly in member epoch {}", previous_member_epoch);
    }
    replicas = std::make_unique<broker::ReplicaManager>(
        std::move(options), storage::PosixFileSystem(), clock, storage_metrics.get(),
        [&](broker::AlterPartitionCall call,
            std::function<void(broker::AlterPartitionAnswer)> done) {
          alter_partition->Send(std::move(call), std::move(done));
        },
        [&](std::vector<broker::FollowerAssignment> followers) {
          fetchers->Update(std::move(followers));
        });
    metrics->Watch(*replicas);
    service.Bind(replicas.get(), metrics.get());
    replicas->Start();
    metadata = std::make_unique<runtime::MetadataFollower>(
        runtime::MetadataFollowerOptions{.controllers = membership.ControllerTargets(),
                                         .member_id = membership.node_id},
        host.channels(),
        [&](const eddy::v1::MetadataDelta& delta) { replicas->ApplyMetadata(delta); });
    metadata->Start();
    // Ready (registered) once the first snapshot placed every replica; a controller that does
    // not answer yet only delays that, the watch keeps trying.
    if (!metadata->WaitForFirst(absl::Seconds(10))) {
      spdlog::warn("no metadata snapshot yet; registering anyway");
    }
    return absl::OkStatus();
  };
  auto stop = [&] {
    // Order: stop taking metadata and replicating, then close the logs (checkpoints and producer
    // snapshots written), then the controller client.
    if (metadata != nullptr) metadata->Stop();
    if (fetchers != nullptr) fetchers->Stop();
    if (replicas != nullptr) stopped_cleanly = replicas->Stop().ok();
    if (alter_partition != nullptr) alter_partition->Stop();
  };
  // A clean stop (every log closed with its checkpoints) leaves the epoch for the next
  // registration.
  auto stopped = [&](int64_t member_epoch) {
    if (!stopped_cleanly || member_epoch <= 0) return;
    if (absl::Status status =
            broker::WriteCleanShutdownMarker(storage::PosixFileSystem(), log_dir, member_epoch);
        !status.ok()) {
      spdlog::error("cannot record the clean shutdown: {}", status.ToString());
    }
  };
  return runtime::RunMemberDaemon(
      runtime::MemberDaemon{.name = "eddy-broker",
                            .metric_prefix = "eddy_broker",
                            .role = eddy::v1::MEMBER_ROLE_BROKER,
                            .spec = &spec,
                            .server = &server,
                            .membership = &membership,
                            .services = {&service},
                            .start = start,
                            .stop = stop,
                            .previous_member_epoch = [&] { return previous_member_epoch; },
                            .stopped = stopped});
}
