// eddy-registry: the Confluent-compatible Schema Registry (docs/architecture.md). Besides the
// member daemon's shared skeleton (config, logging, /metrics and /healthz, gRPC, heartbeat lease
// with the controller) it opens the RocksDB store under --data-dir and serves the REST API on
// --rest-port before it registers, so "ready" means the REST API answers. With --quorum-voters the
// store is one replica of a Raft-replicated state machine (registry_quorum.h): the Raft log lives
// under <data-dir>/raft and its transport on this daemon's gRPC server; followers forward REST
// writes to the leader (rest_forwarding.h).
#include <atomic>
#include <filesystem>
#include <memory>
#include <system_error>

#include "libs/common/shutdown.h"
#include "libs/common/status_macros.h"
#include "services/registry/registry_config.h"
#include "services/registry/registry_grpc_service.h"
#include "services/registry/registry_metrics.h"
#include "services/registry/registry_quorum.h"
#include "services/registry/registry_service.h"
#include "services/registry/registry_store.h"
#include "services/registry/rest_forwarding.h"
#include "services/registry/rest_routes.h"
#include "services/registry/rest_server.h"
#include "services/runtime/member_daemon.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace eddy;
  common::TerminationSignals::Block();
  runtime::ServerConfig server;
  server.grpc_port = 9096;
  server.http_port = 9604;
  server.data_dir = "./data/registry";
  runtime::MembershipConfig membership;
  registry::RegistryConfig config;
  common::ConfigSpec spec{"eddy-registry"};
  runtime::AddServerConfig(spec, &server);
  runtime::AddMembershipConfig(spec, &membership);
  registry::AddRegistryConfig(spec, &config);
  runtime::LoadConfigOrExit(spec, argc, argv, [&]() -> absl::Status {
    EDDY_RETURN_IF_ERROR(server.Validate());
    EDDY_RETURN_IF_ERROR(membership.Validate());
    return config.Validate(server, membership.node_id);
  });

  // The store, the quorum and the gRPC services exist before the daemon's gRPC server starts,
  // which serves the quorum's transport and the registry API.
  std::error_code mkdir_error;
  std::filesystem::create_directories(server.data_dir, mkdir_error);
  if (mkdir_error) {
    spdlog::critical("cannot start: cannot create --data-dir {}: {}", server.data_dir,
                     mkdir_error.message());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<registry::RegistryStore>> store =
      registry::RegistryStore::Open(server.data_dir + "/store");
  if (!store.ok()) {
    spdlog::critical("cannot start: {}", store.status().ToString());
    return 1;
  }
  std::unique_ptr<registry::RegistryQuorum> quorum;
  std::unique_ptr<registry::RegistryWriter> local_writer;
  std::unique_ptr<registry::QuorumForwarder> forwarder;
  if (config.quorum_voters.empty()) {
    local_writer = std::make_unique<registry::LocalWriter>(**store);
  } else {
    absl::StatusOr<std::unique_ptr<registry::RegistryQuorum>> created =
        registry::RegistryQuorum::Create(
            {.self = NodeId(membership.node_id),
             .voters = *registry::ParseRegistryVoters(config.quorum_voters),
             .dir = (std::filesystem::path(server.data_dir) / "raft").string(),
             .tick_interval = absl::Milliseconds(config.quorum_tick_ms),
             .election_ticks = config.quorum_election_timeout_ms / config.quorum_tick_ms,
             .snapshot_interval_entries = static_cast<uint64_t>(config.quorum_snapshot_entries),
             .request_timeout = absl::Milliseconds(config.quorum_request_timeout_ms)},
            **store);
    if (!created.ok()) {
      spdlog::critical("cannot start: {}", created.status().ToString());
      return 1;
    }
    quorum = *std::move(created);
    forwarder = std::make_unique<registry::QuorumForwarder>(
        *quorum, absl::Milliseconds(config.quorum_request_timeout_ms));
  }
  registry::RegistryWriter& writer =
      quorum != nullptr ? static_cast<registry::RegistryWriter&>(*quorum) : *local_writer;

  std::unique_ptr<registry::RegistryMetrics> metrics;
  // The gRPC API serves before the metrics exist (the host starts them together).
  std::atomic<registry::RegistryMetrics*> metrics_ready{nullptr};
  std::unique_ptr<registry::RestServer> rest;
  registry::RegistryService service(
      **store, writer,
      registry::RegistryServiceOptions{.max_schema_bytes = config.max_schema_bytes},
      [&metrics_ready] {
        if (registry::RegistryMetrics* m = metrics_ready.load()) m->CompatibilityFailure();
      });
  registry::RestRouter router;
  registry::AddAllRoutes(router, service, "eddy", runtime::kEddyVersion);
  registry::RegistryGrpcService grpc_service(service, router, quorum.get());
  std::vector<grpc::Service*> services = {&grpc_service};
  if (quorum != nullptr) services.push_back(quorum->service());

  auto start = [&](runtime::DaemonHost& host,
                   std::vector<eddy::v1::Endpoint>& endpoints) -> absl::Status {
    metrics = std::make_unique<registry::RegistryMetrics>(host.metrics(), store->get());
    metrics_ready.store(metrics.get());
    if (quorum != nullptr) {
      quorum->AddMetrics(host.metrics());
      quorum->Start();
    }
    rest = std::make_unique<registry::RestServer>(
        registry::RestServerOptions{.host = server.listen_host,
                                    .port = config.rest_port,
                                    .threads = config.rest_threads,
                                    .max_body_bytes = config.rest_max_body_bytes},
        router, *metrics, forwarder.get());
    EDDY_RETURN_IF_ERROR(rest->Start());
    eddy::v1::Endpoint endpoint;
    endpoint.set_name("rest");
    endpoint.set_host(server.AdvertisedHost());
    endpoint.set_port(rest->port());
    endpoints.push_back(std::move(endpoint));
    return absl::OkStatus();
  };
  const int code =
      runtime::RunMemberDaemon(runtime::MemberDaemon{.name = "eddy-registry",
                                                     .metric_prefix = "eddy_registry",
                                                     .role = eddy::v1::MEMBER_ROLE_REGISTRY,
                                                     .spec = &spec,
                                                     .server = &server,
                                                     .membership = &membership,
                                                     .services = services,
                                                     .start = start,
                                                     .stop = [&] {
                                                       if (rest != nullptr) rest->Stop();
                                                       // libs/raft's order: the driver, then (by
                                                       // the host) the gRPC server, then the
                                                       // transport.
                                                       if (quorum != nullptr) quorum->StopDriver();
                                                     }});
  // The host's gRPC server is down by now: the transport may go.
  quorum.reset();
  return code;
}
