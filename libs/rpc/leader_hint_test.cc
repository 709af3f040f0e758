#include "libs/rpc/leader_hint.h"

#include <memory>
#include <optional>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "libs/rpc/deadline.h"
#include "libs/rpc/internal/fake_controller.h"
#include "libs/rpc/server.h"
#include "libs/rpc/status.h"
#include "tests/testing/status_matchers.h"

namespace eddy::rpc {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;
using ::testing::HasSubstr;

eddy::v1::LeaderHint HintFor(int node_id, const GrpcServer& server) {
  eddy::v1::LeaderHint hint;
  hint.set_node_id(node_id);
  hint.mutable_endpoint()->set_name("grpc");
  hint.mutable_endpoint()->set_host("127.0.0.1");
  hint.mutable_endpoint()->set_port(server.port());
  return hint;
}

// Member is one controller-like server on a loopback ephemeral port.
struct Member {
  explicit Member(std::string name) : service(std::move(name)) {
    server.AddService(&service);
    EXPECT_THAT(server.Start(), IsOk());
  }
  // RedirectTo makes this member answer "not leader, ask `leader`" (nullopt: no leader known).
  void RedirectTo(std::optional<eddy::v1::LeaderHint> leader) {
    service.set_handler([leader](grpc::CallbackServerContext& context,
                                 eddy::v1::GetClusterStatusResponse&) {
      return NotLeader(context, leader, "test member");
    });
  }
  internal::FakeController service;
  GrpcServer server{ServerOptions{}};
};

struct RecordingSleeper {
  std::vector<absl::Duration> delays;
  Sleeper AsSleeper() {
    return [this](absl::Duration d) { delays.push_back(d); };
  }
};

class LeaderFollowerTest : public ::testing::Test {
 protected:
  // MakeFollower builds a LeaderFollower over `targets` with a recording sleeper.
  std::unique_ptr<LeaderFollower> MakeFollower(std::vector<std::string> targets,
                                               int max_attempts = 5) {
    RetryPolicy policy;
    policy.max_attempts = max_attempts;
    return std::make_unique<LeaderFollower>(channels_, std::move(targets), policy,
                                            absl::Seconds(10), sleeper_.AsSleeper(), 7);
  }

  // Call asks for the cluster status through `follower`; `answered_by` gets the cluster id.
  static absl::Status Call(LeaderFollower& follower, std::string* answered_by = nullptr,
                           Idempotency idempotency = Idempotency::kIdempotent) {
    return follower.Call(
        [&](grpc::Channel& channel, grpc::ClientContext& context) {
          return internal::CallGetClusterStatus(channel, context, answered_by);
        },
        idempotency);
  }

  ChannelCache channels_{grpc::InsecureChannelCredentials()};
  RecordingSleeper sleeper_;
};

TEST_F(LeaderFollowerTest, FollowsHintToLeader) {
  Member a("a"), b("b"), c("c");
  a.RedirectTo(HintFor(3, c.server));
  auto follower = MakeFollower({a.server.target(), b.server.target(), c.server.target()});
  EXPECT_EQ(follower->current_target(), a.server.target());

  std::string answered_by;
  EXPECT_THAT(Call(*follower, &answered_by), IsOk());
  EXPECT_EQ(answered_by, "c");
  EXPECT_EQ(follower->current_target(), c.server.target());
  EXPECT_EQ(a.service.calls(), 1);
  EXPECT_EQ(b.service.calls(), 0);  // The hint, not the endpoint order, chose c.
  EXPECT_TRUE(sleeper_.delays.empty());  // A fresh hint is followed at once.

  // The next call goes straight to the remembered leader.
  EXPECT_THAT(Call(*follower, &answered_by), IsOk());
  EXPECT_EQ(a.service.calls(), 1);
  EXPECT_EQ(c.service.calls(), 2);
}

TEST_F(LeaderFollowerTest, TwoServersEndsOnSecond) {
  Member first("first"), second("second");
  first.RedirectTo(HintFor(2, second.server));
  auto follower = MakeFollower({first.server.target(), second.server.target()});
  std::string answered_by;
  EXPECT_THAT(Call(*follower, &answered_by), IsOk());
  EXPECT_EQ(answered_by, "second");
  EXPECT_EQ(follower->current_target(), second.server.target());
}

TEST_F(LeaderFollowerTest, UnreachableMemberRotatesToNextAfterBackoff) {
  Member live("live");
  std::string dead_target;
  {
    internal::FakeController service;
    GrpcServer dead(ServerOptions{});
    dead.AddService(&service);
    ASSERT_THAT(dead.Start(), IsOk());
    dead_target = dead.target();
  }  // Port closed now: connecting is refused.
  auto follower = MakeFollower({dead_target, live.server.target()});
  std::string answered_by;
  EXPECT_THAT(Call(*follower, &answered_by), IsOk());
  EXPECT_EQ(answered_by, "live");
  EXPECT_EQ(follower->current_target(), live.server.target());
  EXPECT_EQ(sleeper_.delays.size(), 1u);
}

TEST_F(LeaderFollowerTest, NoLeaderKnownRotates) {
  Member a("a"), b("b");
  a.RedirectTo(std::nullopt);
  auto follower = MakeFollower({a.server.target(), b.server.target()});
  std::string answered_by;
  EXPECT_THAT(Call(*follower, &answered_by, Idempotency::kNotIdempotent), IsOk());
  EXPECT_EQ(answered_by, "b");
}

TEST_F(LeaderFollowerTest, HintCycleIsBoundedByMaxAttempts) {
  Member a("a"), b("b");
  a.RedirectTo(HintFor(2, b.server));
  b.RedirectTo(HintFor(1, a.server));
  auto follower = MakeFollower({a.server.target(), b.server.target()}, /*max_attempts=*/4);
  EXPECT_THAT(Call(*follower), StatusIs(absl::StatusCode::kFailedPrecondition,
                                        HasSubstr("after 4 attempts")));
  EXPECT_EQ(a.service.calls() + b.service.calls(), 4);
  EXPECT_FALSE(sleeper_.delays.empty());  // Going round in circles backs off.
}

TEST_F(LeaderFollowerTest, NonRetryableErrorIsReturnedAtOnce) {
  Member a("a"), b("b");
  a.service.set_handler([](grpc::CallbackServerContext&, eddy::v1::GetClusterStatusResponse&) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "fenced");
  });
  auto follower = MakeFollower({a.server.target(), b.server.target()});
  EXPECT_THAT(Call(*follower), StatusIs(absl::StatusCode::kFailedPrecondition,
                                        HasSubstr(a.server.target())));
  EXPECT_EQ(a.service.calls(), 1);
  EXPECT_EQ(b.service.calls(), 0);
}

TEST_F(LeaderFollowerTest, NotIdempotentDoesNotRetryTimeouts) {
  Member a("a"), b("b");
  a.service.set_handler([](grpc::CallbackServerContext&, eddy::v1::GetClusterStatusResponse&) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "slow");
  });
  auto follower = MakeFollower({a.server.target(), b.server.target()});
  EXPECT_THAT(Call(*follower, nullptr, Idempotency::kNotIdempotent),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(b.service.calls(), 0);
  EXPECT_THAT(Call(*follower, nullptr, Idempotency::kIdempotent), IsOk());
  EXPECT_EQ(b.service.calls(), 1);
}

TEST(LeaderHintTest, RoundTripsThroughTrailingMetadata) {
  internal::FakeController service;
  eddy::v1::LeaderHint sent;
  sent.set_node_id(9);
  sent.mutable_endpoint()->set_host("10.0.0.9");
  sent.mutable_endpoint()->set_port(9093);
  service.set_handler([&](grpc::CallbackServerContext& context,
                          eddy::v1::GetClusterStatusResponse&) {
    return NotLeader(context, sent, "node 1");
  });
  GrpcServer server(ServerOptions{});
  server.AddService(&service);
  ASSERT_THAT(server.Start(), IsOk());

  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(10));
  grpc::Status status = internal::CallGetClusterStatus(*server.InProcessChannel(), context);
  EXPECT_THAT(FromGrpcStatus(status),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("10.0.0.9:9093")));
  std::optional<eddy::v1::LeaderHint> got = LeaderHintFrom(context);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->node_id(), 9);
  EXPECT_EQ(TargetOf(got->endpoint()), "10.0.0.9:9093");
}

TEST(LeaderHintTest, AbsentWithoutHint) {
  internal::FakeController service;
  GrpcServer server(ServerOptions{});
  server.AddService(&service);
  ASSERT_THAT(server.Start(), IsOk());
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(10));
  ASSERT_TRUE(internal::CallGetClusterStatus(*server.InProcessChannel(), context).ok());
  EXPECT_FALSE(LeaderHintFrom(context).has_value());
}

TEST(LeaderHintTest, TargetOfBracketsIpv6) {
  eddy::v1::Endpoint endpoint;
  endpoint.set_host("::1");
  endpoint.set_port(9093);
  EXPECT_EQ(TargetOf(endpoint), "[::1]:9093");
}

}  // namespace
}  // namespace eddy::rpc
