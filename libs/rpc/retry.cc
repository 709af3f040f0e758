#include "libs/rpc/retry.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"

namespace eddy::rpc {

bool IsRetryable(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
      return true;
    default:
      return false;
  }
}

Sleeper RealSleeper() {
  return [](absl::Duration d) { absl::SleepFor(d); };
}

uint64_t RandomSeed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

absl::Status WithAttempts(const absl::Status& status, int attempts) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(status.message(), " (after ", attempts, " attempts)"));
}

absl::Status RetryIdempotent(const RetryPolicy& policy,
                             const std::function<absl::Status(int attempt)>& call,
                             const Sleeper& sleep, uint64_t seed) {
  const int max_attempts = std::max(1, policy.max_attempts);
  common::Backoff backoff(policy.backoff, seed);
  absl::Status status;
  for (int attempt = 1;; ++attempt) {
    status = call(attempt);
    if (status.ok() || !IsRetryable(status)) return status;
    if (attempt >= max_attempts) return WithAttempts(status, attempt);
    sleep(backoff.Next());
  }
}

}  // namespace eddy::rpc
