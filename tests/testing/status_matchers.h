// gMock matchers and assertion macros for absl::Status and absl::StatusOr<T>, which Debian 12's
// Abseil (20220623) does not ship:
//   EXPECT_THAT(s, IsOk());                         // Status or StatusOr
//   EXPECT_THAT(s, StatusIs(absl::StatusCode::kNotFound));
//   EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--grpc-port")));
//   EXPECT_THAT(statusor, IsOkAndHolds(Eq(42)));
//   EDDY_ASSERT_OK(expr); EDDY_EXPECT_OK(expr); EDDY_ASSERT_OK_AND_ASSIGN(auto x, expr);
// Failure messages print the actual status (code and message).
#pragma once

#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eddy::testing {
namespace internal_status {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }

template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

class IsOkMatcher {
 public:
  template <typename StatusType>
  bool MatchAndExplain(const StatusType& actual, ::testing::MatchResultListener* listener) const {
    const absl::Status& status = GetStatus(actual);
    if (!status.ok()) *listener << "which has status " << status;
    return status.ok();
  }
  void DescribeTo(std::ostream* os) const { *os << "is OK"; }
  void DescribeNegationTo(std::ostream* os) const { *os << "is not OK"; }
};

class StatusIsMatcher {
 public:
  StatusIsMatcher(::testing::Matcher<absl::StatusCode> code,
                  ::testing::Matcher<const std::string&> message)
      : code_(std::move(code)), message_(std::move(message)) {}

  template <typename StatusType>
  bool MatchAndExplain(const StatusType& actual, ::testing::MatchResultListener* listener) const {
    const absl::Status& status = GetStatus(actual);
    ::testing::StringMatchResultListener code_listener;
    if (!code_.MatchAndExplain(status.code(), &code_listener)) {
      *listener << "whose status code " << absl::StatusCodeToString(status.code())
                << " is wrong (status " << status << ")";
      return false;
    }
    const std::string message(status.message());
    ::testing::StringMatchResultListener message_listener;
    if (!message_.MatchAndExplain(message, &message_listener)) {
      *listener << "whose error message is wrong (status " << status << ")";
      if (!message_listener.str().empty()) *listener << ", " << message_listener.str();
      return false;
    }
    return true;
  }
  void DescribeTo(std::ostream* os) const {
    *os << "has a status code that ";
    code_.DescribeTo(os);
    *os << ", and has an error message that ";
    message_.DescribeTo(os);
  }
  void DescribeNegationTo(std::ostream* os) const {
    *os << "has a status code that ";
    code_.DescribeNegationTo(os);
    *os << ", or has an error message that ";
    message_.DescribeNegationTo(os);
  }

 private:
  ::testing::Matcher<absl::StatusCode> code_;
  ::testing::Matcher<const std::string&> message_;
};

template <typename StatusOrRef>
class IsOkAndHoldsMatcherImpl : public ::testing::MatcherInterface<StatusOrRef> {
 public:
  using StatusOrType = std::remove_cv_t<std::remove_reference_t<StatusOrRef>>;
  using ValueType = typename StatusOrType::value_type;

  template <typename InnerMatcher>
  explicit IsOkAndHoldsMatcherImpl(InnerMatcher&& inner)
      : inner_(::testing::SafeMatcherCast<const ValueType&>(std::forward<InnerMatcher>(inner))) {}

  void DescribeTo(std::ostream* os) const override {
    *os << "is OK and has a value that ";
    inner_.DescribeTo(os);
  }
  void DescribeNegationTo(std::ostream* os) const override {
    *os << "is not OK or has a value that ";
    inner_.DescribeNegationTo(os);
  }
  bool MatchAndExplain(StatusOrRef actual,
                       ::testing::MatchResultListener* listener) const override {
    if (!actual.ok()) {
      *listener << "which has status " << actual.status();
      return false;
    }
    ::testing::StringMatchResultListener inner_listener;
    const bool matches = inner_.MatchAndExplain(*actual, &inner_listener);
    *listener << "which contains value " << ::testing::PrintToString(*actual);
    if (!inner_listener.str().empty()) *listener << ", " << inner_listener.str();
    return matches;
  }

 private:
  ::testing::Matcher<const ValueType&> inner_;
};

template <typename InnerMatcher>
class IsOkAndHoldsMatcher {
 public:
  explicit IsOkAndHoldsMatcher(InnerMatcher inner) : inner_(std::move(inner)) {}

  template <typename StatusOrType>
  operator ::testing::Matcher<StatusOrType>() const {  // NOLINT: implicit by design.
    return ::testing::Matcher<StatusOrType>(
        new IsOkAndHoldsMatcherImpl<const StatusOrType&>(inner_));
  }

 private:
  InnerMatcher inner_;
};

}  // namespace internal_status

// IsOk matches an OK absl::Status or absl::StatusOr<T>.
inline ::testing::PolymorphicMatcher<internal_status::IsOkMatcher> IsOk() {
  return ::testing::MakePolymorphicMatcher(internal_status::IsOkMatcher());
}

// StatusIs matches a Status or StatusOr whose code matches `code` (a StatusCode or a matcher) and
// whose message matches `message` (a string or a matcher such as HasSubstr).
template <typename CodeMatcher, typename MessageMatcher>
::testing::PolymorphicMatcher<internal_status::StatusIsMatcher> StatusIs(CodeMatcher code,
                                                                        MessageMatcher message) {
  return ::testing::MakePolymorphicMatcher(internal_status::StatusIsMatcher(
      ::testing::MatcherCast<absl::StatusCode>(std::move(code)),
      ::testing::MatcherCast<const std::string&>(std::move(message))));
}
template <typename CodeMatcher>
::testing::PolymorphicMatcher<internal_status::StatusIsMatcher> StatusIs(CodeMatcher code) {
  return StatusIs(std::move(code), ::testing::_);
}

// IsOkAndHolds matches an OK StatusOr<T> whose value matches `inner`.
template <typename InnerMatcher>
internal_status::IsOkAndHoldsMatcher<std::decay_t<InnerMatcher>> IsOkAndHolds(
    InnerMatcher&& inner) {
  return internal_status::IsOkAndHoldsMatcher<std::decay_t<InnerMatcher>>(
      std::forward<InnerMatcher>(inner));
}

}  // namespace eddy::testing

#define EDDY_ASSERT_OK(expr) ASSERT_THAT((expr), ::eddy::testing::IsOk())
#define EDDY_EXPECT_OK(expr) EXPECT_THAT((expr), ::eddy::testing::IsOk())

// EDDY_ASSERT_OK_AND_ASSIGN(lhs, expr) asserts that the StatusOr `expr` is OK and moves its value
// into `lhs` (a variable or a declaration). Usable only in functions returning void, like ASSERT_*.
#define EDDY_ASSERT_OK_AND_ASSIGN(lhs, ...)                                               \
  EDDY_TESTING_ASSERT_OK_AND_ASSIGN_IMPL_(                                                \
      EDDY_TESTING_CONCAT_(eddy_testing_statusor_, __COUNTER__), lhs, (__VA_ARGS__))

#define EDDY_TESTING_CONCAT_INNER_(a, b) a##b
#define EDDY_TESTING_CONCAT_(a, b) EDDY_TESTING_CONCAT_INNER_(a, b)
#define EDDY_TESTING_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, expr)          \
  auto statusor = expr;                                                       \
  ASSERT_TRUE(statusor.ok()) << "expected OK, got " << statusor.status();     \
  lhs = std::move(statusor).value()
