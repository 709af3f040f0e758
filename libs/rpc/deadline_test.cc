#include "libs/rpc/deadline.h"

#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/rpc/internal/fake_controller.h"
#include "libs/rpc/server.h"
#include "libs/rpc/status.h"
#include "tests/testing/status_matchers.h"

namespace eddy::rpc {
namespace {

using ::eddy::testing::StatusIs;

TEST(DeadlineTest, SetsDeadlineFromNow) {
  grpc::ClientContext context;
  const absl::Time before = absl::Now();
  SetDeadline(context, absl::Seconds(5));
  const absl::Time deadline = absl::FromChrono(context.deadline());
  EXPECT_GE(deadline, before + absl::Seconds(5));
  EXPECT_LE(deadline, absl::Now() + absl::Seconds(5));
}

TEST(DeadlineTest, InfiniteTimeoutIsClamped) {
  grpc::ClientContext context;
  SetDeadline(context, absl::InfiniteDuration());
  EXPECT_LE(absl::FromChrono(context.deadline()), absl::Now() + kMaxCallTimeout);
  EXPECT_GT(absl::FromChrono(context.deadline()), absl::Now() + kMaxCallTimeout / 2);
}

TEST(DeadlineTest, SetDeadlineAtUsesAbsoluteTime) {
  grpc::ClientContext context;
  const absl::Time at = absl::Now() + absl::Seconds(3);
  SetDeadlineAt(context, at);
  EXPECT_LE(absl::AbsDuration(absl::FromChrono(context.deadline()) - at), absl::Milliseconds(1));
}

class DeadlineCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.AddService(&service_);
    EDDY_ASSERT_OK(server_.Start());
  }

  internal::FakeController service_;
  GrpcServer server_{ServerOptions{}};
};

TEST_F(DeadlineCallTest, HeldCallExpiresWithDeadlineExceeded) {
  service_.hold(true);
  grpc::ClientContext context;
  SetDeadline(context, absl::Milliseconds(100));
  const absl::Time start = absl::Now();
  EXPECT_THAT(FromGrpcStatus(internal::CallGetClusterStatus(*server_.InProcessChannel(), context)),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(90));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST_F(DeadlineCallTest, ZeroTimeoutExpiresAtOnce) {
  service_.hold(true);
  grpc::ClientContext context;
  SetDeadline(context, absl::ZeroDuration());
  EXPECT_THAT(FromGrpcStatus(internal::CallGetClusterStatus(*server_.InProcessChannel(), context)),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST_F(DeadlineCallTest, DeadlinePropagatesToServer) {
  absl::Time server_deadline;
  service_.set_handler([&](grpc::CallbackServerContext& context,
                           eddy::v1::GetClusterStatusResponse&) {
    server_deadline = absl::FromChrono(context.deadline());
    return grpc::Status::OK;
  });
  grpc::ClientContext context;
  const absl::Time at = absl::Now() + absl::Seconds(7);
  SetDeadlineAt(context, at);
  ASSERT_TRUE(internal::CallGetClusterStatus(*server_.InProcessChannel(), context).ok());
  EXPECT_LE(absl::AbsDuration(server_deadline - at), absl::Seconds(1));
}

}  // namespace
}  // namespace eddy::rpc
