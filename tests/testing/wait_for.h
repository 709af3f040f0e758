// WaitFor polls a condition until it holds or a deadline passes: the wait-for-condition that
// multi-process tests use instead of sleeping a guessed amount.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace eddy::testing {

// WaitFor returns true as soon as `condition` holds, false if it still fails after `timeout`.
inline bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout,
                    absl::Duration poll = absl::Milliseconds(50)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() >= deadline) return false;
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(poll));
  }
  return true;
}

}  // namespace eddy::testing
