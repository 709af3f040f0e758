// GatewayConfig: eddy-gateway's own settings next to the ServerConfig and MembershipConfig every
// member daemon has. The Kafka listener's limits carry Kafka's broker key names and defaults
// (socket.request.max.bytes, connections.max.idle.ms, max.connections.per.ip,
// auto.create.topics.enable) in Eddy's dash-case.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "libs/common/config.h"
#include "services/runtime/server_config.h"

namespace eddy::gateway {

struct GatewayConfig {
  // Port of the Kafka wire-protocol listener (0..65535; 0 binds an ephemeral port, for tests).
  int32_t kafka_port = 9092;
  // Largest request frame accepted (bytes; Kafka's socket.request.max.bytes, 104857600). A larger
  // size prefix closes the connection before anything is allocated.
  int32_t socket_request_max_bytes = 104857600;
  // A connection with no request in flight and no traffic for this long is closed (ms; Kafka's
  // connections.max.idle.ms, 600000).
  int64_t connections_max_idle_ms = 600000;
  // Connections accepted from one IP address at a time (Kafka's max.connections.per.ip, which
  // defaults to unbounded; Eddy bounds it). Further connections are closed at once.
  int32_t max_connections_per_ip = 1000;
  // Request bytes a connection may have in flight before the gateway stops reading from it
  // (backpressure; bytes, at least one maximal frame fits regardless).
  int64_t max_inflight_bytes_per_connection = 64LL << 20;
  // Threads running the Kafka listener's event loop (Kafka's num.network.threads).
  int32_t network_threads = 2;
  // Metadata requests for unknown topics create them (Kafka's auto.create.topics.enable, true).
  bool auto_create_topics_enable = true;
  // Deadline of a call to the controller or a broker that the client's request does not bound
  // (ms, Kafka's request.timeout.ms default).
  int32_t internal_request_timeout_ms = 30000;

  // Validate checks what single-key bounds cannot: the Kafka port differs from the others.
  absl::Status Validate(const runtime::ServerConfig& server) const;
};

void AddGatewayConfig(common::ConfigSpec& spec, GatewayConfig* config);

}  // namespace eddy::gateway
