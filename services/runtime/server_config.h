// ServerConfig: the settings every Eddy daemon shares — where it listens, how it logs, where it
// keeps data and how long it may take to stop. Each daemon's own Config embeds one and binds it to
// its ConfigSpec with AddServerConfig, so the keys (`--grpc-port`, `EDDY_GRPC_PORT`, ...) read the
// same everywhere.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "libs/common/config.h"
#include "libs/common/logging.h"

namespace eddy::runtime {

struct ServerConfig {
  // Address the gRPC and HTTP listeners bind to.
  std::string listen_host = "127.0.0.1";
  // Host other members and clients are told to use; empty means listen_host.
  std::string advertised_host;
  // gRPC port (1..65535; 0 binds an ephemeral port, for tests).
  int32_t grpc_port = 0;
  // HTTP port for /metrics, /healthz and /readyz (0 binds an ephemeral port).
  int32_t http_port = 0;
  // Where the daemon keeps its files.
  std::string data_dir;
  common::LogOptions log;
  // How long SIGTERM may take before the process gives up on a clean stop (ms, 100..60000).
  int32_t shutdown_timeout_ms = 5000;

  std::string AdvertisedHost() const;
  // Validate checks what single-key bounds cannot: distinct ports.
  absl::Status Validate() const;
};

// AddServerConfig binds `config` (whose current values are the defaults) to `spec`.
void AddServerConfig(common::ConfigSpec& spec, ServerConfig* config);

// LoadConfigOrExit loads `spec` from flags, environment and config file. On --help it prints the
// usage and exits 0; with the single argument --config-reference it prints the markdown reference
// table (docs/configuration.md is made from it) and exits 0; on an invalid key or value it prints
// one line naming the key and exits 2. `validate` runs after loading; its error exits 2 the same way.
void LoadConfigOrExit(common::ConfigSpec& spec, int argc, char** argv,
                      const std::function<absl::Status()>& validate);

}  // namespace eddy::runtime
