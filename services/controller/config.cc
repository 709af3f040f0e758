#include "services/controller/config.h"

#include "absl/strings/str_cat.h"

namespace eddy::controller {

runtime::ServerConfig Config::DefaultServer() {
  runtime::ServerConfig server;
  server.grpc_port = 9093;
  server.http_port = 9601;
  server.data_dir = "./data/controller";
  return server;
}

void Config::Bind(common::ConfigSpec& spec) {
  runtime::AddServerConfig(spec, &server);
  spec.Add("node-id", &node_id, "This controller's id in the quorum.", 1, 2147483647);
  spec.Add("member-session-timeout-ms", &member_session_timeout_ms,
           "Lease (ms) a member's registration or heartbeat buys; after it the member is fenced.",
           100, 600000);
  spec.Add("member-heartbeat-interval-ms", &member_heartbeat_interval_ms,
           "Interval (ms) members are asked to heartbeat at.", 10, 60000);
}

absl::Status Config::Validate() const {
  if (absl::Status status = server.Validate(); !status.ok()) return status;
  if (member_heartbeat_interval_ms >= member_session_timeout_ms) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid value for --member-heartbeat-interval-ms: ", member_heartbeat_interval_ms,
        " must be below --member-session-timeout-ms (", member_session_timeout_ms, ")"));
  }
  return absl::OkStatus();
}

}  // namespace eddy::controller
