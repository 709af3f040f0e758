// DaemonHost owns what every Eddy daemon runs besides its own logic: the metrics registry with
// the HTTP endpoint (/metrics, /healthz, /readyz), the gRPC server with the standard gRPC health
// service and eddy.v1.Daemon (who is listening here), and a channel cache for outgoing calls. A daemon's main() builds its config, creates a
// DaemonHost, adds its services, starts it, and on SIGTERM stops it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "libs/metrics/http_endpoint.h"
#include "libs/metrics/registry.h"
#include "libs/rpc/channel_cache.h"
#include "libs/rpc/server.h"
#include "proto/eddy/v1/common.pb.h"
#include "services/runtime/daemon_service.h"
#include "services/runtime/server_config.h"

namespace eddy::runtime {

// The version every daemon reports in logs, registrations and eddy_build_info.
inline constexpr char kEddyVersion[] = "0.1.0";

class DaemonHost {
 public:
  // `name` is the program name, e.g. "eddy-broker".
  DaemonHost(std::string name, eddy::v1::MemberRole role, const ServerConfig& config);
  ~DaemonHost();

  DaemonHost(const DaemonHost&) = delete;
  DaemonHost& operator=(const DaemonHost&) = delete;

  metrics::Registry& metrics() { return metrics_; }
  rpc::ChannelCache& channels() { return channels_; }
  DaemonService& daemon_service() { return daemon_service_; }

  // AddService registers a gRPC service; call before Start. Not owned.
  void AddService(grpc::Service* service);
  // Start binds the HTTP endpoint and the gRPC server; errors name the address.
  absl::Status Start();
  // The endpoints this daemon advertises: "grpc" and "http".
  std::vector<eddy::v1::Endpoint> Endpoints() const;
  int grpc_port() const { return grpc_.port(); }
  int http_port() const { return http_.port(); }
  void SetReady(bool ready) { http_.SetReady(ready); }
  // Stop marks the daemon not ready, drains gRPC for up to `grace`, then stops HTTP.
  void Stop(absl::Duration grace);

 private:
  std::string name_;
  ServerConfig config_;
  metrics::Registry metrics_;
  metrics::HttpEndpoint http_;
  DaemonService daemon_service_;
  rpc::GrpcServer grpc_;
  rpc::ChannelCache channels_;
};

// Runs `main_body` between the standard start and stop steps of a daemon: logging set up from
// `config`, effective config logged, and a watchdog that ends the process if stopping takes
// longer than --shutdown-timeout-ms. Returns the process exit code.
int RunDaemon(std::string_view name, const common::ConfigSpec& spec, const ServerConfig& config,
              const std::function<int()>& main_body);

}  // namespace eddy::runtime
