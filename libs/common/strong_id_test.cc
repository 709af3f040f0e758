#include "libs/common/strong_id.h"

#include <sstream>
#include <type_traits>
#include <unordered_set>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash_testing.h"
#include "fmt/format.h"
#include "gtest/gtest.h"

namespace eddy {
namespace {

// Distinct ids do not mix, and raw integers do not silently become ids.
static_assert(!std::is_convertible_v<Offset, LogIndex>);
static_assert(!std::is_convertible_v<LogIndex, Offset>);
static_assert(!std::is_convertible_v<BrokerId, NodeId>);
static_assert(!std::is_convertible_v<NodeId, BrokerId>);
static_assert(!std::is_convertible_v<LeaderEpoch, PartitionEpoch>);
static_assert(!std::is_convertible_v<Term, Offset>);
static_assert(!std::is_convertible_v<ProducerId, Offset>);
static_assert(!std::is_convertible_v<int64_t, Offset>);
static_assert(!std::is_convertible_v<Offset, int64_t>);
static_assert(!std::is_convertible_v<int32_t, BrokerId>);
static_assert(!std::is_assignable_v<Offset&, LogIndex>);
static_assert(!std::is_assignable_v<Offset&, int64_t>);
static_assert(std::is_constructible_v<Offset, int64_t>);
static_assert(!std::is_constructible_v<Offset, LogIndex>);

// Representations and zero cost.
static_assert(std::is_same_v<BrokerId::rep_type, int32_t>);
static_assert(std::is_same_v<NodeId::rep_type, int32_t>);
static_assert(std::is_same_v<Offset::rep_type, int64_t>);
static_assert(std::is_same_v<LeaderEpoch::rep_type, int32_t>);
static_assert(std::is_same_v<PartitionEpoch::rep_type, int32_t>);
static_assert(std::is_same_v<Term::rep_type, int64_t>);
static_assert(std::is_same_v<LogIndex::rep_type, int64_t>);
static_assert(std::is_same_v<ProducerId::rep_type, int64_t>);
static_assert(std::is_same_v<ProducerEpoch::rep_type, int16_t>);
static_assert(std::is_same_v<GenerationId::rep_type, int32_t>);
static_assert(sizeof(Offset) == sizeof(int64_t));
static_assert(sizeof(ProducerEpoch) == sizeof(int16_t));
static_assert(std::is_trivially_copyable_v<Offset>);

// Arithmetic only where it means something.
template <typename T>
concept Incrementable = requires(T t) { ++t; };
template <typename T>
concept Addable = requires(T t) { t + 1; };
template <typename T>
concept Subtractable = requires(T a, T b) { a - b; };
static_assert(Incrementable<Offset> && Addable<Offset> && Subtractable<Offset>);
static_assert(Incrementable<LogIndex> && Incrementable<Term> && Incrementable<LeaderEpoch>);
static_assert(Incrementable<ProducerEpoch> && Incrementable<GenerationId>);
static_assert(!Incrementable<BrokerId> && !Addable<BrokerId> && !Subtractable<BrokerId>);
static_assert(!Incrementable<NodeId> && !Addable<NodeId>);
// Offset + Offset is meaningless.
template <typename T>
concept SelfAddable = requires(T a, T b) { a + b; };
static_assert(!SelfAddable<Offset>);

// constexpr-friendly.
static_assert(Offset(3) + 2 == Offset(5));
static_assert(Offset(7) - Offset(3) == 4);
static_assert(Offset() == Offset(0));

TEST(StrongIdTest, ValueAndComparisons) {
  const Offset a(5);
  const Offset b(7);
  EXPECT_EQ(a.value(), 5);
  EXPECT_TRUE(a == Offset(5));
  EXPECT_TRUE(a != b);
  EXPECT_TRUE(a < b);
  EXPECT_TRUE(a <= b);
  EXPECT_TRUE(b > a);
  EXPECT_TRUE(b >= a);
  EXPECT_EQ(a <=> b, std::strong_ordering::less);
  EXPECT_EQ(std::max(a, b), b);
}

TEST(StrongIdTest, Arithmetic) {
  Offset o(10);
  EXPECT_EQ(++o, Offset(11));
  EXPECT_EQ(o++, Offset(11));
  EXPECT_EQ(o, Offset(12));
  EXPECT_EQ(--o, Offset(11));
  EXPECT_EQ(o--, Offset(11));
  EXPECT_EQ(o, Offset(10));
  o += 5;
  EXPECT_EQ(o, Offset(15));
  o -= 3;
  EXPECT_EQ(o, Offset(12));
  EXPECT_EQ(o + 8, Offset(20));
  EXPECT_EQ(o - 2, Offset(10));
  EXPECT_EQ(Offset(100) - Offset(40), 60);
  ProducerEpoch epoch(41);
  ++epoch;
  EXPECT_EQ(epoch.value(), 42);
}

TEST(StrongIdTest, HashesWithAbseilAndStd) {
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly(
      {Offset(0), Offset(1), Offset(-1), Offset(1LL << 40)}));
  absl::flat_hash_set<BrokerId> brokers = {BrokerId(1), BrokerId(2), BrokerId(1)};
  EXPECT_EQ(brokers.size(), 2u);
  std::unordered_set<LeaderEpoch> epochs = {LeaderEpoch(3), LeaderEpoch(3)};
  EXPECT_EQ(epochs.size(), 1u);
}

TEST(StrongIdTest, PrintsAsBareValue) {
  std::ostringstream os;
  os << Offset(42) << " " << BrokerId(-1) << " " << ProducerEpoch(7);
  EXPECT_EQ(os.str(), "42 -1 7");
  EXPECT_EQ(fmt::format("{} {}", Term(9), NodeId(3)), "9 3");
  EXPECT_EQ(fmt::format("[{:>4}] {:x}", Offset(12), LogIndex(255)), "[  12] ff");
}

}  // namespace
}  // namespace eddy
