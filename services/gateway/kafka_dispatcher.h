// KafkaDispatcher: the gateway's RequestDispatcher. It decodes the request header, applies
// Kafka's connection-level rules (kafka-protocol.md §2.1: unknown API key or a version outside
// the accepted range closes the connection — except ApiVersions, which answers any version), counts
// the request, and calls the API's handler (handlers/*.cc).
#pragma once

#include "services/gateway/handlers/handler.h"
#include "services/gateway/request_dispatcher.h"

namespace eddy::gateway {

class KafkaDispatcher : public RequestDispatcher {
 public:
  // REQUIRES: `context` outlives this dispatcher and every request it starts.
  explicit KafkaDispatcher(GatewayContext& context) : context_(context) {}

  absl::Status Dispatch(ClientInfo& client, std::span<const uint8_t> payload,
                        Completion done) override;

 private:
  GatewayContext& context_;
};

}  // namespace eddy::gateway
