#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/kafka/reader.h"
#include "libs/kafka/writer.h"
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

Reader ReaderOf(const std::string& s) { return Reader(s.data(), s.size()); }

TEST(PrimitivesTest, FixedWidthIntegersAreBigEndian) {
  std::string out;
  Writer w(&out);
  EXPECT_THAT(w.Int16(int16_t{0x0102}, "a"), IsOk());
  EXPECT_THAT(w.Int32(int32_t{-2}, "b"), IsOk());
  EXPECT_THAT(w.Int64(int64_t{0x0102030405060708}, "c"), IsOk());
  EXPECT_THAT(w.Uint32(uint32_t{0xfffffffe}, "d"), IsOk());
  EXPECT_EQ(out, Bytes({1, 2, 0xff, 0xff, 0xff, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xfe}));
  Reader r = ReaderOf(out);
  int16_t a;
  int32_t b;
  int64_t c;
  uint32_t d;
  EXPECT_THAT(r.Int16(a, "a"), IsOk());
  EXPECT_THAT(r.Int32(b, "b"), IsOk());
  EXPECT_THAT(r.Int64(c, "c"), IsOk());
  EXPECT_THAT(r.Uint32(d, "d"), IsOk());
  EXPECT_EQ(a, 0x0102);
  EXPECT_EQ(b, -2);
  EXPECT_EQ(c, 0x0102030405060708);
  EXPECT_EQ(d, 0xfffffffe);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(PrimitivesTest, TruncatedReadNamesTheField) {
  std::string in = Bytes({0, 1, 2});
  Reader r = ReaderOf(in);
  int32_t v;
  EXPECT_THAT(r.Int32(v, "throttle_time_ms"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("throttle_time_ms: truncated")));
}

TEST(PrimitivesTest, UnsignedVarintMatchesKafkaEncoding) {
  struct Case {
    uint32_t value;
    std::string bytes;
  };
  for (const Case& c : {Case{0, Bytes({0})}, Case{1, Bytes({1})}, Case{127, Bytes({0x7f})},
                        Case{128, Bytes({0x80, 0x01})}, Case{300, Bytes({0xac, 0x02})},
                        Case{0xffffffff, Bytes({0xff, 0xff, 0xff, 0xff, 0x0f})}}) {
    std::string out;
    Writer w(&out);
    EXPECT_THAT(w.UnsignedVarint(c.value, "v"), IsOk());
    EXPECT_EQ(out, c.bytes) << c.value;
    EXPECT_EQ(UnsignedVarintSize(c.value), c.bytes.size());
    Reader r = ReaderOf(out);
    uint32_t back = 0;
    EXPECT_THAT(r.UnsignedVarint(back, "v"), IsOk());
    EXPECT_EQ(back, c.value);
  }
}

TEST(PrimitivesTest, OverlongUnsignedVarintIsRejected) {
  std::string in = Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  Reader r = ReaderOf(in);
  uint32_t v;
  EXPECT_THAT(r.UnsignedVarint(v, "count"), StatusIs(absl::StatusCode::kInvalidArgument));
  std::string unterminated = Bytes({0x80, 0x80});
  Reader r2 = ReaderOf(unterminated);
  EXPECT_THAT(r2.UnsignedVarint(v, "count"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PrimitivesTest, ZigZagVarintsRoundTrip) {
  // ZigZag maps 0,-1,1,-2 to 0,1,2,3 (Kafka ByteUtils).
  std::string out;
  Writer w(&out);
  EXPECT_THAT(w.Varint(int32_t{0}, "a"), IsOk());
  EXPECT_THAT(w.Varint(int32_t{-1}, "a"), IsOk());
  EXPECT_THAT(w.Varint(int32_t{1}, "a"), IsOk());
  EXPECT_THAT(w.Varint(int32_t{-2}, "a"), IsOk());
  EXPECT_EQ(out, Bytes({0, 1, 2, 3}));
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{63}, int64_t{-64}, int64_t{64},
                    std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    std::string buf;
    Writer bw(&buf);
    EXPECT_THAT(bw.Varlong(v, "x"), IsOk());
    EXPECT_EQ(buf.size(), VarlongSize(v));
    Reader r = ReaderOf(buf);
    int64_t back = 0;
    EXPECT_THAT(r.Varlong(back, "x"), IsOk());
    EXPECT_EQ(back, v);
  }
  for (int32_t v : {0, -1, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()}) {
    std::string buf;
    Writer bw(&buf);
    EXPECT_THAT(bw.Varint(v, "x"), IsOk());
    Reader r = ReaderOf(buf);
    int32_t back = 0;
    EXPECT_THAT(r.Varint(back, "x"), IsOk());
    EXPECT_EQ(back, v);
  }
}

TEST(PrimitivesTest, StringsClassicAndCompact) {
  std::string out;
  Writer w(&out);
  EXPECT_THAT(w.String("ab", false, "s"), IsOk());
  EXPECT_THAT(w.String("ab", true, "s"), IsOk());
  EXPECT_THAT(w.NullableString(std::nullopt, false, true, "s"), IsOk());
  EXPECT_THAT(w.NullableString(std::nullopt, true, true, "s"), IsOk());
  EXPECT_EQ(out, Bytes({0, 2, 'a', 'b', 3, 'a', 'b', 0xff, 0xff, 0}));
  Reader r = ReaderOf(out);
  std::string s1, s2;
  std::optional<std::string> n1 = "x", n2 = "y";
  EXPECT_THAT(r.String(s1, false, "s"), IsOk());
  EXPECT_THAT(r.String(s2, true, "s"), IsOk());
  EXPECT_THAT(r.NullableString(n1, false, true, "s"), IsOk());
  EXPECT_THAT(r.NullableString(n2, true, true, "s"), IsOk());
  EXPECT_EQ(s1, "ab");
  EXPECT_EQ(s2, "ab");
  EXPECT_EQ(n1, std::nullopt);
  EXPECT_EQ(n2, std::nullopt);
}

TEST(PrimitivesTest, NullWhereNotNullableIsAnError) {
  std::string in = Bytes({0xff, 0xff});
  Reader r = ReaderOf(in);
  std::string s;
  EXPECT_THAT(r.String(s, false, "group_id"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("group_id")));
  std::string out;
  Writer w(&out);
  EXPECT_THAT(w.NullableString(std::nullopt, false, false, "group_id"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(w.String(std::string(40000, 'x'), false, "group_id"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PrimitivesTest, StringLengthBeyondInputIsRejected) {
  std::string in = Bytes({0x7f, 0xff, 'a'});
  Reader r = ReaderOf(in);
  std::string s;
  EXPECT_THAT(r.String(s, false, "topic"), StatusIs(absl::StatusCode::kInvalidArgument));
  std::string bytes_in = Bytes({0x7f, 0xff, 0xff, 0xff});
  Reader rb = ReaderOf(bytes_in);
  EXPECT_THAT(rb.Bytes(s, false, "records"), StatusIs(absl::StatusCode::kInvalidArgument));
  std::string negative = Bytes({0xff, 0xfe});
  Reader rn = ReaderOf(negative);
  EXPECT_THAT(rn.String(s, false, "topic"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PrimitivesTest, ArraysRejectCountsBeyondInput) {
  std::string in = Bytes({0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1});
  Reader r = ReaderOf(in);
  std::vector<int32_t> v;
  auto elem = [](auto& io, int32_t& e) { return io.Int32(e, "partitions"); };
  EXPECT_THAT(r.Array(v, false, "partitions", elem),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("partitions")));
  std::string compact = Bytes({3, 0, 0, 0, 7, 0, 0, 0, 9});
  Reader rc = ReaderOf(compact);
  EXPECT_THAT(rc.Array(v, true, "partitions", elem), IsOk());
  EXPECT_EQ(v, (std::vector<int32_t>{7, 9}));
  std::string null_compact = Bytes({0});
  Reader rn = ReaderOf(null_compact);
  EXPECT_THAT(rn.Array(v, true, "partitions", elem), StatusIs(absl::StatusCode::kInvalidArgument));
  Reader rn2 = ReaderOf(null_compact);
  std::optional<std::vector<int32_t>> ov = std::vector<int32_t>{1};
  EXPECT_THAT(rn2.NullableArray(ov, true, true, "partitions", elem), IsOk());
  EXPECT_EQ(ov, std::nullopt);
}

TEST(PrimitivesTest, ArrayElementErrorsCarryTheirPath) {
  std::string in = Bytes({0, 0, 0, 2, 0, 0, 0, 1, 0, 0});
  Reader r = ReaderOf(in);
  std::vector<int32_t> v;
  auto elem = [](auto& io, int32_t& e) { return io.Int32(e, "id"); };
  EXPECT_THAT(r.Array(v, false, "ids", elem),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ids[1].id: truncated")));
}

// A struct with one known tagged int32 (tag 1) exercising the tagged-field machinery.
struct Tagged {
  int32_t known = -1;
  UnknownTaggedFields unknown;
  template <typename Io>
  absl::Status Serde(Io& io) {
    return io.Tags(unknown, {KnownTag{1, true, known != -1}},
                   [&](auto& t, uint32_t) { return t.Int32(known, "known"); });
  }
};

TEST(PrimitivesTest, TaggedFieldsWrittenAscendingAndUnknownPreserved) {
  Tagged t;
  t.known = 5;
  t.unknown = {RawTaggedField{7, "zz"}, RawTaggedField{0, "a"}};
  std::string out;
  Writer w(&out);
  ASSERT_THAT(t.Serde(w), IsOk());
  EXPECT_EQ(out, Bytes({3, 0, 1, 'a', 1, 4, 0, 0, 0, 5, 7, 2, 'z', 'z'}));
  Sizer sizer;
  ASSERT_THAT(t.Serde(sizer), IsOk());
  EXPECT_EQ(sizer.size(), out.size());

  Tagged back;
  Reader r = ReaderOf(out);
  ASSERT_THAT(back.Serde(r), IsOk());
  EXPECT_EQ(back.known, 5);
  EXPECT_EQ(back.unknown, (UnknownTaggedFields{RawTaggedField{0, "a"}, RawTaggedField{7, "zz"}}));
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(PrimitivesTest, DefaultTaggedFieldIsOmitted) {
  Tagged t;
  std::string out;
  Writer w(&out);
  ASSERT_THAT(t.Serde(w), IsOk());
  EXPECT_EQ(out, Bytes({0}));
}

TEST(PrimitivesTest, MalformedTaggedSections) {
  Tagged t;
  // Known tag whose payload is longer than the field.
  std::string trailing = Bytes({1, 1, 5, 0, 0, 0, 5, 9});
  Reader r1 = ReaderOf(trailing);
  EXPECT_THAT(t.Serde(r1), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tag 1")));
  // Size beyond the input.
  std::string oversize = Bytes({1, 9, 100, 0});
  Reader r2 = ReaderOf(oversize);
  EXPECT_THAT(t.Serde(r2), StatusIs(absl::StatusCode::kInvalidArgument));
  // Count beyond the input.
  std::string count = Bytes({0x7f});
  Reader r3 = ReaderOf(count);
  EXPECT_THAT(t.Serde(r3), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PrimitivesTest, DuplicateUnknownTagsAreRejectedOnWrite) {
  Tagged t;
  t.unknown = {RawTaggedField{3, "a"}, RawTaggedField{3, "b"}};
  std::string out;
  Writer w(&out);
  EXPECT_THAT(t.Serde(w), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PrimitivesTest, UuidAndFloat) {
  std::string out;
  Writer w(&out);
  common::Uuid id = common::Uuid::FromMsbLsb(0x0102030405060708, 0x090a0b0c0d0e0f10);
  EXPECT_THAT(w.Uuid(id, "topic_id"), IsOk());
  EXPECT_THAT(w.Float64(1.5, "f"), IsOk());
  EXPECT_EQ(out.substr(0, 16), Bytes({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}));
  EXPECT_EQ(out.substr(16), Bytes({0x3f, 0xf8, 0, 0, 0, 0, 0, 0}));
  Reader r = ReaderOf(out);
  common::Uuid back;
  double f = 0;
  EXPECT_THAT(r.Uuid(back, "topic_id"), IsOk());
  EXPECT_THAT(r.Float64(f, "f"), IsOk());
  EXPECT_EQ(back, id);
  EXPECT_EQ(f, 1.5);
}

// A splicing Writer leaves large byte fields out of its buffer; putting them back at their
// offsets gives exactly what a plain Writer writes.
TEST(PrimitivesTest, SplicedBytesReassembleToThePlainEncoding) {
  for (bool compact : {false, true}) {
    SCOPED_TRACE(compact);
    const std::string big(5000, 'r');
    const std::optional<std::string> nullable_big = std::string(700, 'n');
    const std::optional<std::string> null_bytes;
    const std::string small = "tiny";
    auto encode = [&](Writer& w) {
      EXPECT_THAT(w.Int32(int32_t{7}, "a"), IsOk());
      EXPECT_THAT(w.Bytes(big, compact, "big"), IsOk());
      EXPECT_THAT(w.Bytes(small, compact, "small"), IsOk());
      EXPECT_THAT(w.NullableBytes(nullable_big, compact, true, "nullable_big"), IsOk());
      EXPECT_THAT(w.NullableBytes(null_bytes, compact, true, "null"), IsOk());
      EXPECT_THAT(w.Bytes(big, compact, "big_last"), IsOk());
    };
    std::string plain;
    Writer plain_writer(&plain);
    encode(plain_writer);

    std::string head;
    std::vector<Splice> splices;
    Writer spliced_writer(&head);
    spliced_writer.SpliceBytesFrom(700, &splices);
    encode(spliced_writer);
    ASSERT_EQ(splices.size(), 3u);
    EXPECT_EQ(splices[0].bytes.data(), big.data());  // not a copy
    EXPECT_EQ(splices[1].bytes.data(), nullable_big->data());
    EXPECT_EQ(splices[2].offset, head.size());
    EXPECT_EQ(spliced_writer.spliced_bytes(), 2 * big.size() + nullable_big->size());
    EXPECT_EQ(head.size() + spliced_writer.spliced_bytes(), plain.size());
    std::string reassembled;
    size_t at = 0;
    for (const Splice& splice : splices) {
      reassembled.append(head, at, splice.offset - at);
      reassembled.append(splice.bytes);
      at = splice.offset;
    }
    reassembled.append(head, at);
    EXPECT_EQ(reassembled, plain);
  }
}

}  // namespace
}  // namespace eddy::kafka
