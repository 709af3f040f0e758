// eddy-registry: the Confluent-compatible Schema Registry (docs/architecture.md). Besides the
// member daemon's shared skeleton (config, logging, /metrics and /healthz, gRPC, heartbeat lease
// with the controller) it opens the RocksDB store under --data-dir and serves the REST API on
// --rest-port before it registers, so "ready" means the REST API answers.
#include <memory>

#include "libs/common/shutdown.h"
#include "libs/common/status_macros.h"
#include "services/registry/registry_config.h"
#include "services/registry/registry_metrics.h"
#include "services/registry/registry_service.h"
#include "services/registry/registry_store.h"
#include "services/registry/rest_routes.h"
#include "services/registry/rest_server.h"
#include "services/runtime/member_daemon.h"

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
    return config.Validate(server);
  });

  std::unique_ptr<registry::RegistryStore> store;
  std::unique_ptr<registry::RegistryMetrics> metrics;
  std::unique_ptr<registry::RegistryService> service;
  registry::RestRouter router;
  std::unique_ptr<registry::RestServer> rest;
  auto start = [&](runtime::DaemonHost& host,
                   std::vector<eddy::v1::Endpoint>& endpoints) -> absl::Status {
    EDDY_ASSIGN_OR_RETURN(store, registry::RegistryStore::Open(server.data_dir + "/store"));
    metrics = std::make_unique<registry::RegistryMetrics>(host.metrics(), store.get());
    service = std::make_unique<registry::RegistryService>(
        *store, registry::RegistryServiceOptions{.max_schema_bytes = config.max_schema_bytes},
        [m = metrics.get()] { m->CompatibilityFailure(); });
    registry::AddAllRoutes(router, *service, "eddy", runtime::kEddyVersion);
    rest = std::make_unique<registry::RestServer>(
        registry::RestServerOptions{.host = server.listen_host,
                                    .port = config.rest_port,
                                    .threads = config.rest_threads,
                                    .max_body_bytes = config.rest_max_body_bytes},
        router, *metrics);
    EDDY_RETURN_IF_ERROR(rest->Start());
    eddy::v1::Endpoint endpoint;
    endpoint.set_name("rest");
    endpoint.set_host(server.AdvertisedHost());
    endpoint.set_port(rest->port());
    endpoints.push_back(std::move(endpoint));
    return absl::OkStatus();
  };
  return runtime::RunMemberDaemon(runtime::MemberDaemon{
      .name = "eddy-registry",
      .metric_prefix = "eddy_registry",
      .role = eddy::v1::MEMBER_ROLE_REGISTRY,
      .spec = &spec,
      .server = &server,
      .membership = &membership,
      .services = {},
      .start = start,
      .stop = [&] {
        if (rest != nullptr) rest->Stop();
      }});
}
