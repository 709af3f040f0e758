#include "libs/kafka/framing.h"

#include <limits>

#include "absl/strings/str_cat.h"

namespace eddy::kafka {

absl::StatusOr<std::optional<Frame>> NextFrame(std::span<const uint8_t> buffer,
                                               int32_t max_frame_size) {
  if (buffer.size() < kFrameSizeBytes) return std::optional<Frame>();
  const int32_t size = static_cast<int32_t>((uint32_t{buffer[0]} << 24) |
                                            (uint32_t{buffer[1]} << 16) |
                                            (uint32_t{buffer[2]} << 8) | uint32_t{buffer[3]});
  if (size < 0) return absl::InvalidArgumentError(absl::StrCat("frame: negative size ", size));
  if (size > max_frame_size) {
    return absl::ResourceExhaustedError(
        absl::StrCat("frame: size ", size, " exceeds limit ", max_frame_size));
  }
  const size_t total = kFrameSizeBytes + static_cast<size_t>(size);
  if (buffer.size() < total) return std::optional<Frame>();
  return std::optional<Frame>(Frame{buffer.subspan(kFrameSizeBytes, static_cast<size_t>(size)), total});
}

size_t BeginFrame(std::string& out) {
  const size_t start = out.size();
  out.append(kFrameSizeBytes, '\0');
  return start;
}

absl::Status EndFrame(std::string& out, size_t frame_start, size_t spliced_bytes) {
  if (frame_start + kFrameSizeBytes > out.size()) {
    return absl::InvalidArgumentError("frame: EndFrame without BeginFrame");
  }
  const size_t size = out.size() - frame_start - kFrameSizeBytes + spliced_bytes;
  if (size > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return absl::InvalidArgumentError(absl::StrCat("frame: payload of ", size, " bytes too large"));
  }
  for (int i = 0; i < 4; ++i) {
    out[frame_start + static_cast<size_t>(i)] = static_cast<char>((size >> (24 - 8 * i)) & 0xff);
  }
  return absl::OkStatus();
}

}  // namespace eddy::kafka
