#include "libs/common/backoff.h"

#include <vector>

#include "gtest/gtest.h"

namespace eddy::common {
namespace {

TEST(BackoffTest, GrowsExponentiallyWithinJitterBounds) {
  const BackoffPolicy policy;  // 100ms, x2, 10s cap, 20% jitter.
  for (uint64_t seed = 0; seed < 50; ++seed) {
    Backoff backoff(policy, seed);
    double base_ms = 100;
    for (int attempt = 0; attempt < 20; ++attempt) {
      EXPECT_EQ(backoff.attempts(), attempt);
      const double capped = std::min(base_ms, 10'000.0);
      const absl::Duration d = backoff.Next();
      EXPECT_GE(d, absl::Milliseconds(capped * 0.8) - absl::Nanoseconds(1)) << attempt;
      EXPECT_LE(d, absl::Milliseconds(capped * 1.2)) << attempt;
      base_ms *= 2;
    }
  }
}

TEST(BackoffTest, NoJitterIsExact) {
  Backoff backoff({.initial = absl::Milliseconds(10), .max = absl::Milliseconds(50),
                   .multiplier = 3.0, .jitter = 0.0},
                  1);
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(10));
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(30));
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(50));
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(50));
  EXPECT_EQ(backoff.attempts(), 4);
}

TEST(BackoffTest, DeterministicForSeed) {
  const BackoffPolicy policy;
  Backoff a(policy, 42);
  Backoff b(policy, 42);
  Backoff c(policy, 43);
  std::vector<absl::Duration> da, db, dc;
  for (int i = 0; i < 10; ++i) {
    da.push_back(a.Next());
    db.push_back(b.Next());
    dc.push_back(c.Next());
  }
  EXPECT_EQ(da, db);
  EXPECT_NE(da, dc);
}

TEST(BackoffTest, JitterSpreadsDelays) {
  const BackoffPolicy policy;
  absl::Duration lo = absl::InfiniteDuration();
  absl::Duration hi = absl::ZeroDuration();
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const absl::Duration d = Backoff(policy, seed).Next();
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_LT(lo, absl::Milliseconds(85));
  EXPECT_GT(hi, absl::Milliseconds(115));
}

TEST(BackoffTest, ResetRestartsFromInitial) {
  Backoff backoff({.initial = absl::Milliseconds(100), .max = absl::Seconds(10),
                   .multiplier = 2.0, .jitter = 0.0},
                  7);
  backoff.Next();
  backoff.Next();
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(400));
  backoff.Reset();
  EXPECT_EQ(backoff.attempts(), 0);
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(100));
}

TEST(BackoffTest, ManyAttemptsStayCapped) {
  Backoff backoff(BackoffPolicy{}, 9);
  for (int i = 0; i < 5000; ++i) {
    const absl::Duration d = backoff.Next();
    ASSERT_LE(d, absl::Seconds(12));
    ASSERT_GT(d, absl::ZeroDuration());
  }
}

}  // namespace
}  // namespace eddy::common
