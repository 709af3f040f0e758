#include "libs/storage/io_throttle.h"

#include <cmath>

namespace eddy::storage {

IoThrottle::IoThrottle(common::Clock& clock, double bytes_per_second, absl::Duration check_interval, Sleeper sleep)
    : clock_(clock),
      bytes_per_second_(bytes_per_second),
      check_interval_(check_interval),
      sleep_(sleep ? std::move(sleep) : Sleeper([](absl::Duration d) { absl::SleepFor(d); })),
      period_start_(clock.Now()) {}

void IoThrottle::Account(uint64_t bytes) {
  if (!(bytes_per_second_ > 0) || std::isinf(bytes_per_second_)) return;
  absl::Duration pause;
  {
    absl::MutexLock lock(&mu_);
    observed_ += bytes;
    const absl::Time now = clock_.Now();
    const absl::Duration elapsed = now - period_start_;
    if (elapsed < check_interval_ || observed_ == 0) return;
    // The time the observed bytes should have taken at the cap, minus the time they did take.
    const absl::Duration due = absl::Seconds(static_cast<double>(observed_) / bytes_per_second_);
    if (due > elapsed) pause = due - elapsed;
    total_slept_ += pause;
    period_start_ = now + pause;
    observed_ = 0;
  }
  if (pause > absl::ZeroDuration()) sleep_(pause);
}

absl::Duration IoThrottle::total_slept() const {
  absl::MutexLock lock(&mu_);
  return total_slept_;
}

}  // namespace eddy::storage
