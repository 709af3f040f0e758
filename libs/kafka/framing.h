// Kafka framing: every request and response is `INT32 size` (big-endian, counting the bytes after
// it) followed by that many bytes (protocol guide "Common Request and Response Structure").
// NextFrame splits a receive buffer into frames without copying and rejects negative or oversized
// sizes before any allocation; the limit mirrors Kafka's socket.request.max.bytes (100 MiB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace eddy::kafka {

// kDefaultMaxFrameSize is Kafka's default socket.request.max.bytes.
inline constexpr int32_t kDefaultMaxFrameSize = 104857600;
inline constexpr size_t kFrameSizeBytes = 4;

// Frame is one complete frame found at the start of a buffer.
struct Frame {
  std::span<const uint8_t> payload;  // the bytes after the size prefix
  size_t consumed;                   // prefix + payload: how far to advance the buffer
};

// NextFrame returns the frame at the start of `buffer`, std::nullopt when more bytes are needed,
// or InvalidArgument (negative size) / ResourceExhausted (size > max_frame_size) — both mean the
// connection must be closed.
absl::StatusOr<std::optional<Frame>> NextFrame(std::span<const uint8_t> buffer,
                                               int32_t max_frame_size = kDefaultMaxFrameSize);

// BeginFrame appends a placeholder size to `out` and returns its offset; EndFrame patches it with
// the number of bytes appended since plus `spliced_bytes` (those a splicing Writer left out of
// `out`, writer.h). Lets a message be encoded straight into the send buffer.
size_t BeginFrame(std::string& out);
absl::Status EndFrame(std::string& out, size_t frame_start, size_t spliced_bytes = 0);

}  // namespace eddy::kafka
