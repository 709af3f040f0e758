// The life of a daemon that is a cluster member (broker, coordinator, registry, gateway): start the
// DaemonHost, register with the controller through a MemberAgent, report ready once registered,
// and on SIGTERM announce a controlled shutdown and stop within --shutdown-timeout-ms.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "libs/common/config.h"
#include "proto/eddy/v1/common.pb.h"
#include "services/runtime/daemon_host.h"
#include "services/runtime/server_config.h"

namespace eddy::runtime {

// MembershipConfig: who this member is and where the controllers are.
struct MembershipConfig {
  // Comma-separated controller gRPC addresses, host:port.
  std::string controllers = "127.0.0.1:9093";
  // Member id, unique among members of the same role (Kafka's node.id / broker.id).
  int32_t node_id = 1;
  // Rack for rack-aware replica placement (Kafka's broker.rack); empty for none.
  std::string rack;

  std::vector<std::string> ControllerTargets() const;
  absl::Status Validate() const;
};

void AddMembershipConfig(common::ConfigSpec& spec, MembershipConfig* config);

struct MemberDaemon {
  std::string_view name;          // "eddy-broker"
  std::string_view metric_prefix; // "eddy_broker"
  eddy::v1::MemberRole role;
  const common::ConfigSpec* spec;
  const ServerConfig* server;
  const MembershipConfig* membership;
  std::vector<grpc::Service*> services;
  // start, if set, brings up the daemon's own components once the host serves and before the
  // member registers (so "ready" implies they serve too); it may append endpoints to advertise
  // (e.g. the registry's "rest"). An error stops the daemon with exit code 1.
  std::function<absl::Status(DaemonHost& host, std::vector<eddy::v1::Endpoint>& endpoints)> start;
  // stop, if set, stops them after the member has announced its shutdown, before the host stops.
  std::function<void()> stop;
  // previous_member_epoch, if set, runs after start and gives the epoch to register with as
  // RegisterMemberRequest.previous_member_epoch (brokers, KIP-966).
  std::function<int64_t()> previous_member_epoch;
  // stopped, if set, runs after stop with the member epoch this run held (0 if it never
  // registered), so a broker can record a clean shutdown.
  std::function<void(int64_t member_epoch)> stopped;
};

// RunMemberDaemon runs `daemon` until SIGTERM/SIGINT and returns the process exit code.
// REQUIRES: common::TerminationSignals::Block() was called before any thread started.
int RunMemberDaemon(const MemberDaemon& daemon);

}  // namespace eddy::runtime
