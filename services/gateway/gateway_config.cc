#include "services/gateway/gateway_config.h"

#include "absl/strings/str_cat.h"

namespace eddy::gateway {

absl::Status GatewayConfig::Validate(const runtime::ServerConfig& server) const {
  if (kafka_port != 0 && (kafka_port == server.grpc_port || kafka_port == server.http_port)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid value for --kafka-port: ", kafka_port, " is already --grpc-port or --http-port"));
  }
  return absl::OkStatus();
}

void AddGatewayConfig(common::ConfigSpec& spec, GatewayConfig* config) {
  spec.Add("kafka-port", &config->kafka_port,
           "Port of the Kafka wire-protocol listener (0: ephemeral).", 0, 65535);
  spec.Add("socket-request-max-bytes", &config->socket_request_max_bytes,
           "Largest Kafka request frame (bytes, Kafka's socket.request.max.bytes); a larger size "
           "closes the connection.",
           1024, 1 << 30);
  spec.Add("connections-max-idle-ms", &config->connections_max_idle_ms,
           "Idle Kafka connections are closed after this long (ms, Kafka's "
           "connections.max.idle.ms).",
           100, 7LL * 24 * 3600 * 1000);
  spec.Add("max-connections-per-ip", &config->max_connections_per_ip,
           "Kafka connections accepted from one IP address (Kafka's max.connections.per.ip).", 1,
           1 << 30);
  spec.Add("max-inflight-bytes-per-connection", &config->max_inflight_bytes_per_connection,
           "Request bytes in flight on one Kafka connection before the gateway stops reading it.",
           1024, 1LL << 34);
  spec.Add("network-threads", &config->network_threads,
           "Threads running the Kafka listener's event loop (Kafka's num.network.threads).", 1,
           256);
  spec.Add("auto-create-topics-enable", &config->auto_create_topics_enable,
           "Metadata requests for unknown topics create them (Kafka's "
           "auto.create.topics.enable).");
  spec.Add("internal-request-timeout-ms", &config->internal_request_timeout_ms,
           "Deadline of controller and broker calls a client request does not bound (ms).", 100,
           600000);
}

}  // namespace eddy::gateway
