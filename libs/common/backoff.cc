#include "libs/common/backoff.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace eddy::common {

Backoff::Backoff(BackoffPolicy policy, uint64_t seed) : policy_(policy), rng_(seed) {
  assert(policy_.initial > absl::ZeroDuration());
  assert(policy_.max >= policy_.initial);
  assert(policy_.multiplier >= 1.0);
  assert(policy_.jitter >= 0.0 && policy_.jitter < 1.0);
}

absl::Duration Backoff::Next() {
  const double initial = absl::ToDoubleNanoseconds(policy_.initial);
  const double max = absl::ToDoubleNanoseconds(policy_.max);
  // pow() may overflow to +inf for large attempt counts; min() then yields max.
  const double base = std::min(max, initial * std::pow(policy_.multiplier, attempts_));
  // A uniform double in [0, 1) from the top 53 bits; the same on every platform, unlike
  // std::uniform_real_distribution.
  const double unit = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
  const double factor = 1.0 - policy_.jitter + 2.0 * policy_.jitter * unit;
  ++attempts_;
  return absl::Nanoseconds(static_cast<int64_t>(base * factor));
}

void Backoff::Reset() { attempts_ = 0; }

}  // namespace eddy::common
