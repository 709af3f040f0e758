// IoThrottle caps the log cleaner's disk traffic at log.cleaner.io.max.bytes.per.second, as Kafka's
// Throttler does: callers report the bytes they read or write, and once per check interval the
// throttle compares the observed rate with the cap and sleeps long enough to bring it back down.
// Time comes from an injected Clock and sleeping goes through an injected Sleeper, so tests drive it
// with a ManualClock whose sleeper advances the clock.
// Thread-safety: Account may be called from several threads; sleeps happen outside the lock.
#pragma once

#include <cstdint>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"

namespace eddy::storage {

class IoThrottle {
 public:
  using Sleeper = std::function<void(absl::Duration)>;

  // `bytes_per_second` <= 0 or infinite disables throttling. `sleep` defaults to absl::SleepFor.
  IoThrottle(common::Clock& clock, double bytes_per_second, absl::Duration check_interval = absl::Milliseconds(300),
             Sleeper sleep = nullptr);

  // Account records `bytes` of I/O and sleeps if the rate over the current period exceeds the cap.
  void Account(uint64_t bytes);

  // total_slept is how long Account has slept in all (for metrics and tests).
  absl::Duration total_slept() const;

 private:
  common::Clock& clock_;
  const double bytes_per_second_;
  const absl::Duration check_interval_;
  const Sleeper sleep_;
  mutable absl::Mutex mu_;
  absl::Time period_start_ ABSL_GUARDED_BY(mu_);
  uint64_t observed_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Duration total_slept_ ABSL_GUARDED_BY(mu_);
};

}  // namespace eddy::storage
