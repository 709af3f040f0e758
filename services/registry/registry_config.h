// RegistryConfig: eddy-registry's own settings, next to the ServerConfig and MembershipConfig
// every member daemon has. Bound to the daemon's ConfigSpec by AddRegistryConfig, so each key has
// a flag, an EDDY_* variable and a config-file key (--rest-port, EDDY_REST_PORT, rest-port).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "libs/common/config.h"
#include "services/runtime/server_config.h"

namespace eddy::registry {

struct RegistryConfig {
  // Port of the Confluent-compatible REST API (1..65535; 0 binds an ephemeral port, for tests).
  int32_t rest_port = 8081;
  // Worker threads serving REST; each open keep-alive connection holds one (1..4096).
  int32_t rest_threads = 64;
  // Largest request body accepted (bytes, 1 KiB..1 GiB); larger ones get HTTP 413.
  int64_t rest_max_body_bytes = 32LL << 20;
  // Largest schema text accepted (bytes, 1 KiB..1 GiB); larger ones get 42209.
  int64_t max_schema_bytes = 8LL << 20;
  // Replicas of a replicated registry as id@host:port,... (their gRPC addresses; --node-id is this
  // replica's id). Empty: a single replica.
  std::string quorum_voters;
  // Raft tick (ms); the leader heartbeats every tick.
  int32_t quorum_tick_ms = 50;
  // Followers start an election after hearing nothing from the leader for this long (ms).
  int32_t quorum_election_timeout_ms = 500;
  // Applied log entries between snapshots of the store.
  int64_t quorum_snapshot_entries = 10000;
  // How long a write may wait for the quorum (commit, forwarding, a follower catching up) (ms).
  int32_t quorum_request_timeout_ms = 5000;

  // Validate checks what single-key bounds cannot: the REST port differs from the others; the
  // voter list parses and names `node_id`; the election timeout spans at least two ticks.
  absl::Status Validate(const runtime::ServerConfig& server, int32_t node_id) const;
};

void AddRegistryConfig(common::ConfigSpec& spec, RegistryConfig* config);

}  // namespace eddy::registry
