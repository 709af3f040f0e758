#include <climits>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "libs/kafka/error_codes.h"
#include "libs/kafka/partitioner.h"

namespace eddy::kafka {
namespace {

// Vectors from Kafka's UtilsTest.testMurmur2 and kafkajs' murmur2.spec.js (kafka-protocol.md §5).
TEST(PartitionerTest, Murmur2MatchesJavaVectors) {
  EXPECT_EQ(Murmur2("21"), -973932308);
  EXPECT_EQ(Murmur2("foobar"), -790332482);
  EXPECT_EQ(Murmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(Murmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(Murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(Murmur2("abc"), 479470107);
  EXPECT_EQ(Murmur2("1"), -1993445489);
  EXPECT_EQ(Murmur2(""), 275646681);
}

TEST(PartitionerTest, PartitionMasksRatherThanAbs) {
  // -973932308 & 0x7fffffff = 1173551340; abs() would give 973932308.
  EXPECT_EQ(ToPositive(-973932308), 1173551340);
  EXPECT_EQ(PartitionForKey("21", 7), 1173551340 % 7);
  EXPECT_EQ(PartitionForKey("abc", 3), 479470107 % 3);
  EXPECT_EQ(ToPositive(INT32_MIN), 0);
}

TEST(ErrorCodesTest, TableIsDenseAndConsistent) {
  int16_t expected = -1;
  std::set<std::string_view> names;
  for (const ErrorInfo& e : AllErrors()) {
    EXPECT_EQ(ToInt(e.code), expected);
    EXPECT_TRUE(names.insert(e.name).second) << e.name;
    EXPECT_EQ(FindError(ToInt(e.code)), &e);
    ++expected;
  }
  EXPECT_EQ(FindError(-2), nullptr);
  EXPECT_EQ(FindError(30000), nullptr);
  EXPECT_EQ(ErrorName(30000), "UNKNOWN");
}

TEST(ErrorCodesTest, ReferenceSamples) {
  EXPECT_EQ(ErrorName(6), "NOT_LEADER_OR_FOLLOWER");
  EXPECT_TRUE(IsRetriable(6));
  EXPECT_EQ(ErrorName(35), "UNSUPPORTED_VERSION");
  EXPECT_FALSE(IsRetriable(35));
  EXPECT_EQ(ErrorName(79), "MEMBER_ID_REQUIRED");
  EXPECT_TRUE(IsRetriable(ToInt(ErrorCode::kConcurrentTransactions)));
  EXPECT_EQ(ToInt(ErrorCode::kProducerFenced), 90);
  EXPECT_EQ(ToInt(ErrorCode::kTransactionAbortable), 120);
  EXPECT_FALSE(IsRetriable(ToInt(ErrorCode::kNone)));
  EXPECT_FALSE(FindError(3)->message.empty());
}

TEST(GroupShardTest, MatchesJavaStringHashCode) {
  // Java: Math.abs("my-group".hashCode()) % 50, computed by hand from s[0]*31^(n-1) + ...
  auto java_hash = [](std::u16string_view s) {
    int32_t h = 0;
    for (char16_t c : s) h = static_cast<int32_t>(31u * static_cast<uint32_t>(h) + c);
    return h;
  };
  auto expected = [&](std::u16string_view s, int32_t n) {
    int32_t h = java_hash(s);
    return (h == INT32_MIN ? 0 : (h < 0 ? -h : h)) % n;
  };
  EXPECT_EQ(GroupShard("my-group", 50), expected(u"my-group", 50));
  EXPECT_EQ(GroupShard("", 50), 0);
  EXPECT_EQ(GroupShard("gr\xC3\xBCppe", 50), expected(u"gr\u00fcppe", 50));
  EXPECT_EQ(GroupShard("\xF0\x9F\x98\x80", 50), expected(u"\U0001F600", 50));
  // "polygenelubricants".hashCode() is Integer.MIN_VALUE: Kafka's Utils.abs maps it to 0.
  EXPECT_EQ(java_hash(u"polygenelubricants"), INT32_MIN);
  EXPECT_EQ(GroupShard("polygenelubricants", 50), 0);
}

}  // namespace
}  // namespace eddy::kafka
