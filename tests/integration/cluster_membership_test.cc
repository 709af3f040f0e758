// Boots a LocalCluster and checks membership end to end: every member registers, a member killed
// with kill -9 (or paused) loses its lease and is fenced, restarts register again, and members
// re-register after the controller itself restarts.
#include <optional>

#include "absl/strings/str_cat.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "grpcpp/grpcpp.h"
#include "proto/eddy/v1/common.grpc.pb.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {
namespace {

using eddy::v1::MemberRole;
using eddy::v1::MemberState;

class ClusterMembershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LocalClusterOptions options;
    options.bin_dir = EDDY_BIN_DIR;
    // Long enough that a broker stopped with SIGTERM (which closes __consumer_offsets' 50
    // partitions on the way out) is still SHUTTING_DOWN, not yet FENCED, when Stop returns.
    options.member_session_timeout_ms = 3000;
    options.member_heartbeat_interval_ms = 200;
    options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
    cluster_ = std::make_unique<LocalCluster>(options);
    EDDY_ASSERT_OK(cluster_->Start());
  }

  std::optional<eddy::v1::MemberStatus> Member(MemberRole role, int32_t id) {
    auto status = cluster_->ClusterStatus();
    if (!status.ok()) return std::nullopt;
    for (const auto& member : status->members()) {
      if (member.role() == role && member.member_id() == id) return member;
    }
    return std::nullopt;
  }

  bool StateIs(MemberRole role, int32_t id, MemberState state) {
    auto member = Member(role, id);
    return member && member->state() == state;
  }

  bool AllActive() {
    auto status = cluster_->ClusterStatus();
    if (!status.ok() || status->members_size() != 4) return false;
    for (const auto& member : status->members()) {
      if (member.state() != eddy::v1::MEMBER_STATE_ACTIVE) return false;
    }
    return true;
  }

  std::unique_ptr<LocalCluster> cluster_;
};

TEST_F(ClusterMembershipTest, EveryMemberRegistersWithItsEndpoints) {
  EDDY_ASSERT_OK_AND_ASSIGN(auto status, cluster_->ClusterStatus());
  EXPECT_FALSE(status.cluster_id().empty());
  ASSERT_EQ(status.members_size(), 4);
  std::vector<MemberRole> roles;
  for (const auto& member : status.members()) {
    roles.push_back(member.role());
    EXPECT_EQ(member.state(), eddy::v1::MEMBER_STATE_ACTIVE);
    EXPECT_EQ(member.member_id(), 1);
    // The registry also advertises its Confluent REST API, the gateway its Kafka listener.
    const bool registry = member.role() == eddy::v1::MEMBER_ROLE_REGISTRY;
    const bool gateway = member.role() == eddy::v1::MEMBER_ROLE_GATEWAY;
    ASSERT_EQ(member.endpoints_size(), registry || gateway ? 3 : 2);
    EXPECT_EQ(member.endpoints(0).name(), "grpc");
    EXPECT_EQ(member.endpoints(1).name(), "http");
    if (registry) {
      EXPECT_EQ(member.endpoints(2).name(), "rest");
      EXPECT_EQ(member.endpoints(2).port(), cluster_->RegistryRestPort());
    }
    if (gateway) {
      EXPECT_EQ(member.endpoints(2).name(), "kafka");
      EXPECT_EQ(member.endpoints(2).port(), cluster_->KafkaPort(0));
    }
  }
  EXPECT_THAT(roles, ::testing::ElementsAre(eddy::v1::MEMBER_ROLE_BROKER,
                                            eddy::v1::MEMBER_ROLE_COORDINATOR,
                                            eddy::v1::MEMBER_ROLE_REGISTRY,
                                            eddy::v1::MEMBER_ROLE_GATEWAY));
  const auto broker = Member(eddy::v1::MEMBER_ROLE_BROKER, 1);
  EXPECT_EQ(absl::StrCat(broker->endpoints(0).host(), ":", broker->endpoints(0).port()),
            cluster_->GrpcAddress(Role::kBroker));
}

TEST_F(ClusterMembershipTest, EveryDaemonDescribesItselfOnItsGrpcPort) {
  for (Role role :
       {Role::kController, Role::kBroker, Role::kCoordinator, Role::kRegistry, Role::kGateway}) {
    SCOPED_TRACE(RoleName(role));
    auto stub = eddy::v1::Daemon::NewStub(
        grpc::CreateChannel(cluster_->GrpcAddress(role), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    eddy::v1::DaemonDescription description;
    ASSERT_TRUE(stub->Describe(&context, {}, &description).ok());
    EXPECT_EQ(description.name(), "eddy-" + RoleName(role));
    EXPECT_FALSE(description.version().empty());
    ASSERT_EQ(description.endpoints_size(),
              role == Role::kRegistry || role == Role::kGateway ? 3 : 2);
    EXPECT_EQ(absl::StrCat(description.endpoints(0).host(), ":", description.endpoints(0).port()),
              cluster_->GrpcAddress(role));
    if (role == Role::kController) {
      EXPECT_EQ(description.role(), eddy::v1::MEMBER_ROLE_CONTROLLER);
      continue;
    }
    EXPECT_TRUE(description.registered());
    EXPECT_EQ(description.member_id(), 1);
    EXPECT_GT(description.member_epoch(), 0);
    const auto member = Member(description.role(), 1);
    ASSERT_TRUE(member.has_value());
    EXPECT_EQ(member->incarnation_id(), description.incarnation_id());
    EXPECT_EQ(member->member_epoch(), description.member_epoch());
  }
}

TEST_F(ClusterMembershipTest, KilledMemberLeaseExpiresAndRestartRegistersAgain) {
  const auto before = Member(eddy::v1::MEMBER_ROLE_BROKER, 1);
  ASSERT_TRUE(before.has_value());
  EDDY_ASSERT_OK(cluster_->Kill(Role::kBroker));

  ASSERT_TRUE(WaitFor(
      [&] { return StateIs(eddy::v1::MEMBER_ROLE_BROKER, 1, eddy::v1::MEMBER_STATE_FENCED); },
      absl::Seconds(10)));
  // Only the killed member lost its lease.
  EXPECT_TRUE(StateIs(eddy::v1::MEMBER_ROLE_GATEWAY, 1, eddy::v1::MEMBER_STATE_ACTIVE));
  EXPECT_TRUE(StateIs(eddy::v1::MEMBER_ROLE_COORDINATOR, 1, eddy::v1::MEMBER_STATE_ACTIVE));

  EDDY_ASSERT_OK(cluster_->Restart(Role::kBroker));
  const auto after = Member(eddy::v1::MEMBER_ROLE_BROKER, 1);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->state(), eddy::v1::MEMBER_STATE_ACTIVE);
  EXPECT_NE(after->incarnation_id(), before->incarnation_id());
  EXPECT_GT(after->member_epoch(), before->member_epoch());
}

TEST_F(ClusterMembershipTest, PausedMemberIsFencedAndResumesItsLease) {
  EDDY_ASSERT_OK(cluster_->Pause(Role::kGateway));
  ASSERT_TRUE(WaitFor(
      [&] { return StateIs(eddy::v1::MEMBER_ROLE_GATEWAY, 1, eddy::v1::MEMBER_STATE_FENCED); },
      absl::Seconds(10)));
  EDDY_ASSERT_OK(cluster_->Resume(Role::kGateway));
  EXPECT_TRUE(WaitFor(
      [&] { return StateIs(eddy::v1::MEMBER_ROLE_GATEWAY, 1, eddy::v1::MEMBER_STATE_ACTIVE); },
      absl::Seconds(10)));
}

TEST_F(ClusterMembershipTest, MembersRegisterAgainAfterTheControllerRestarts) {
  const std::string cluster_id = cluster_->ClusterStatus()->cluster_id();
  EDDY_ASSERT_OK(cluster_->Kill(Role::kController));
  EDDY_ASSERT_OK(cluster_->Restart(Role::kController));
  ASSERT_TRUE(WaitFor([&] { return AllActive(); }, absl::Seconds(15)));
  // The cluster id lives in the controller's data directory and survives the restart.
  EXPECT_EQ(cluster_->ClusterStatus()->cluster_id(), cluster_id);
}

TEST_F(ClusterMembershipTest, SigtermStopsEachDaemonCleanlyWithinFiveSeconds) {
  for (Role role : {Role::kGateway, Role::kRegistry, Role::kCoordinator, Role::kBroker}) {
    EDDY_ASSERT_OK_AND_ASSIGN(int exit_code, cluster_->Stop(role, 0, absl::Seconds(5)));
    EXPECT_EQ(exit_code, 0) << RoleName(role);
  }
  // Members announced a controlled shutdown on their way out.
  EXPECT_TRUE(
      StateIs(eddy::v1::MEMBER_ROLE_BROKER, 1, eddy::v1::MEMBER_STATE_SHUTTING_DOWN));
  EDDY_ASSERT_OK_AND_ASSIGN(int exit_code, cluster_->Stop(Role::kController, 0, absl::Seconds(5)));
  EXPECT_EQ(exit_code, 0);
}

}  // namespace
}  // namespace eddy::testing
