#include "libs/kafka/partitioner.h"

#include <climits>

namespace eddy::kafka {

int32_t Murmur2(std::span<const uint8_t> data) {
  // Unsigned arithmetic reproduces Java's wrapping int multiply; >>> is a logical shift.
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  const size_t length = data.size();
  uint32_t h = kSeed ^ static_cast<uint32_t>(length);
  const size_t blocks = length / 4;
  for (size_t i = 0; i < blocks; ++i) {
    const uint8_t* b = data.data() + 4 * i;
    uint32_t k = uint32_t{b[0]} | (uint32_t{b[1]} << 8) | (uint32_t{b[2]} << 16) | (uint32_t{b[3]} << 24);
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  const uint8_t* tail = data.data() + (length & ~size_t{3});
  switch (length % 4) {
    case 3:
      h ^= uint32_t{tail[2]} << 16;
      [[fallthrough]];
    case 2:
      h ^= uint32_t{tail[1]} << 8;
      [[fallthrough]];
    case 1:
      h ^= uint32_t{tail[0]};
      h *= kM;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

int32_t GroupShard(std::string_view group_id, int32_t num_shards) {
  // Java's String.hashCode over UTF-16 code units: decode UTF-8, split astral code points into
  // surrogate pairs. Invalid bytes count as U+FFFD, as Java's decoder would produce.
  int32_t hash = 0;
  auto add = [&hash](uint32_t unit) {
    hash = static_cast<int32_t>(31u * static_cast<uint32_t>(hash) + unit);
  };
  const auto* s = reinterpret_cast<const unsigned char*>(group_id.data());
  const size_t n = group_id.size();
  for (size_t i = 0; i < n;) {
    uint32_t cp = 0xFFFD;
    size_t len = 1;
    const unsigned char c = s[i];
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 0x6 && i + 1 < n && (s[i + 1] >> 6) == 0x2) {
      cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
      len = 2;
    } else if ((c >> 4) == 0xE && i + 2 < n && (s[i + 1] >> 6) == 0x2 && (s[i + 2] >> 6) == 0x2) {
      cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      len = 3;
    } else if ((c >> 3) == 0x1E && i + 3 < n && (s[i + 1] >> 6) == 0x2 && (s[i + 2] >> 6) == 0x2 &&
               (s[i + 3] >> 6) == 0x2) {
      cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
           (s[i + 3] & 0x3Fu);
      len = 4;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      add(0xD800 + (cp >> 10));
      add(0xDC00 + (cp & 0x3FF));
    } else {
      add(cp);
    }
    i += len;
  }
  // Kafka's Utils.abs: Integer.MIN_VALUE maps to 0.
  const int32_t positive = hash == INT32_MIN ? 0 : (hash < 0 ? -hash : hash);
  return positive % num_shards;
}

}  // namespace eddy::kafka
