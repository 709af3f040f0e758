#include "libs/kafka/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"

namespace eddy::kafka {
namespace {

constexpr size_t kChunk = 64 * 1024;
// Allowance under the ratio cap: output up to 1 MiB (Kafka's default max.message.bytes) is always
// allowed, since a legitimate batch of zeros compresses far beyond any sane ratio.
constexpr size_t kRatioSlack = 1 << 20;
// xerial snappy-java stream header: magic, version 1, minimum compatible version 1.
constexpr unsigned char kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeaderSize = 16;
constexpr size_t kXerialBlockSize = 32 * 1024;

size_t OutputLimit(std::span<const uint8_t> input, const DecompressionLimits& limits) {
  const size_t by_ratio = input.size() > (SIZE_MAX - kRatioSlack) / std::max<size_t>(limits.max_ratio, 1)
                              ? SIZE_MAX
                              : input.size() * limits.max_ratio + kRatioSlack;
  return std::min(limits.max_output_bytes, by_ratio);
}

absl::string_view Name(Compression c) {
  const std::string_view n = CompressionName(c);
  return absl::string_view(n.data(), n.size());
}

absl::Status TooLarge(Compression c, size_t limit) {
  return absl::ResourceExhaustedError(absl::StrCat(Name(c), ": decompressed size exceeds ",
                                                   limit, " bytes"));
}

absl::Status Corrupt(Compression c, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(Name(c), ": ", absl::string_view(what.data(), what.size())));
}

uint32_t LoadBe32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void AppendBe32(std::string& out, uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 4);
}

// ---- gzip

absl::StatusOr<std::string> GzipCompress(std::span<const uint8_t> input) {
  z_stream zs{};
  // windowBits 15 + 16 selects the gzip wrapper.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::InternalError("gzip: deflateInit2 failed");
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(input.size())) + 32, '\0');
  zs.next_in = const_cast<Bytef*>(input.data());
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return absl::InternalError("gzip: deflate failed");
  return out;
}

absl::StatusOr<std::string> GzipDecompress(std::span<const uint8_t> input, size_t limit) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return absl::InternalError("gzip: inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  std::string out;
  zs.next_in = const_cast<Bytef*>(input.data());
  zs.avail_in = static_cast<uInt>(input.size());
  while (true) {
    const size_t before = out.size();
    out.resize(before + kChunk);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    zs.avail_out = static_cast<uInt>(kChunk);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out.resize(before + kChunk - zs.avail_out);
    if (out.size() > limit) return TooLarge(Compression::kGzip, limit);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows.
      if (inflateReset(&zs) != Z_OK) return Corrupt(Compression::kGzip, "bad member");
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) return Corrupt(Compression::kGzip, "truncated stream");
    if (rc != Z_OK) return Corrupt(Compression::kGzip, zs.msg != nullptr ? zs.msg : "corrupt stream");
  }
  return out;
}

// ---- snappy

absl::Status SnappyRawAppend(const char* data, size_t size, size_t limit, std::string& out) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(data, size, &n)) return Corrupt(Compression::kSnappy, "bad block");
  if (n > limit || out.size() + n > limit) return TooLarge(Compression::kSnappy, limit);
  const size_t before = out.size();
  out.resize(before + n);
  if (!snappy::RawUncompress(data, size, out.data() + before)) {
    return Corrupt(Compression::kSnappy, "corrupt block");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SnappyDecompress(std::span<const uint8_t> input, size_t limit) {
  std::string out;
  const char* p = reinterpret_cast<const char*>(input.data());
  const bool xerial = input.size() >= kXerialHeaderSize &&
                      std::memcmp(input.data(), kXerialMagic, sizeof(kXerialMagic)) == 0;
  if (!xerial) {
    if (auto s = SnappyRawAppend(p, input.size(), limit, out); !s.ok()) return s;
    return out;
  }
  size_t pos = kXerialHeaderSize;
  while (pos < input.size()) {
    if (input.size() - pos < 4) return Corrupt(Compression::kSnappy, "truncated xerial block length");
    const uint32_t len = LoadBe32(input.data() + pos);
    pos += 4;
    if (len > input.size() - pos) return Corrupt(Compression::kSnappy, "truncated xerial block");
    if (auto s = SnappyRawAppend(p + pos, len, limit, out); !s.ok()) return s;
    pos += len;
  }
  return out;
}

absl::StatusOr<std::string> SnappyCompress(std::span<const uint8_t> input) {
  std::string out(reinterpret_cast<const char*>(kXerialMagic), sizeof(kXerialMagic));
  AppendBe32(out, 1);
  AppendBe32(out, 1);
  std::string block;
  for (size_t pos = 0; pos < input.size(); pos += kXerialBlockSize) {
    const size_t n = std::min(kXerialBlockSize, input.size() - pos);
    snappy::Compress(reinterpret_cast<const char*>(input.data() + pos), n, &block);
    AppendBe32(out, static_cast<uint32_t>(block.size()));
    out += block;
  }
  return out;
}

// ---- lz4 frame

absl::StatusOr<std::string> Lz4Compress(std::span<const uint8_t> input) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  std::string out(LZ4F_compressFrameBound(input.size(), &prefs), '\0');
  const size_t n = LZ4F_compressFrame(out.data(), out.size(), input.data(), input.size(), &prefs);
  if (LZ4F_isError(n)) return absl::InternalError(absl::StrCat("lz4: ", LZ4F_getErrorName(n)));
  out.resize(n);
  return out;
}

absl::StatusOr<std::string> Lz4Decompress(std::span<const uint8_t> input, size_t limit) {
  LZ4F_dctx* dctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) {
    return absl::InternalError("lz4: cannot create context");
  }
  std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> guard(dctx, LZ4F_freeDecompressionContext);
  std::string out;
  size_t pos = 0;
  size_t hint = 1;
  while (pos < input.size() && hint != 0) {
    const size_t before = out.size();
    out.resize(before + kChunk);
    size_t dst = kChunk;
    size_t src = input.size() - pos;
    hint = LZ4F_decompress(dctx, out.data() + before, &dst, input.data() + pos, &src, nullptr);
    out.resize(before + dst);
    if (LZ4F_isError(hint)) return Corrupt(Compression::kLz4, LZ4F_getErrorName(hint));
    if (out.size() > limit) return TooLarge(Compression::kLz4, limit);
    pos += src;
    if (src == 0 && dst == 0) return Corrupt(Compression::kLz4, "no progress");
  }
  // Drain output still buffered in the context once all input is consumed.
  while (hint != 0) {
    const size_t before = out.size();
    out.resize(before + kChunk);
    size_t dst = kChunk;
    size_t src = 0;
    hint = LZ4F_decompress(dctx, out.data() + before, &dst, nullptr, &src, nullptr);
    out.resize(before + dst);
    if (LZ4F_isError(hint)) return Corrupt(Compression::kLz4, LZ4F_getErrorName(hint));
    if (out.size() > limit) return TooLarge(Compression::kLz4, limit);
    if (dst == 0) return Corrupt(Compression::kLz4, "truncated frame");
  }
  return out;
}

// ---- zstd

absl::StatusOr<std::string> ZstdCompress(std::span<const uint8_t> input) {
  std::string out(ZSTD_compressBound(input.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), 3);
  if (ZSTD_isError(n)) return absl::InternalError(absl::StrCat("zstd: ", ZSTD_getErrorName(n)));
  out.resize(n);
  return out;
}

absl::StatusOr<std::string> ZstdDecompress(std::span<const uint8_t> input, size_t limit) {
  std::unique_ptr<ZSTD_DStream, size_t (*)(ZSTD_DStream*)> ds(ZSTD_createDStream(), ZSTD_freeDStream);
  if (!ds) return absl::InternalError("zstd: cannot create stream");
  ZSTD_initDStream(ds.get());
  // Refuse frames whose window would need more memory than the output limit allows.
  ZSTD_DCtx_setParameter(ds.get(), ZSTD_d_windowLogMax, 27);
  std::string out;
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  size_t ret = 1;
  while (in.pos < in.size || ret != 0) {
    const size_t before = out.size();
    out.resize(before + kChunk);
    ZSTD_outBuffer ob{out.data() + before, kChunk, 0};
    const size_t in_before = in.pos;
    ret = ZSTD_decompressStream(ds.get(), &ob, &in);
    out.resize(before + ob.pos);
    if (ZSTD_isError(ret)) return Corrupt(Compression::kZstd, ZSTD_getErrorName(ret));
    if (out.size() > limit) return TooLarge(Compression::kZstd, limit);
    if (ret != 0 && in.pos == in.size && ob.pos < kChunk) {
      return Corrupt(Compression::kZstd, "truncated frame");
    }
    if (in.pos == in_before && ob.pos == 0) return Corrupt(Compression::kZstd, "no progress");
  }
  return out;
}

}  // namespace

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kSnappy: return "snappy";
    case Compression::kLz4: return "lz4";
    case Compression::kZstd: return "zstd";
  }
  return "unknown";
}

absl::StatusOr<std::string> Compress(Compression codec, std::span<const uint8_t> input) {
  switch (codec) {
    case Compression::kNone: return std::string(reinterpret_cast<const char*>(input.data()), input.size());
    case Compression::kGzip: return GzipCompress(input);
    case Compression::kSnappy: return SnappyCompress(input);
    case Compression::kLz4: return Lz4Compress(input);
    case Compression::kZstd: return ZstdCompress(input);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown compression codec ", static_cast<int>(codec)));
}

absl::StatusOr<std::string> Decompress(Compression codec, std::span<const uint8_t> input,
                                       const DecompressionLimits& limits) {
  const size_t limit = OutputLimit(input, limits);
  switch (codec) {
    case Compression::kNone:
      if (input.size() > limit) return TooLarge(codec, limit);
      return std::string(reinterpret_cast<const char*>(input.data()), input.size());
    case Compression::kGzip: return GzipDecompress(input, limit);
    case Compression::kSnappy: return SnappyDecompress(input, limit);
    case Compression::kLz4: return Lz4Decompress(input, limit);
    case Compression::kZstd: return ZstdDecompress(input, limit);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown compression codec ", static_cast<int>(codec)));
}

}  // namespace eddy::kafka
