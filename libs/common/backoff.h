// Backoff computes retry delays: exponential growth from `initial` by `multiplier` per attempt,
// capped at `max`, then spread by a uniformly random factor in [1 - jitter, 1 + jitter] so that many
// clients retrying the same failure do not retry in lockstep. This is Kafka's ExponentialBackoff
// (KIP-580): the cap applies before jitter, so a delay may reach max * (1 + jitter). The sequence
// is fully determined by the policy and the seed, which keeps simulations replayable.
#pragma once

#include <cstdint>
#include <random>

#include "absl/time/time.h"

namespace eddy::common {

// BackoffPolicy configures a Backoff. REQUIRES: initial > 0, max >= initial, multiplier >= 1,
// 0 <= jitter < 1.
struct BackoffPolicy {
  absl::Duration initial = absl::Milliseconds(100);
  absl::Duration max = absl::Seconds(10);
  double multiplier = 2.0;
  double jitter = 0.2;
};

// Backoff hands out successive delays for one retry loop. Thread-safety: not thread-safe.
class Backoff {
 public:
  Backoff(BackoffPolicy policy, uint64_t seed);

  // Next returns the delay to wait before the next attempt and counts an attempt.
  absl::Duration Next();

  // Reset restarts the sequence from `initial` (call after a success). The random stream continues.
  void Reset();

  // attempts is the number of Next() calls since construction or the last Reset().
  int attempts() const { return attempts_; }

 private:
  BackoffPolicy policy_;
  std::mt19937_64 rng_;
  int attempts_ = 0;
};

}  // namespace eddy::common
