#include "libs/rpc/server.h"

#include <thread>

#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "libs/rpc/deadline.h"
#include "libs/rpc/internal/fake_controller.h"
#include "libs/rpc/status.h"
#include "tests/testing/status_matchers.h"

namespace eddy::rpc {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;
using ::testing::HasSubstr;

absl::Status GetClusterStatus(grpc::Channel& channel, absl::Duration timeout,
                              std::string* cluster_id = nullptr) {
  grpc::ClientContext context;
  SetDeadline(context, timeout);
  return FromGrpcStatus(internal::CallGetClusterStatus(channel, context, cluster_id));
}

TEST(GrpcServerTest, ServesOnEphemeralPortOverLoopback) {
  internal::FakeController service("c1");
  GrpcServer server(ServerOptions{});
  server.AddService(&service);
  EDDY_ASSERT_OK(server.Start());
  ASSERT_GT(server.port(), 0);
  EXPECT_EQ(server.target(), absl::StrCat("127.0.0.1:", server.port()));

  auto channel = grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials());
  std::string cluster_id;
  EXPECT_THAT(GetClusterStatus(*channel, absl::Seconds(10), &cluster_id), IsOk());
  EXPECT_EQ(cluster_id, "c1");
}

TEST(GrpcServerTest, ServesInProcess) {
  internal::FakeController service("in-process");
  GrpcServer server(ServerOptions{});
  server.AddService(&service);
  EDDY_ASSERT_OK(server.Start());
  std::string cluster_id;
  EXPECT_THAT(GetClusterStatus(*server.InProcessChannel(), absl::Seconds(10), &cluster_id),
              IsOk());
  EXPECT_EQ(cluster_id, "in-process");
}

TEST(GrpcServerTest, HandlerStatusReachesClient) {
  internal::FakeController service;
  service.set_handler([](grpc::CallbackServerContext&, eddy::v1::GetClusterStatusResponse&) {
    return ToGrpcStatus(absl::NotFoundError("no such cluster"));
  });
  GrpcServer server(ServerOptions{});
  server.AddService(&service);
  EDDY_ASSERT_OK(server.Start());
  EXPECT_THAT(GetClusterStatus(*server.InProcessChannel(), absl::Seconds(10)),
              StatusIs(absl::StatusCode::kNotFound, "no such cluster"));
}

TEST(GrpcServerTest, BindFailureOnTakenPortNamesHostPort) {
  internal::FakeController service;
  GrpcServer first(ServerOptions{});
  first.AddService(&service);
  EDDY_ASSERT_OK(first.Start());

  ServerOptions options;
  options.port = first.port();
  GrpcServer second(options);
  second.AddService(&service);
  EXPECT_THAT(second.Start(), StatusIs(absl::StatusCode::kUnavailable,
                                       HasSubstr(absl::StrCat("127.0.0.1:", first.port()))));
  EXPECT_EQ(second.port(), 0);
}

TEST(GrpcServerTest, RejectsBadOptions) {
  internal::FakeController service;
  ServerOptions options;
  options.port = 70000;
  GrpcServer bad_port(options);
  bad_port.AddService(&service);
  EXPECT_THAT(bad_port.Start(), StatusIs(absl::StatusCode::kInvalidArgument));

  options.port = 0;
  options.tls.cert_file = "/nonexistent/eddy/server.pem";
  options.tls.key_file = "/nonexistent/eddy/server.key";
  GrpcServer bad_tls(options);
  bad_tls.AddService(&service);
  EXPECT_THAT(bad_tls.Start(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("/nonexistent/eddy")));
}

TEST(GrpcServerTest, StartWithoutServiceFails) {
  GrpcServer server(ServerOptions{});
  EXPECT_THAT(server.Start(), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(GrpcServerTest, StartTwiceFails) {
  internal::FakeController service;
  GrpcServer server(ServerOptions{});
  server.AddService(&service);
  EDDY_ASSERT_OK(server.Start());
  EXPECT_THAT(server.Start(), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(GrpcServerTest, ShutdownCancelsInFlightCallAfterGrace) {
  internal::FakeController service;
  service.hold(true);
  GrpcServer server(ServerOptions{});
  server.AddService(&service);
  EDDY_ASSERT_OK(server.Start());
  auto channel = grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials());

  absl::Status call_status;
  std::thread client([&] { call_status = GetClusterStatus(*channel, absl::Seconds(30)); });
  ASSERT_TRUE(service.WaitForHeld(1, absl::Seconds(10)));

  const absl::Duration grace = absl::Milliseconds(300);
  const absl::Time start = absl::Now();
  server.Shutdown(grace);
  const absl::Duration took = absl::Now() - start;
  client.join();

  EXPECT_GE(took, grace);
  EXPECT_LT(took, grace + absl::Seconds(5));
  EXPECT_FALSE(call_status.ok());
  server.Shutdown(grace);  // Idempotent.
}

TEST(GrpcServerTest, ShutdownLetsInFlightCallFinishWithinGrace) {
  internal::FakeController service;
  service.hold(true);
  GrpcServer server(ServerOptions{});
  server.AddService(&service);
  EDDY_ASSERT_OK(server.Start());
  auto channel = grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials());

  absl::Status call_status = absl::UnknownError("not run");
  std::thread client([&] { call_status = GetClusterStatus(*channel, absl::Seconds(30)); });
  ASSERT_TRUE(service.WaitForHeld(1, absl::Seconds(10)));

  std::thread releaser([&] {
    absl::SleepFor(absl::Milliseconds(100));
    service.ReleaseAll();
  });
  const absl::Time start = absl::Now();
  server.Shutdown(absl::Seconds(20));
  const absl::Duration took = absl::Now() - start;
  releaser.join();
  client.join();

  EXPECT_THAT(call_status, IsOk());
  EXPECT_LT(took, absl::Seconds(10));
}

TEST(GrpcServerTest, ShutdownBeforeStartIsNoop) {
  GrpcServer server(ServerOptions{});
  server.Shutdown(absl::Seconds(1));
  EXPECT_EQ(server.InProcessChannel(), nullptr);
}

}  // namespace
}  // namespace eddy::rpc
