// A broker whose lease expires is fenced (issue 5, acceptance 3): three real eddy-broker processes
// register through MemberAgent; one that leads partitions is paused (SIGSTOP) until its lease runs
// out. Within lease + 1 s every partition it led has a new leader from the ISR with a bumped
// leader epoch, and an AlterPartition it sends afterwards with what it last knew is rejected.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "proto/eddy/v1/controller.grpc.pb.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {
namespace {

constexpr int kBrokers = 3;
constexpr int kLeaseMs = 1500;

class ControllerFencingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LocalClusterOptions options;
    options.bin_dir = EDDY_BIN_DIR;
    options.brokers = kBrokers;
    options.coordinators = 0;
    options.registries = 0;
    options.gateways = 0;
    options.member_session_timeout_ms = kLeaseMs;
    options.member_heartbeat_interval_ms = 200;
    options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
    cluster_ = std::make_unique<LocalCluster>(options);
    EDDY_ASSERT_OK(cluster_->Start());
    stub_ = eddy::v1::Controller::NewStub(grpc::CreateChannel(
        cluster_->GrpcAddress(Role::kController), grpc::InsecureChannelCredentials()));
  }

  static void SetDeadline(grpc::ClientContext& context, absl::Duration timeout) {
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  }

  // Snapshot is the controller's metadata as a new watcher first sees it.
  std::optional<eddy::v1::MetadataDelta> Snapshot() {
    grpc::ClientContext context;
    SetDeadline(context, absl::Seconds(2));
    std::unique_ptr<grpc::ClientReader<eddy::v1::MetadataDelta>> reader =
        stub_->WatchMetadata(&context, {});
    eddy::v1::MetadataDelta delta;
    if (!reader->Read(&delta) || !delta.snapshot()) return std::nullopt;
    context.TryCancel();
    return delta;
  }

  std::optional<eddy::v1::TopicMetadata> Topic(const std::string& name) {
    std::optional<eddy::v1::MetadataDelta> snapshot = Snapshot();
    if (!snapshot.has_value()) return std::nullopt;
    for (const eddy::v1::TopicMetadata& topic : snapshot->topics()) {
      if (topic.name() == name) return topic;
    }
    return std::nullopt;
  }

  std::unique_ptr<LocalCluster> cluster_;
  std::unique_ptr<eddy::v1::Controller::Stub> stub_;
};

TEST_F(ControllerFencingTest, ExpiredBrokerIsFencedAndItsPartitionsMoveWithinTheIsr) {
  // Registered brokers are unfenced by their first heartbeat; a topic needs all three.
  eddy::v1::CreateTopicsRequest create;
  eddy::v1::CreatableTopic* creatable = create.add_topics();
  creatable->set_name("fenced");
  creatable->set_num_partitions(6);
  creatable->set_replication_factor(kBrokers);
  ASSERT_TRUE(WaitFor(
      [&] {
        grpc::ClientContext context;
        SetDeadline(context, absl::Seconds(2));
        eddy::v1::CreateTopicsResponse response;
        return stub_->CreateTopics(&context, create, &response).ok() &&
               response.results_size() == 1 && response.results(0).error_code() == 0;
      },
      absl::Seconds(20)));

  std::optional<eddy::v1::TopicMetadata> before;
  ASSERT_TRUE(WaitFor([&] { return (before = Topic("fenced")).has_value(); }, absl::Seconds(10)));
  std::map<int32_t, int> led;
  for (const eddy::v1::PartitionMetadata& partition : before->partitions())
    led[partition.leader()]++;
  int32_t victim = 0;
  for (const auto& [broker, count] : led) {
    if (victim == 0 || count > led[victim]) victim = broker;
  }
  ASSERT_GT(victim, 0);

  EDDY_ASSERT_OK_AND_ASSIGN(eddy::v1::GetClusterStatusResponse status, cluster_->ClusterStatus());
  int64_t victim_epoch = 0;
  for (const eddy::v1::MemberStatus& member : status.members()) {
    if (member.role() == eddy::v1::MEMBER_ROLE_BROKER && member.member_id() == victim) {
      victim_epoch = member.member_epoch();
    }
  }
  ASSERT_GT(victim_epoch, 0);

  EDDY_ASSERT_OK(cluster_->Pause(Role::kBroker, victim - 1));  // node id = index + 1
  const absl::Time paused = absl::Now();
  auto moved = [&](const eddy::v1::TopicMetadata& after) {
    for (const eddy::v1::PartitionMetadata& old : before->partitions()) {
      if (old.leader() != victim) continue;
      const eddy::v1::PartitionMetadata& now = after.partitions(old.partition());
      const bool from_isr =
          std::find(old.isr().begin(), old.isr().end(), now.leader()) != old.isr().end();
      if (now.leader() == victim || now.leader() < 0 || !from_isr ||
          now.leader_epoch() <= old.leader_epoch()) {
        return false;
      }
    }
    return true;
  };
  std::optional<eddy::v1::TopicMetadata> after;
  ASSERT_TRUE(WaitFor(
      [&] {
        after = Topic("fenced");
        return after.has_value() && moved(*after);
      },
      absl::Seconds(10), absl::Milliseconds(20)))
      << "partitions led by broker " << victim << " did not move";
  const absl::Duration took = absl::Now() - paused;
  std::cout << "broker " << victim << " paused; its partitions had new leaders after "
            << absl::FormatDuration(took) << " (lease " << kLeaseMs << " ms)" << std::endl;
  EXPECT_LT(took, absl::Milliseconds(kLeaseMs) + absl::Seconds(1));

  // What the paused broker would send next: an ISR change for a partition it believes it leads.
  for (const eddy::v1::PartitionMetadata& old : before->partitions()) {
    if (old.leader() != victim) continue;
    eddy::v1::AlterPartitionRequest alter;
    alter.set_broker_id(victim);
    alter.set_broker_epoch(victim_epoch);
    alter.mutable_partition()->set_topic("fenced");
    alter.mutable_partition()->set_partition(old.partition());
    alter.set_leader_epoch(old.leader_epoch());
    alter.set_partition_epoch(old.partition_epoch());
    alter.add_new_isr(victim);
    grpc::ClientContext context;
    SetDeadline(context, absl::Seconds(5));
    eddy::v1::AlterPartitionResponse response;
    ASSERT_TRUE(stub_->AlterPartition(&context, alter, &response).ok());
    EXPECT_NE(response.error_code(), 0) << "partition " << old.partition();
  }
  EDDY_ASSERT_OK(cluster_->Resume(Role::kBroker, victim - 1));
}

}  // namespace
}  // namespace eddy::testing
