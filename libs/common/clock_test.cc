#include "libs/common/clock.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace eddy::common {
namespace {

TEST(ClockTest, RealClockTracksAbslNow) {
  const absl::Time before = absl::Now();
  const absl::Time now = Clock::Real().Now();
  const absl::Time after = absl::Now();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
  EXPECT_EQ(&Clock::Real(), &Clock::Real());
}

TEST(ManualClockTest, DefaultStartIsFarFromEpoch) {
  ManualClock clock;
  EXPECT_EQ(clock.Now(), absl::UnixEpoch() + absl::Hours(24 * 365 * 50));
}

TEST(ManualClockTest, AdvanceAndSet) {
  const absl::Time start = absl::FromUnixSeconds(1'000'000);
  ManualClock clock(start);
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(absl::Milliseconds(1500));
  EXPECT_EQ(clock.Now(), start + absl::Milliseconds(1500));
  clock.Advance(absl::ZeroDuration());
  EXPECT_EQ(clock.Now(), start + absl::Milliseconds(1500));
  clock.Set(start - absl::Hours(1));
  EXPECT_EQ(clock.Now(), start - absl::Hours(1));
}

TEST(ManualClockTest, UsableThroughClockInterface) {
  ManualClock manual(absl::FromUnixSeconds(10));
  const Clock& clock = manual;
  manual.Advance(absl::Seconds(5));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(15));
}

TEST(ManualClockTest, ConcurrentAdvancesAllCount) {
  ManualClock clock(absl::UnixEpoch());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        clock.Advance(absl::Microseconds(1));
        (void)clock.Now();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(clock.Now(), absl::UnixEpoch() + absl::Microseconds(4000));
}

}  // namespace
}  // namespace eddy::common
