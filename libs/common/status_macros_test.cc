#include "libs/common/status_macros.h"

#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace eddy::common {
namespace {

using ::eddy::testing::IsOkAndHolds;
using ::eddy::testing::StatusIs;

absl::Status Fail() { return absl::NotFoundError("missing"); }

absl::Status ReturnIfError(bool fail, int* reached) {
  EDDY_RETURN_IF_ERROR(fail ? Fail() : absl::OkStatus());
  ++*reached;
  return absl::OkStatus();
}

TEST(ReturnIfErrorTest, PropagatesErrorAndContinuesOnOk) {
  int reached = 0;
  EXPECT_THAT(ReturnIfError(true, &reached), StatusIs(absl::StatusCode::kNotFound, "missing"));
  EXPECT_EQ(reached, 0);
  EXPECT_TRUE(ReturnIfError(false, &reached).ok());
  EXPECT_EQ(reached, 1);
}

TEST(ReturnIfErrorTest, EvaluatesExpressionOnce) {
  int calls = 0;
  auto f = [&]() -> absl::Status {
    EDDY_RETURN_IF_ERROR((++calls, absl::OkStatus()));
    return absl::OkStatus();
  };
  EXPECT_TRUE(f().ok());
  EXPECT_EQ(calls, 1);
}

TEST(ReturnIfErrorTest, WorksInStatusOrFunction) {
  auto f = []() -> absl::StatusOr<int> {
    EDDY_RETURN_IF_ERROR(absl::UnavailableError("down"));
    return 1;
  };
  EXPECT_THAT(f(), StatusIs(absl::StatusCode::kUnavailable, "down"));
}

absl::StatusOr<std::string> Name(bool fail) {
  if (fail) return absl::InvalidArgumentError("bad name");
  return std::string("eddy");
}

absl::StatusOr<size_t> NameLength(bool fail) {
  EDDY_ASSIGN_OR_RETURN(std::string name, Name(fail));
  return name.size();
}

TEST(AssignOrReturnTest, DeclaresAndAssigns) {
  EXPECT_THAT(NameLength(false), IsOkAndHolds(4u));
  EXPECT_THAT(NameLength(true), StatusIs(absl::StatusCode::kInvalidArgument, "bad name"));
}

TEST(AssignOrReturnTest, AssignsExistingVariableAndAuto) {
  auto f = []() -> absl::Status {
    std::string existing = "old";
    EDDY_ASSIGN_OR_RETURN(existing, Name(false));
    EDDY_ASSIGN_OR_RETURN(auto second, Name(false));  // Two uses in one scope: unique temps.
    if (existing != "eddy" || second != "eddy") return absl::InternalError("wrong value");
    return absl::OkStatus();
  };
  EXPECT_TRUE(f().ok());
}

TEST(AssignOrReturnTest, MovesMoveOnlyValues) {
  auto make = []() -> absl::StatusOr<std::unique_ptr<int>> { return std::make_unique<int>(7); };
  auto f = [&]() -> absl::StatusOr<int> {
    EDDY_ASSIGN_OR_RETURN(std::unique_ptr<int> p, make());
    return *p;
  };
  EXPECT_THAT(f(), IsOkAndHolds(7));
}

TEST(AssignOrReturnTest, ExpressionMayContainCommas) {
  auto pick = [](int a, int b) -> absl::StatusOr<int> { return a + b; };
  auto f = [&]() -> absl::StatusOr<int> {
    EDDY_ASSIGN_OR_RETURN(int sum, pick(2, 3));
    return sum;
  };
  EXPECT_THAT(f(), IsOkAndHolds(5));
}

}  // namespace
}  // namespace eddy::common
