#include "libs/raft/linearizability.h"

#include <vector>

#include "gtest/gtest.h"

namespace eddy::raft {
namespace {

using Kind = KvOperation::Kind;
constexpr int64_t kPending = KvOperation::kPending;

KvOperation Put(int64_t value, int64_t invoked, int64_t returned, int key = 0) {
  return {.kind = Kind::kPut, .key = key, .value = value, .invoked = invoked, .returned = returned};
}
KvOperation Get(std::optional<int64_t> read, int64_t invoked, int64_t returned, int key = 0) {
  return {.kind = Kind::kGet, .key = key, .invoked = invoked, .returned = returned, .read = read};
}
KvOperation Cas(int64_t expected, int64_t value, bool ok, int64_t invoked, int64_t returned) {
  return {.kind = Kind::kCas,
          .value = value,
          .expected = expected,
          .invoked = invoked,
          .returned = returned,
          .cas_ok = ok};
}

TEST(LinearizabilityTest, SequentialHistoryFollowsTheRegister) {
  EXPECT_EQ(CheckLinearizable({Get(std::nullopt, 1, 2), Put(5, 3, 4), Get(5, 5, 6),
                               Cas(5, 7, true, 7, 8), Cas(5, 9, false, 9, 10), Get(7, 11, 12)}),
            std::nullopt);
}

TEST(LinearizabilityTest, StaleReadAfterACompletedWriteIsRejected) {
  EXPECT_NE(CheckLinearizable({Put(1, 1, 2), Put(2, 3, 4), Get(1, 5, 6)}), std::nullopt);
}

TEST(LinearizabilityTest, ConcurrentReadMaySeeEitherValue) {
  EXPECT_EQ(CheckLinearizable({Put(1, 1, 2), Put(2, 3, 6), Get(1, 4, 5)}), std::nullopt);
  EXPECT_EQ(CheckLinearizable({Put(1, 1, 2), Put(2, 3, 6), Get(2, 4, 5)}), std::nullopt);
}

TEST(LinearizabilityTest, PendingWriteMayTakeEffectLateOrNever) {
  EXPECT_EQ(CheckLinearizable({Put(1, 1, kPending), Get(std::nullopt, 2, 3), Get(1, 4, 5)}),
            std::nullopt);
  EXPECT_EQ(CheckLinearizable({Put(1, 1, kPending), Get(std::nullopt, 2, 3)}), std::nullopt);
  // Once seen, a write cannot be unseen.
  EXPECT_NE(CheckLinearizable({Put(1, 1, kPending), Get(1, 2, 3), Get(std::nullopt, 4, 5)}),
            std::nullopt);
}

TEST(LinearizabilityTest, CasOutcomeMustMatchTheRegister) {
  EXPECT_NE(CheckLinearizable({Put(1, 1, 2), Cas(1, 3, false, 3, 4)}), std::nullopt);
  EXPECT_NE(CheckLinearizable({Put(1, 1, 2), Cas(2, 3, true, 3, 4)}), std::nullopt);
}

TEST(LinearizabilityTest, KeysAreCheckedIndependently) {
  EXPECT_EQ(CheckLinearizable({Put(1, 1, 2, 0), Put(2, 3, 4, 1), Get(1, 5, 6, 0), Get(2, 5, 6, 1)}),
            std::nullopt);
  std::optional<std::string> bad =
      CheckLinearizable({Put(1, 1, 2, 0), Put(2, 3, 4, 1), Get(2, 5, 6, 0)});
  ASSERT_NE(bad, std::nullopt);
  EXPECT_NE(bad->find("key 0"), std::string::npos);
}

}  // namespace
}  // namespace eddy::raft
