#include "services/controller/cluster_membership.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "tests/testing/status_matchers.h"

namespace eddy::controller {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;
using ::testing::HasSubstr;

eddy::v1::RegisterMemberRequest Registration(eddy::v1::MemberRole role, int32_t id,
                                             std::string incarnation) {
  eddy::v1::RegisterMemberRequest request;
  request.set_role(role);
  request.set_member_id(id);
  request.set_incarnation_id(std::move(incarnation));
  auto* endpoint = request.add_endpoints();
  endpoint->set_name("grpc");
  endpoint->set_host("127.0.0.1");
  endpoint->set_port(9094);
  return request;
}

eddy::v1::HeartbeatRequest Beat(eddy::v1::MemberRole role, int32_t id, int64_t epoch,
                                bool shutting_down = false) {
  eddy::v1::HeartbeatRequest request;
  request.set_role(role);
  request.set_member_id(id);
  request.set_member_epoch(epoch);
  request.set_shutting_down(shutting_down);
  return request;
}

class ClusterMembershipTest : public ::testing::Test {
 protected:
  common::ManualClock clock_;
  ClusterMembership membership_{{.session_timeout = absl::Seconds(9),
                                 .heartbeat_interval = absl::Seconds(2)},
                                clock_};

  eddy::v1::MemberState StateOf(eddy::v1::MemberRole role, int32_t id) {
    for (const auto& member : membership_.Members()) {
      if (member.role() == role && member.member_id() == id) return member.state();
    }
    return eddy::v1::MEMBER_STATE_UNSPECIFIED;
  }
};

TEST_F(ClusterMembershipTest, RegistrationGrantsLeaseAndIncreasingEpochs) {
  auto broker = membership_.Register(Registration(eddy::v1::MEMBER_ROLE_BROKER, 1, "a"));
  ASSERT_THAT(broker, IsOk());
  EXPECT_EQ(broker->lease_duration_ms(), 9000);
  EXPECT_EQ(broker->heartbeat_interval_ms(), 2000);
  auto gateway = membership_.Register(Registration(eddy::v1::MEMBER_ROLE_GATEWAY, 1, "b"));
  ASSERT_THAT(gateway, IsOk());
  EXPECT_GT(gateway->member_epoch(), broker->member_epoch());

  auto members = membership_.Members();
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].role(), eddy::v1::MEMBER_ROLE_BROKER);
  EXPECT_EQ(members[0].state(), eddy::v1::MEMBER_STATE_ACTIVE);
  EXPECT_EQ(members[0].endpoints(0).port(), 9094);
  EXPECT_EQ(members[1].role(), eddy::v1::MEMBER_ROLE_GATEWAY);
}

TEST_F(ClusterMembershipTest, RejectsControllerAndUnspecifiedRoles) {
  EXPECT_THAT(membership_.Register(Registration(eddy::v1::MEMBER_ROLE_UNSPECIFIED, 1, "a")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(membership_.Register(Registration(eddy::v1::MEMBER_ROLE_CONTROLLER, 1, "a")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(membership_.Register(Registration(eddy::v1::MEMBER_ROLE_BROKER, 1, "")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("incarnation_id")));
}

TEST_F(ClusterMembershipTest, HeartbeatsKeepTheLeaseAlive) {
  auto broker = membership_.Register(Registration(eddy::v1::MEMBER_ROLE_BROKER, 1, "a"));
  ASSERT_THAT(broker, IsOk());
  for (int i = 0; i < 10; ++i) {
    clock_.Advance(absl::Seconds(2));
    EXPECT_FALSE(
        membership_.Heartbeat(Beat(eddy::v1::MEMBER_ROLE_BROKER, 1, broker->member_epoch()))
            .reregister());
    EXPECT_TRUE(membership_.ExpireLeases().empty());
  }
  EXPECT_EQ(StateOf(eddy::v1::MEMBER_ROLE_BROKER, 1), eddy::v1::MEMBER_STATE_ACTIVE);
}

TEST_F(ClusterMembershipTest, ExpiredLeaseFencesAndHeartbeatUnfences) {
  auto broker = membership_.Register(Registration(eddy::v1::MEMBER_ROLE_BROKER, 1, "a"));
  ASSERT_THAT(broker, IsOk());
  clock_.Advance(absl::Seconds(9) - absl::Milliseconds(1));
  EXPECT_TRUE(membership_.ExpireLeases().empty());
  clock_.Advance(absl::Milliseconds(1));
  auto fenced = membership_.ExpireLeases();
  ASSERT_EQ(fenced.size(), 1u);
  EXPECT_EQ(fenced[0].member_id(), 1);
  EXPECT_EQ(StateOf(eddy::v1::MEMBER_ROLE_BROKER, 1), eddy::v1::MEMBER_STATE_FENCED);
  // Fencing is reported once.
  EXPECT_TRUE(membership_.ExpireLeases().empty());

  membership_.Heartbeat(Beat(eddy::v1::MEMBER_ROLE_BROKER, 1, broker->member_epoch()));
  EXPECT_EQ(StateOf(eddy::v1::MEMBER_ROLE_BROKER, 1), eddy::v1::MEMBER_STATE_ACTIVE);
}

TEST_F(ClusterMembershipTest, UnknownOrStaleEpochIsToldToRegisterAgain) {
  EXPECT_TRUE(membership_.Heartbeat(Beat(eddy::v1::MEMBER_ROLE_BROKER, 7, 1)).reregister());
  auto first = membership_.Register(Registration(eddy::v1::MEMBER_ROLE_BROKER, 1, "a"));
  ASSERT_THAT(first, IsOk());
  auto second = membership_.Register(Registration(eddy::v1::MEMBER_ROLE_BROKER, 1, "a"));
  ASSERT_THAT(second, IsOk());
  EXPECT_TRUE(
      membership_.Heartbeat(Beat(eddy::v1::MEMBER_ROLE_BROKER, 1, first->member_epoch()))
          .reregister());
  EXPECT_FALSE(
      membership_.Heartbeat(Beat(eddy::v1::MEMBER_ROLE_BROKER, 1, second->member_epoch()))
          .reregister());
}

TEST_F(ClusterMembershipTest, AnotherIncarnationWaitsForTheLiveLease) {
  ASSERT_THAT(membership_.Register(Registration(eddy::v1::MEMBER_ROLE_BROKER, 1, "old")), IsOk());
  clock_.Advance(absl::Seconds(3));
  EXPECT_THAT(membership_.Register(Registration(eddy::v1::MEMBER_ROLE_BROKER, 1, "new")),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("another incarnation")));
  clock_.Advance(absl::Seconds(6));
  auto replaced = membership_.Register(Registration(eddy::v1::MEMBER_ROLE_BROKER, 1, "new"));
  ASSERT_THAT(replaced, IsOk());
  auto members = membership_.Members();
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].incarnation_id(), "new");
  EXPECT_EQ(members[0].state(), eddy::v1::MEMBER_STATE_ACTIVE);
}

TEST_F(ClusterMembershipTest, ControlledShutdownFreesTheIdAtOnce) {
  auto old = membership_.Register(Registration(eddy::v1::MEMBER_ROLE_COORDINATOR, 2, "old"));
  ASSERT_THAT(old, IsOk());
  membership_.Heartbeat(
      Beat(eddy::v1::MEMBER_ROLE_COORDINATOR, 2, old->member_epoch(), /*shutting_down=*/true));
  EXPECT_EQ(StateOf(eddy::v1::MEMBER_ROLE_COORDINATOR, 2), eddy::v1::MEMBER_STATE_SHUTTING_DOWN);
  EXPECT_THAT(membership_.Register(Registration(eddy::v1::MEMBER_ROLE_COORDINATOR, 2, "new")),
              IsOk());
  EXPECT_EQ(StateOf(eddy::v1::MEMBER_ROLE_COORDINATOR, 2), eddy::v1::MEMBER_STATE_ACTIVE);
}

TEST_F(ClusterMembershipTest, SameIdDifferentRolesAreDistinct) {
  ASSERT_THAT(membership_.Register(Registration(eddy::v1::MEMBER_ROLE_BROKER, 1, "a")), IsOk());
  ASSERT_THAT(membership_.Register(Registration(eddy::v1::MEMBER_ROLE_GATEWAY, 1, "b")), IsOk());
  ASSERT_THAT(membership_.Register(Registration(eddy::v1::MEMBER_ROLE_REGISTRY, 1, "c")), IsOk());
  EXPECT_EQ(membership_.Members().size(), 3u);
}

}  // namespace
}  // namespace eddy::controller
