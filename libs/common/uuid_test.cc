#include "libs/common/uuid.h"

#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace eddy::common {
namespace {

using ::eddy::testing::IsOkAndHolds;
using ::eddy::testing::StatusIs;
using ::testing::HasSubstr;

TEST(UuidTest, ZeroAndMetadataTopicId) {
  EXPECT_TRUE(Uuid::Zero().IsZero());
  EXPECT_TRUE(Uuid().IsZero());
  EXPECT_EQ(Uuid::Zero().ToString(), "AAAAAAAAAAAAAAAAAAAAAA");
  // Kafka's Uuid.METADATA_TOPIC_ID = new Uuid(0L, 1L).
  const Uuid metadata = Uuid::MetadataTopicId();
  EXPECT_FALSE(metadata.IsZero());
  EXPECT_EQ(metadata.Msb(), 0u);
  EXPECT_EQ(metadata.Lsb(), 1u);
  EXPECT_EQ(metadata.ToString(), "AAAAAAAAAAAAAAAAAAAAAQ");
}

TEST(UuidTest, KnownVectors) {
  // base64url(no padding) of the 16 big-endian bytes.
  const Uuid a = Uuid::FromMsbLsb(0x0123456789ABCDEFULL, 0xFEDCBA9876543210ULL);
  EXPECT_EQ(a.ToString(), "ASNFZ4mrze_-3LqYdlQyEA");
  EXPECT_EQ(a.bytes()[0], 0x01);
  EXPECT_EQ(a.bytes()[15], 0x10);
  const Uuid ones = Uuid::FromMsbLsb(~0ULL, ~0ULL);
  EXPECT_EQ(ones.ToString(), "_____________________w");
  // RFC 4122 form 3fa85f64-5717-4562-b3fc-2c963f66afa6.
  const Uuid b = Uuid::FromMsbLsb(0x3FA85F6457174562ULL, 0xB3FC2C963F66AFA6ULL);
  EXPECT_EQ(b.ToString(), "P6hfZFcXRWKz_CyWP2avpg");
  EXPECT_THAT(Uuid::Parse("P6hfZFcXRWKz_CyWP2avpg"), IsOkAndHolds(b));
  EXPECT_THAT(Uuid::Parse("ASNFZ4mrze_-3LqYdlQyEA"), IsOkAndHolds(a));
}

TEST(UuidTest, BytesRoundTrip) {
  std::array<uint8_t, 16> bytes;
  for (int i = 0; i < 16; ++i) bytes[i] = static_cast<uint8_t>(i * 17);
  const Uuid u = Uuid::FromBytes(bytes);
  EXPECT_EQ(u.bytes(), bytes);
  EXPECT_EQ(Uuid::FromMsbLsb(u.Msb(), u.Lsb()), u);
  EXPECT_EQ(u.Msb(), 0x0011223344556677ULL);
  EXPECT_EQ(u.Lsb(), 0x8899AABBCCDDEEFFULL);
}

TEST(UuidTest, ParseRejectsMalformed) {
  EXPECT_THAT(Uuid::Parse(""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("22")));
  EXPECT_THAT(Uuid::Parse("AAAAAAAAAAAAAAAAAAAAAQ=="),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Uuid::Parse("AAAAAAAAAAAAAAAAAAAAA"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Uuid::Parse("AAAAAAAAAAAAAAAAAAAA+Q"),  // '+' is not URL-safe.
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("base64url")));
  EXPECT_THAT(Uuid::Parse("AAAAAAAAAAAAAAAAAAAAAR"),  // Non-zero unused bits.
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("non-canonical")));
  EXPECT_THAT(Uuid::Parse("3fa85f64-5717-4562-b3fc-2c963f66afa6"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(UuidTest, RandomIsVersion4AndAvoidsReservedValues) {
  absl::flat_hash_set<Uuid> seen;
  for (int i = 0; i < 2000; ++i) {
    const Uuid u = Uuid::Random();
    EXPECT_EQ(u.bytes()[6] >> 4, 4) << u;           // Version 4.
    EXPECT_EQ(u.bytes()[8] >> 6, 2) << u;           // Variant 10.
    EXPECT_FALSE(u.IsZero());
    EXPECT_NE(u, Uuid::MetadataTopicId());
    const std::string s = u.ToString();
    ASSERT_EQ(s.size(), 22u);
    EXPECT_NE(s[0], '-') << s;
    EXPECT_THAT(Uuid::Parse(s), IsOkAndHolds(u));
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(UuidTest, HashAndOrdering) {
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {Uuid::Zero(), Uuid::MetadataTopicId(), Uuid::FromMsbLsb(1, 0), Uuid::FromMsbLsb(5, 9)}));
  EXPECT_LT(Uuid::FromMsbLsb(0, 5), Uuid::FromMsbLsb(1, 0));
  std::ostringstream os;
  os << Uuid::MetadataTopicId();
  EXPECT_EQ(os.str(), "AAAAAAAAAAAAAAAAAAAAAQ");
}

}  // namespace
}  // namespace eddy::common
