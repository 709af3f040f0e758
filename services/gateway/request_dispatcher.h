// The seam between the Kafka listener (bytes, connections, ordering) and request handling (what a
// request means). The listener reads one frame, hands its payload (request header + body) to a
// RequestDispatcher, and writes whatever the dispatcher completes, in request order.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace eddy::gateway {

// ClientInfo is what the gateway knows about one client connection.
struct ClientInfo {
  std::string peer;  // "ip:port"
  // From ApiVersions v3+ (KIP-511); "unknown" until the client says.
  std::string software_name = "unknown";
  std::string software_version = "unknown";
};

// ResponseFrame completes one request: the whole response frame (size prefix included), or
// std::nullopt when Kafka sends no response (Produce with acks=0). An error closes the
// connection (a response that cannot be encoded, or a request Kafka answers by disconnecting).
using ResponseFrame = absl::StatusOr<std::optional<std::string>>;
// Completion delivers the answer of one request. It may run on any thread, exactly once.
using Completion = std::function<void(ResponseFrame)>;

class RequestDispatcher {
 public:
  virtual ~RequestDispatcher() = default;
  // Dispatch starts handling one request frame payload. `payload` is only valid during the call.
  // A non-OK status means Kafka would close the connection (unparsable header or body, unknown
  // API key, unsupported version other than ApiVersions'); `done` is then never called.
  // Otherwise `done` is called exactly once, now or later.
  // Thread-safety: called on the connection's strand; `client` is only used during the call.
  virtual absl::Status Dispatch(ClientInfo& client, std::span<const uint8_t> payload,
                                Completion done) = 0;
};

}  // namespace eddy::gateway
