#include "libs/common/shutdown.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/common/logging.h"

namespace eddy::common {
namespace {

// Restores the calling thread's signal mask when a test ends.
class SignalMaskRestorer {
 public:
  SignalMaskRestorer() { pthread_sigmask(SIG_SETMASK, nullptr, &saved_); }
  ~SignalMaskRestorer() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }

 private:
  sigset_t saved_;
};

bool IsBlocked(int sig) {
  sigset_t current;
  pthread_sigmask(SIG_SETMASK, nullptr, &current);
  return sigismember(&current, sig) == 1;
}

TEST(TerminationSignalsTest, BlockBlocksTermAndInt) {
  SignalMaskRestorer restore;
  TerminationSignals::Block();
  EXPECT_TRUE(IsBlocked(SIGTERM));
  EXPECT_TRUE(IsBlocked(SIGINT));
  EXPECT_FALSE(IsBlocked(SIGHUP));
}

TEST(TerminationSignalsTest, WaitReturnsRaisedSignal) {
  SignalMaskRestorer restore;
  TerminationSignals::Block();
  ASSERT_EQ(raise(SIGINT), 0);  // Stays pending: blocked.
  EXPECT_EQ(TerminationSignals::Wait(), SIGINT);
}

TEST(TerminationSignalsTest, WaitingThreadReceivesSignalSentToProcess) {
  SignalMaskRestorer restore;
  TerminationSignals::Block();  // Before starting the thread, which inherits the mask.
  int received = 0;
  std::thread waiter([&] {
    EXPECT_TRUE(IsBlocked(SIGTERM));
    received = TerminationSignals::Wait();
  });
  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  waiter.join();  // Wait() returns as soon as the signal is pending; no sleep needed.
  EXPECT_EQ(received, SIGTERM);
}

TEST(ShutdownWatchdogTest, DestroyedInTimeDoesNothing) {
  const absl::Time start = absl::Now();
  { ShutdownWatchdog watchdog(absl::Seconds(30)); }
  // The destructor wakes the watchdog thread at once instead of waiting out the grace period.
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST(ShutdownWatchdogDeathTest, ExitsWhenGraceExpires) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        (void)InitLogging("eddy-test", {});
        ShutdownWatchdog watchdog(absl::Milliseconds(50));
        absl::SleepFor(absl::Seconds(30));  // Bounded: the watchdog ends the process first.
      },
      ::testing::ExitedWithCode(1), "shutdown did not finish within 50ms");
}

}  // namespace
}  // namespace eddy::common
