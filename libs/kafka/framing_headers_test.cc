#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/kafka/framing.h"
#include "libs/kafka/headers.h"
#include "libs/kafka/messages/api_versions.h"
#include "libs/kafka/messages/metadata.h"
#include "tests/testing/status_matchers.h"

namespace eddy::kafka {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;
using ::testing::HasSubstr;

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

std::span<const uint8_t> Span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(FramingTest, SplitsCompleteFramesAndWaitsForPartialOnes) {
  std::string buf = Bytes({0, 0, 0, 2, 'h', 'i', 0, 0, 0, 3, 'a'});
  auto f = NextFrame(Span(buf));
  ASSERT_THAT(f, IsOk());
  ASSERT_TRUE(f->has_value());
  EXPECT_EQ((*f)->consumed, 6u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>((*f)->payload.data()), 2), "hi");
  auto rest = NextFrame(Span(buf).subspan(6));
  ASSERT_THAT(rest, IsOk());
  EXPECT_FALSE(rest->has_value());
  auto tiny = NextFrame(Span(buf).first(3));
  ASSERT_THAT(tiny, IsOk());
  EXPECT_FALSE(tiny->has_value());
}

TEST(FramingTest, RejectsNegativeAndOversizedFrames) {
  std::string negative = Bytes({0xff, 0xff, 0xff, 0xff});
  EXPECT_THAT(NextFrame(Span(negative)), StatusIs(absl::StatusCode::kInvalidArgument));
  std::string big = Bytes({0x10, 0, 0, 0});
  EXPECT_THAT(NextFrame(Span(big), 1024), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(FramingTest, BeginEndFramePatchesTheSize) {
  std::string out = "x";
  size_t start = BeginFrame(out);
  out += "abc";
  EXPECT_THAT(EndFrame(out, start), IsOk());
  EXPECT_EQ(out, Bytes({'x', 0, 0, 0, 3, 'a', 'b', 'c'}));
}

TEST(FramingTest, EndFrameCountsSplicedBytes) {
  std::string out;
  size_t start = BeginFrame(out);
  out += "abc";
  EXPECT_THAT(EndFrame(out, start, /*spliced_bytes=*/0x10000), IsOk());
  EXPECT_EQ(out, Bytes({0, 1, 0, 3, 'a', 'b', 'c'}));
}

TEST(HeadersTest, HeaderVersionsFollowFlexibility) {
  EXPECT_THAT(RequestHeaderVersion(3, 8), ::eddy::testing::IsOkAndHolds(1));
  EXPECT_THAT(RequestHeaderVersion(3, 9), ::eddy::testing::IsOkAndHolds(2));
  EXPECT_THAT(ResponseHeaderVersion(3, 9), ::eddy::testing::IsOkAndHolds(1));
  // KIP-511: the ApiVersions response header stays v0 even for flexible versions.
  EXPECT_THAT(ResponseHeaderVersion(kApiVersionsKey, 3), ::eddy::testing::IsOkAndHolds(0));
  EXPECT_THAT(RequestHeaderVersion(kApiVersionsKey, 3), ::eddy::testing::IsOkAndHolds(2));
  // A too-new ApiVersions probe is still parsed with the flexible header.
  EXPECT_THAT(RequestHeaderVersion(kApiVersionsKey, 100), ::eddy::testing::IsOkAndHolds(2));
  EXPECT_THAT(RequestHeaderVersion(1000, 0), StatusIs(absl::StatusCode::kNotFound));
}

TEST(HeadersTest, RequestHeaderV2KeepsInt16ClientIdLength) {
  // ApiVersions v3 as librdkafka sends it: header v2 (client_id INT16 length + empty tags), then a
  // flexible body with compact strings.
  std::string frame =
      Bytes({0, 0x12, 0, 3, 0, 0, 0, 7, 0, 7, 'r', 'd', 'k', 'a', 'f', 'k', 'a', 0,
             11, 'l', 'i', 'b', 'r', 'd', 'k', 'a', 'f', 'k', 'a', 6, '2', '.', '0', '.', '2', 0});
  Reader r(frame.data(), frame.size());
  EDDY_ASSERT_OK_AND_ASSIGN(RequestHeader h, DecodeRequestHeader(r));
  EXPECT_EQ(h.api_key, 18);
  EXPECT_EQ(h.api_version, 3);
  EXPECT_EQ(h.correlation_id, 7);
  EXPECT_EQ(h.client_id, "rdkafka");
  ApiVersionsRequest req;
  ASSERT_THAT(req.Decode(r, 3), IsOk());
  EXPECT_EQ(req.client_software_name, "librdkafka");
  EXPECT_EQ(req.client_software_version, "2.0.2");
  EXPECT_EQ(r.remaining(), 0u);

  std::string out;
  Writer w(&out);
  ASSERT_THAT(EncodeRequestHeader(h, w), IsOk());
  ASSERT_THAT(req.Encode(w, 3), IsOk());
  EXPECT_EQ(out, frame);
}

TEST(HeadersTest, NullClientIdInHeaderV1) {
  std::string bytes = Bytes({0, 3, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  Reader r(bytes.data(), bytes.size());
  EDDY_ASSERT_OK_AND_ASSIGN(RequestHeader h, DecodeRequestHeader(r));
  EXPECT_EQ(h.client_id, std::nullopt);
  // Metadata v0 with a null topic array is malformed (v0 topics are not nullable).
  MetadataRequest m;
  EXPECT_THAT(m.Decode(r, 0), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("MetadataRequest v0: topics")));
}

TEST(HeadersTest, TruncatedHeaderNamesTheField) {
  std::string bytes = Bytes({0, 3, 0, 1, 0, 0, 0, 1, 0, 5, 'a'});
  Reader r(bytes.data(), bytes.size());
  EXPECT_THAT(DecodeRequestHeader(r).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("RequestHeader: client_id")));
}

// kafka-protocol.md §2.5: the UNSUPPORTED_VERSION answer to a too-new ApiVersions request, for a
// broker supporting 0–4 and correlation id C = 0x01020304.
TEST(HeadersTest, ApiVersionsUnsupportedVersionGoldenBytes) {
  ApiVersionsResponse resp;
  resp.error_code = 35;
  resp.api_keys.push_back({.api_key = 18, .min_version = 0, .max_version = 4});
  std::string out;
  size_t start = BeginFrame(out);
  Writer w(&out);
  ASSERT_THAT(EncodeResponseHeader(ResponseHeader{.correlation_id = 0x01020304}, kApiVersionsKey,
                                   0, w),
              IsOk());
  ASSERT_THAT(resp.Encode(w, 0), IsOk());
  ASSERT_THAT(EndFrame(out, start), IsOk());
  EXPECT_EQ(out, Bytes({0, 0, 0, 0x10, 1, 2, 3, 4, 0, 0x23, 0, 0, 0, 1, 0, 0x12, 0, 0, 0, 4}));
}

TEST(HeadersTest, FlexibleResponseHeaderHasTags) {
  std::string out;
  Writer w(&out);
  ASSERT_THAT(EncodeResponseHeader(ResponseHeader{.correlation_id = 9}, 3, 12, w), IsOk());
  EXPECT_EQ(out, Bytes({0, 0, 0, 9, 0}));
  Reader r(out.data(), out.size());
  EDDY_ASSERT_OK_AND_ASSIGN(ResponseHeader h, DecodeResponseHeader(r, 3, 12));
  EXPECT_EQ(h.correlation_id, 9);
  EXPECT_EQ(r.remaining(), 0u);
}

}  // namespace
}  // namespace eddy::kafka
