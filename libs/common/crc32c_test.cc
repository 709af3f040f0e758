#include "libs/common/crc32c.h"

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "libs/common/internal/crc32c_impl.h"

namespace eddy::common {
namespace {

using Impl = uint32_t (*)(uint32_t, const uint8_t*, size_t);

struct Vector {
  std::vector<uint8_t> data;
  uint32_t crc;
};

// RFC 3720 appendix B.4, plus the customary check value of "123456789".
std::vector<Vector> KnownVectors() {
  std::vector<Vector> v;
  v.push_back({std::vector<uint8_t>(32, 0x00), 0x8A9136AA});
  v.push_back({std::vector<uint8_t>(32, 0xFF), 0x62A8AB43});
  std::vector<uint8_t> ascending(32);
  std::vector<uint8_t> descending(32);
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<uint8_t>(i);
    descending[i] = static_cast<uint8_t>(31 - i);
  }
  v.push_back({ascending, 0x46DD794E});
  v.push_back({descending, 0x113FDB5C});
  v.push_back({{0x01, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
                0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
               0xD9963A56});
  const std::string_view check = "123456789";
  v.push_back({std::vector<uint8_t>(check.begin(), check.end()), 0xE3069283});
  v.push_back({{}, 0});
  return v;
}

std::vector<std::pair<std::string, Impl>> Implementations() {
  std::vector<std::pair<std::string, Impl>> impls = {
      {"portable", &internal::Crc32cPortableExtend}};
  if (internal::Crc32cSse42Available()) impls.emplace_back("sse42", &internal::Crc32cSse42Extend);
  return impls;
}

std::vector<uint8_t> RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

TEST(Crc32cTest, KnownVectorsPublicApi) {
  for (const Vector& v : KnownVectors()) {
    EXPECT_EQ(Crc32c(std::span<const uint8_t>(v.data)), v.crc);
    EXPECT_EQ(Crc32c(v.data.data(), v.data.size()), v.crc);
    EXPECT_EQ(Crc32cExtend(0, v.data.data(), v.data.size()), v.crc);
  }
}

TEST(Crc32cTest, KnownVectorsEachImplementation) {
  for (const auto& [name, impl] : Implementations()) {
    for (const Vector& v : KnownVectors()) {
      EXPECT_EQ(impl(0, v.data.data(), v.data.size()), v.crc) << name << " size " << v.data.size();
    }
  }
}

TEST(Crc32cTest, HardwarePathAvailableOnX86) {
#if defined(__x86_64__)
  // Every x86-64 machine Eddy targets has SSE4.2; losing it would silently cost 10x throughput.
  EXPECT_TRUE(internal::Crc32cSse42Available());
#else
  GTEST_SKIP() << "not x86-64";
#endif
}

TEST(Crc32cTest, ExtendEqualsWholeAtEverySplit) {
  const std::vector<uint8_t> data = RandomBytes(1000, 1);
  const uint32_t whole = Crc32c(data.data(), data.size());
  for (size_t split = 0; split <= data.size(); ++split) {
    const uint32_t head = Crc32c(data.data(), split);
    ASSERT_EQ(Crc32cExtend(head, data.data() + split, data.size() - split), whole) << split;
  }
}

TEST(Crc32cTest, ImplementationsAgreeOnRandomInputs) {
  if (!internal::Crc32cSse42Available()) GTEST_SKIP() << "no SSE4.2";
  const std::vector<uint8_t> buffer = RandomBytes(4096 + 16, 2);
  std::mt19937_64 rng(3);
  for (size_t len = 0; len <= 4096; ++len) {
    const size_t start = len % 16;  // Every alignment, repeatedly.
    const uint32_t seed_crc = (len % 3 == 0) ? 0 : static_cast<uint32_t>(rng());
    const uint8_t* p = buffer.data() + start;
    ASSERT_EQ(internal::Crc32cSse42Extend(seed_crc, p, len),
              internal::Crc32cPortableExtend(seed_crc, p, len))
        << "len " << len << " start " << start;
  }
}

TEST(Crc32cTest, ImplementationsAgreeOnLargeInputs) {
  if (!internal::Crc32cSse42Available()) GTEST_SKIP() << "no SSE4.2";
  // Sizes around the interleaved block boundaries (3 x 256 and 3 x 8192 bytes).
  const std::vector<uint8_t> buffer = RandomBytes((1 << 20) + 64, 4);
  for (size_t len : {767u, 768u, 769u, 24575u, 24576u, 24577u, 24576u * 2 + 768u + 13u,
                     (1u << 20) - 1u, 1u << 20}) {
    for (size_t start : {0u, 1u, 7u}) {
      const uint8_t* p = buffer.data() + start;
      ASSERT_EQ(internal::Crc32cSse42Extend(0, p, len), internal::Crc32cPortableExtend(0, p, len))
          << "len " << len << " start " << start;
    }
  }
}

TEST(Crc32cTest, DetectsSingleBitFlips) {
  std::vector<uint8_t> data = RandomBytes(4096, 5);
  const uint32_t original = Crc32c(data.data(), data.size());
  for (size_t bit = 0; bit < data.size() * 8; bit += 97) {
    data[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_NE(Crc32c(data.data(), data.size()), original) << bit;
    data[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
}

}  // namespace
}  // namespace eddy::common
