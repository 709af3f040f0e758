#include "libs/rpc/status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace eddy::rpc {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;

TEST(StatusTest, OkMapsToOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_THAT(FromGrpcStatus(grpc::Status::OK), IsOk());
}

TEST(StatusTest, EveryCanonicalCodeRoundTripsWithMessage) {
  for (int code = 1; code <= 16; ++code) {
    SCOPED_TRACE(code);
    const absl::Status original(static_cast<absl::StatusCode>(code), "message for " +
                                                                          std::to_string(code));
    const grpc::Status wire = ToGrpcStatus(original);
    EXPECT_EQ(static_cast<int>(wire.error_code()), code);
    EXPECT_EQ(wire.error_message(), original.message());
    EXPECT_EQ(FromGrpcStatus(wire), original);
  }
}

TEST(StatusTest, NamedCodesMatch) {
  EXPECT_EQ(ToGrpcStatus(absl::UnavailableError("x")).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ToGrpcStatus(absl::FailedPreconditionError("x")).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "who")),
              StatusIs(absl::StatusCode::kUnauthenticated, "who"));
  EXPECT_THAT(FromGrpcStatus(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "late")),
              StatusIs(absl::StatusCode::kDeadlineExceeded, ::testing::HasSubstr("late")));
}

// Only the absl side can hold an out-of-range code without undefined behaviour: absl::StatusCode
// is `enum class : int`, while grpc::StatusCode has no fixed underlying type.
TEST(StatusTest, OutOfRangeCodeBecomesUnknown) {
  EXPECT_EQ(ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(42), "odd")).error_code(),
            grpc::StatusCode::UNKNOWN);
}

}  // namespace
}  // namespace eddy::rpc
