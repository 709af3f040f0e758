// The controller's typed configuration. Keys, defaults and bounds are bound in Bind(); see
// docs/configuration.md.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "libs/common/config.h"
#include "services/runtime/server_config.h"

namespace eddy::controller {

struct Config {
  runtime::ServerConfig server = DefaultServer();
  // This controller's id in the quorum (1..2^31-1).
  int32_t node_id = 1;
  // Lease a member's registration or heartbeat buys (ms, 100..600000); Kafka's
  // broker.session.timeout.ms.
  int32_t member_session_timeout_ms = 9000;
  // Interval members are asked to heartbeat at (ms, 10..60000); Kafka's
  // broker.heartbeat.interval.ms. Must be below the session timeout.
  int32_t member_heartbeat_interval_ms = 2000;

  void Bind(common::ConfigSpec& spec);
  absl::Status Validate() const;

 private:
  static runtime::ServerConfig DefaultServer();
};

}  // namespace eddy::controller
