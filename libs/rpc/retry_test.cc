#include "libs/rpc/retry.h"

#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/common/backoff.h"
#include "tests/testing/status_matchers.h"

namespace eddy::rpc {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr uint64_t kSeed = 42;

// RecordingSleeper records requested delays instead of sleeping.
struct RecordingSleeper {
  std::vector<absl::Duration> delays;
  Sleeper AsSleeper() {
    return [this](absl::Duration d) { delays.push_back(d); };
  }
};

std::vector<absl::Duration> ExpectedDelays(const common::BackoffPolicy& policy, int n) {
  common::Backoff backoff(policy, kSeed);
  std::vector<absl::Duration> delays;
  for (int i = 0; i < n; ++i) delays.push_back(backoff.Next());
  return delays;
}

TEST(IsRetryableTest, Classification) {
  EXPECT_TRUE(IsRetryable(absl::UnavailableError("")));
  EXPECT_TRUE(IsRetryable(absl::DeadlineExceededError("")));
  EXPECT_TRUE(IsRetryable(absl::ResourceExhaustedError("")));
  EXPECT_TRUE(IsRetryable(absl::AbortedError("")));
  EXPECT_FALSE(IsRetryable(absl::OkStatus()));
  EXPECT_FALSE(IsRetryable(absl::InvalidArgumentError("")));
  EXPECT_FALSE(IsRetryable(absl::FailedPreconditionError("")));
  EXPECT_FALSE(IsRetryable(absl::NotFoundError("")));
  EXPECT_FALSE(IsRetryable(absl::PermissionDeniedError("")));
  EXPECT_FALSE(IsRetryable(absl::InternalError("")));
  EXPECT_FALSE(IsRetryable(absl::CancelledError("")));
}

TEST(RetryIdempotentTest, FirstSuccessDoesNotSleep) {
  RecordingSleeper sleeper;
  int calls = 0;
  EXPECT_THAT(RetryIdempotent(
                  RetryPolicy{}, [&](int) { ++calls; return absl::OkStatus(); },
                  sleeper.AsSleeper(), kSeed),
              IsOk());
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(sleeper.delays.empty());
}

TEST(RetryIdempotentTest, RetriesRetryableUpToMaxAttemptsWithBackoff) {
  RetryPolicy policy;
  policy.max_attempts = 4;
  RecordingSleeper sleeper;
  std::vector<int> attempts;
  absl::Status status = RetryIdempotent(
      policy,
      [&](int attempt) {
        attempts.push_back(attempt);
        return absl::UnavailableError("peer down");
      },
      sleeper.AsSleeper(), kSeed);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("after 4 attempts")));
  EXPECT_THAT(attempts, ElementsAreArray({1, 2, 3, 4}));
  EXPECT_THAT(sleeper.delays, ElementsAreArray(ExpectedDelays(policy.backoff, 3)));
}

TEST(RetryIdempotentTest, BackoffGrowsWithoutJitter) {
  RetryPolicy policy;
  policy.max_attempts = 5;
  policy.backoff.jitter = 0;
  policy.backoff.initial = absl::Milliseconds(10);
  policy.backoff.max = absl::Milliseconds(50);
  RecordingSleeper sleeper;
  (void)RetryIdempotent(
      policy, [](int) { return absl::AbortedError("conflict"); }, sleeper.AsSleeper(), kSeed);
  ASSERT_EQ(sleeper.delays.size(), 4u);
  EXPECT_EQ(sleeper.delays.front(), absl::Milliseconds(10));
  for (size_t i = 1; i < sleeper.delays.size(); ++i) {
    EXPECT_GE(sleeper.delays[i], sleeper.delays[i - 1]);
    EXPECT_LE(sleeper.delays[i], absl::Milliseconds(50));
  }
  EXPECT_EQ(sleeper.delays.back(), absl::Milliseconds(50));
}

TEST(RetryIdempotentTest, StopsOnNonRetryable) {
  RecordingSleeper sleeper;
  int calls = 0;
  absl::Status status = RetryIdempotent(
      RetryPolicy{},
      [&](int) {
        ++calls;
        return calls < 2 ? absl::UnavailableError("blip") : absl::NotFoundError("no topic");
      },
      sleeper.AsSleeper(), kSeed);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound, "no topic"));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(sleeper.delays.size(), 1u);
}

TEST(RetryIdempotentTest, SucceedsAfterTransientFailures) {
  RecordingSleeper sleeper;
  EXPECT_THAT(RetryIdempotent(
                  RetryPolicy{},
                  [&](int attempt) {
                    return attempt < 3 ? absl::ResourceExhaustedError("busy") : absl::OkStatus();
                  },
                  sleeper.AsSleeper(), kSeed),
              IsOk());
  EXPECT_EQ(sleeper.delays.size(), 2u);
}

TEST(RetryIdempotentTest, NonPositiveMaxAttemptsMeansOneCall) {
  RetryPolicy policy;
  policy.max_attempts = 0;
  RecordingSleeper sleeper;
  int calls = 0;
  EXPECT_THAT(RetryIdempotent(
                  policy, [&](int) { ++calls; return absl::UnavailableError("x"); },
                  sleeper.AsSleeper(), kSeed),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(sleeper.delays.empty());
}

}  // namespace
}  // namespace eddy::rpc
