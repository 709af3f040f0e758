#pragma once

// Bounded retry with exponential backoff and jitter, for calls that are safe to repeat.
//
// ARCHITECTURE.md: "Every retry is bounded and backs off." RetryIdempotent makes at most
// policy.max_attempts calls and sleeps a common::Backoff delay between them. Which failures are
// worth retrying is IsRetryable's decision; a caller whose call is NOT idempotent must not use this
// (a timed-out or reset call may already have taken effect on the server).
//
// Time is injected: tests pass a Sleeper that records the delays instead of sleeping, and a seed
// so the jittered delays are reproducible.

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/common/backoff.h"

namespace eddy::rpc {

// RetryPolicy bounds one logical call.
struct RetryPolicy {
  int max_attempts = 5;           // Total calls including the first; values < 1 mean 1.
  common::BackoffPolicy backoff;  // Delay between attempts.
};

// IsRetryable says whether repeating an idempotent call may succeed:
//   kUnavailable        transient: peer down, connection reset, no leader yet (Abseil: retry).
//   kDeadlineExceeded   the attempt timed out; the outcome is unknown, so only idempotent calls
//                       may repeat it.
//   kResourceExhausted  the server shed load (or a quota ran out); backing off helps.
//   kAborted            a concurrency conflict (Abseil: retry at a higher level, i.e. the whole
//                       read-modify-write, which for an idempotent call is the call itself).
// Everything else (kInvalidArgument, kNotFound, kFailedPrecondition, kPermissionDenied, ...) would
// fail again identically.
bool IsRetryable(const absl::Status& status);

// Sleeper blocks the calling thread for a duration; injectable for tests.
using Sleeper = std::function<void(absl::Duration)>;

// RealSleeper returns a Sleeper that really sleeps (absl::SleepFor).
Sleeper RealSleeper();

// RandomSeed returns a fresh nondeterministic seed for backoff jitter.
uint64_t RandomSeed();

// RetryIdempotent calls `call(attempt)` (attempt = 1, 2, ...) until it returns OK, returns a status
// that is not IsRetryable, or policy.max_attempts calls were made; it sleeps the next backoff delay
// between attempts. Returns OK, the non-retryable status unchanged, or the last retryable status
// with "(after N attempts)" appended to its message.
// REQUIRES: the call is idempotent.
absl::Status RetryIdempotent(const RetryPolicy& policy,
                             const std::function<absl::Status(int attempt)>& call,
                             const Sleeper& sleep = RealSleeper(), uint64_t seed = RandomSeed());

// WithAttempts appends "(after N attempts)" to a status message; OK stays OK.
absl::Status WithAttempts(const absl::Status& status, int attempts);

}  // namespace eddy::rpc
