#include "tests/testing/status_matchers.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"

namespace eddy::testing {
namespace {

using ::testing::DescribeMatcher;
using ::testing::Eq;
using ::testing::ExplainMatchResult;
using ::testing::Gt;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StringMatchResultListener;

absl::StatusOr<int> Value(int v) { return v; }
absl::StatusOr<int> Error() { return absl::NotFoundError("no such topic"); }

TEST(IsOkTest, StatusAndStatusOr) {
  EXPECT_THAT(absl::OkStatus(), IsOk());
  EXPECT_THAT(absl::InternalError("x"), Not(IsOk()));
  EXPECT_THAT(Value(1), IsOk());
  EXPECT_THAT(Error(), Not(IsOk()));
}

TEST(IsOkTest, ExplainsFailure) {
  StringMatchResultListener listener;
  EXPECT_FALSE(ExplainMatchResult(IsOk(), absl::NotFoundError("no such topic"), &listener));
  EXPECT_THAT(listener.str(), HasSubstr("NOT_FOUND: no such topic"));
  EXPECT_EQ(DescribeMatcher<absl::Status>(IsOk()), "is OK");
}

TEST(StatusIsTest, CodeOnly) {
  EXPECT_THAT(absl::NotFoundError("x"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Error(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(absl::OkStatus(), StatusIs(absl::StatusCode::kOk));
  EXPECT_THAT(Value(3), StatusIs(absl::StatusCode::kOk));
  EXPECT_THAT(absl::NotFoundError("x"), Not(StatusIs(absl::StatusCode::kInternal)));
}

TEST(StatusIsTest, CodeAndMessage) {
  EXPECT_THAT(Error(), StatusIs(absl::StatusCode::kNotFound, "no such topic"));
  EXPECT_THAT(Error(), StatusIs(absl::StatusCode::kNotFound, HasSubstr("topic")));
  EXPECT_THAT(Error(), Not(StatusIs(absl::StatusCode::kNotFound, HasSubstr("group"))));
  EXPECT_THAT(Error(), Not(StatusIs(absl::StatusCode::kInternal, "no such topic")));
}

TEST(StatusIsTest, ExplainsWrongCodeAndMessage) {
  StringMatchResultListener code_listener;
  EXPECT_FALSE(ExplainMatchResult(StatusIs(absl::StatusCode::kInternal), Error(), &code_listener));
  EXPECT_THAT(code_listener.str(), HasSubstr("NOT_FOUND"));
  StringMatchResultListener message_listener;
  EXPECT_FALSE(ExplainMatchResult(StatusIs(absl::StatusCode::kNotFound, "other"), Error(),
                                  &message_listener));
  EXPECT_THAT(message_listener.str(), HasSubstr("error message is wrong"));
}

TEST(IsOkAndHoldsTest, MatchesValue) {
  EXPECT_THAT(Value(5), IsOkAndHolds(5));
  EXPECT_THAT(Value(5), IsOkAndHolds(Gt(4)));
  EXPECT_THAT(Value(5), Not(IsOkAndHolds(6)));
  EXPECT_THAT(Error(), Not(IsOkAndHolds(5)));
  absl::StatusOr<std::string> s = std::string("eddy");
  EXPECT_THAT(s, IsOkAndHolds(HasSubstr("dd")));
  absl::StatusOr<std::unique_ptr<int>> p = std::make_unique<int>(9);
  EXPECT_THAT(p, IsOkAndHolds(::testing::Pointee(Eq(9))));
}

TEST(IsOkAndHoldsTest, ExplainsFailure) {
  StringMatchResultListener error_listener;
  EXPECT_FALSE(ExplainMatchResult(IsOkAndHolds(5), Error(), &error_listener));
  EXPECT_THAT(error_listener.str(), HasSubstr("no such topic"));
  StringMatchResultListener value_listener;
  EXPECT_FALSE(ExplainMatchResult(IsOkAndHolds(5), Value(6), &value_listener));
  EXPECT_THAT(value_listener.str(), HasSubstr("which contains value 6"));
}

TEST(MacrosTest, PassOnOk) {
  EDDY_ASSERT_OK(absl::OkStatus());
  EDDY_EXPECT_OK(Value(1));
  EDDY_ASSERT_OK_AND_ASSIGN(int v, Value(42));
  EXPECT_EQ(v, 42);
  EDDY_ASSERT_OK_AND_ASSIGN(auto w, Value(7));  // Second use in one scope.
  EXPECT_EQ(w, 7);
  int existing = 0;
  EDDY_ASSERT_OK_AND_ASSIGN(existing, Value(3));
  EXPECT_EQ(existing, 3);
}

void AssertOkAndAssignOnError() { EDDY_ASSERT_OK_AND_ASSIGN(int v, Error()); (void)v; }

TEST(MacrosTest, FailOnError) {
  EXPECT_NONFATAL_FAILURE(EDDY_EXPECT_OK(absl::InternalError("boom")), "boom");
  EXPECT_FATAL_FAILURE(EDDY_ASSERT_OK(absl::InternalError("boom")), "boom");
  EXPECT_FATAL_FAILURE(AssertOkAndAssignOnError(), "no such topic");
}

}  // namespace
}  // namespace eddy::testing
