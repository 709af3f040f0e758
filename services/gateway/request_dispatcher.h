// The seam between the Kafka listener (bytes, connections, ordering) and request handling (what a
// request means). The listener reads one frame, hands its payload (request header + body) to a
// RequestDispatcher, and writes whatever the dispatcher completes, in request order.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/kafka/writer.h"

namespace eddy::gateway {

// ClientInfo is what the gateway knows about one client connection.
struct ClientInfo {
  std::string peer;  // "ip:port"
  // From ApiVersions v3+ (KIP-511); "unknown" until the client says.
  std::string software_name = "unknown";
  std::string software_version = "unknown";
};

// OutboundFrame is one whole response frame (size prefix included) as written to the socket:
// `encoded` with each splice's bytes inserted at its offset. Large byte fields (fetched record
// batches) stay where the broker's answer put them, owned by `keep_alive`, and are written with
// gather I/O instead of being copied into the frame.
// Invariant: splices are in offset order, every offset <= encoded.size().
struct OutboundFrame {
  OutboundFrame() = default;
  // A frame without splices (implicit, so a std::string completes a request).
  OutboundFrame(std::string frame) : encoded(std::move(frame)) {}  // NOLINT(runtime/explicit)

  // size is the frame's length on the wire.
  size_t size() const {
    size_t n = encoded.size();
    for (const kafka::Splice& splice : splices) n += splice.bytes.size();
    return n;
  }

  // ForEachRun calls `run(std::string_view)` with the frame's bytes in wire order, empty runs left
  // out.
  template <typename Run>
  void ForEachRun(Run&& run) const {
    size_t at = 0;
    for (const kafka::Splice& splice : splices) {
      if (splice.offset > at) run(std::string_view(encoded).substr(at, splice.offset - at));
      if (!splice.bytes.empty()) run(splice.bytes);
      at = splice.offset;
    }
    if (at < encoded.size()) run(std::string_view(encoded).substr(at));
  }

  // Flatten returns the frame as one string (tests, small frames).
  std::string Flatten() const {
    std::string out;
    out.reserve(size());
    ForEachRun([&out](std::string_view bytes) { out.append(bytes); });
    return out;
  }

  std::string encoded;
  std::vector<kafka::Splice> splices;
  std::shared_ptr<const void> keep_alive;
};

// ResponseFrame completes one request: the whole response frame, or std::nullopt when Kafka sends
// no response (Produce with acks=0). An error closes the connection (a response that cannot be
// encoded, or a request Kafka answers by disconnecting).
using ResponseFrame = absl::StatusOr<std::optional<OutboundFrame>>;
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
