#include "libs/kafka/compression.h"

#include <snappy.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace eddy::kafka {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;

std::span<const uint8_t> Span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string Sample(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>("kafka records "[i % 14] + (i / 997) % 3));
  return s;
}

class CodecTest : public ::testing::TestWithParam<Compression> {};

TEST_P(CodecTest, RoundTripsSmallAndLargeInputs) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{300000}}) {
    const std::string input = Sample(n);
    EDDY_ASSERT_OK_AND_ASSIGN(std::string compressed, Compress(GetParam(), Span(input)));
    EDDY_ASSERT_OK_AND_ASSIGN(std::string output, Decompress(GetParam(), Span(compressed)));
    EXPECT_EQ(output, input) << CompressionName(GetParam()) << " " << n;
  }
}

TEST_P(CodecTest, BombsAreStoppedByTheLimits) {
  const std::string zeros(16 << 20, '\0');
  EDDY_ASSERT_OK_AND_ASSIGN(std::string compressed, Compress(GetParam(), Span(zeros)));
  EXPECT_THAT(Decompress(GetParam(), Span(compressed), {.max_output_bytes = 1 << 20}),
              StatusIs(absl::StatusCode::kResourceExhausted));
  if (GetParam() != Compression::kNone) {
    // The ratio cap alone also stops it.
    EXPECT_THAT(Decompress(GetParam(), Span(compressed), {.max_ratio = 2}),
                StatusIs(absl::StatusCode::kResourceExhausted));
  }
}

TEST_P(CodecTest, CorruptInputIsAnErrorNotACrash) {
  if (GetParam() == Compression::kNone) return;
  const std::string input = Sample(5000);
  EDDY_ASSERT_OK_AND_ASSIGN(std::string compressed, Compress(GetParam(), Span(input)));
  for (size_t n = 0; n + 1 < compressed.size(); n += 7) {
    auto truncated = Decompress(GetParam(), Span(compressed).first(n));
    if (truncated.ok()) {
      EXPECT_NE(*truncated, input);
    }
  }
  for (size_t i = 0; i < compressed.size(); i += 5) {
    std::string bad = compressed;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    Decompress(GetParam(), Span(bad)).status().IgnoreError();
  }
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecTest,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kSnappy, Compression::kLz4,
                                           Compression::kZstd),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

TEST(SnappyTest, WritesXerialFramingAndReadsRawBlocks) {
  const std::string input = Sample(100000);
  EDDY_ASSERT_OK_AND_ASSIGN(std::string framed, Compress(Compression::kSnappy, Span(input)));
  EXPECT_EQ(framed.substr(0, 16), std::string("\x82SNAPPY\0\0\0\0\x01\0\0\0\x01", 16));
  std::string raw;
  snappy::Compress(input.data(), input.size(), &raw);
  EXPECT_THAT(Decompress(Compression::kSnappy, Span(raw)), ::eddy::testing::IsOkAndHolds(input));
}

TEST(GzipTest, ReadsConcatenatedMembers) {
  EDDY_ASSERT_OK_AND_ASSIGN(std::string a, Compress(Compression::kGzip, Span(std::string("abc"))));
  EDDY_ASSERT_OK_AND_ASSIGN(std::string b, Compress(Compression::kGzip, Span(std::string("def"))));
  EXPECT_THAT(Decompress(Compression::kGzip, Span(a + b)), ::eddy::testing::IsOkAndHolds(std::string("abcdef")));
}

TEST(CompressionTest, UnknownCodecIsRejected) {
  EXPECT_THAT(Decompress(static_cast<Compression>(5), Span(std::string("x"))),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace eddy::kafka
