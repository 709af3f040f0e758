// Record-batch compression codecs (attributes bits 0–2: 1 gzip, 2 snappy, 3 lz4, 4 zstd;
// kafka-protocol.md §3.5). Decompression is bounded against zip bombs: output may not exceed
// `max_output_bytes` nor `max_ratio` times the input (plus 1 MiB), and
// the limit is enforced while inflating, never after. Formats accepted on read:
//   gzip   RFC 1952, concatenated members allowed (Java's GZIPInputStream reads them);
//   snappy both xerial framing (Java, kafka-python) and a raw block (librdkafka);
//   lz4    the LZ4 frame format; zstd a zstd frame.
// On write, snappy uses xerial framing with 32 KiB blocks as Java's SnappyOutputStream does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace eddy::kafka {

enum class Compression : int8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

// CompressionName returns "none", "gzip", "snappy", "lz4", "zstd" or "unknown".
std::string_view CompressionName(Compression c);

struct DecompressionLimits {
  // Hard cap on the decompressed size; the default matches a 64 MiB fetch/produce budget.
  size_t max_output_bytes = size_t{64} << 20;
  // Cap on decompressed/compressed size beyond the first 1 MiB of output, which is always allowed.
  // Real record data rarely exceeds 20x; 1024 leaves room for repetitive payloads while stopping
  // bombs (zstd reaches 10000x+), so small inputs cannot claim the full max_output_bytes.
  size_t max_ratio = 1024;
};

// Compress returns `input` compressed with `codec` (kNone copies).
absl::StatusOr<std::string> Compress(Compression codec, std::span<const uint8_t> input);

// Decompress returns `input` decompressed with `codec`. Corrupt input → InvalidArgument; output over
// the limits → ResourceExhausted; unknown codec → InvalidArgument.
absl::StatusOr<std::string> Decompress(Compression codec, std::span<const uint8_t> input,
                                       const DecompressionLimits& limits = {});

}  // namespace eddy::kafka
