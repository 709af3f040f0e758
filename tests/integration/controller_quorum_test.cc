// Three real eddy-controller processes as one Raft metadata quorum (issue 5, acceptance 2):
// - kill -9 the leader 20 times; each time a new leader accepts a CreateTopics. The time from the
//   kill to the accepted write is printed as p50/p99 (bounded only generously: CI machines vary).
// - SIGSTOP the leader for 10 s while writes go on elsewhere, then SIGCONT: it steps down.
// Every accepted write reports (term, controller); no term may have two accepting controllers,
// and every accepted topic is in every controller's metadata at the end. Every leader reports the
// same cluster id, also after all controllers restart.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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

constexpr int kControllers = 3;

class ControllerQuorumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LocalClusterOptions options;
    options.bin_dir = EDDY_BIN_DIR;
    options.controllers = kControllers;
    options.brokers = 1;  // CreateTopics places replicas on usable brokers
    options.coordinators = 0;
    options.registries = 0;
    options.gateways = 0;
    // Longer than a heartbeat's trip through a dead or paused controller to the new leader.
    options.member_session_timeout_ms = 6000;
    options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
    cluster_ = std::make_unique<LocalCluster>(options);
    EDDY_ASSERT_OK(cluster_->Start());
    ASSERT_TRUE(WaitFor([&] { return Leader() >= 0; }, absl::Seconds(20)));
  }

  std::unique_ptr<eddy::v1::Controller::Stub> Stub(int index) {
    return eddy::v1::Controller::NewStub(grpc::CreateChannel(
        cluster_->GrpcAddress(Role::kController, index), grpc::InsecureChannelCredentials()));
  }

  static void SetDeadline(grpc::ClientContext& context, absl::Duration timeout) {
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  }

  // Leader is the index of the controller that answers GetClusterStatus itself (followers
  // redirect it), or -1.
  int Leader() {
    for (int i = 0; i < kControllers; ++i) {
      if (cluster_->Pid(Role::kController, i) <= 0) continue;
      grpc::ClientContext context;
      SetDeadline(context, absl::Milliseconds(500));
      eddy::v1::GetClusterStatusResponse response;
      if (Stub(i)->GetClusterStatus(&context, {}, &response).ok() &&
          response.controller_id() == i + 1) {
        cluster_ids_.insert(response.cluster_id());
        return i;
      }
    }
    return -1;
  }

  // CreateTopic asks each running controller (skipping `skip`) in turn until one accepts topic
  // `name`, for up to `timeout`. Records the accepting (term, controller).
  bool CreateTopic(const std::string& name, absl::Duration timeout, int skip = -1) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      for (int i = 0; i < kControllers; ++i) {
        if (i == skip || cluster_->Pid(Role::kController, i) <= 0) continue;
        eddy::v1::CreateTopicsRequest request;
        eddy::v1::CreatableTopic* topic = request.add_topics();
        topic->set_name(name);
        topic->set_num_partitions(1);
        topic->set_replication_factor(1);
        grpc::ClientContext context;
        SetDeadline(context, absl::Seconds(1));
        eddy::v1::CreateTopicsResponse response;
        if (!Stub(i)->CreateTopics(&context, request, &response).ok()) continue;
        if (response.results_size() != 1) continue;
        const int code = response.results(0).error_code();
        if (code == 0) {
          accepted_by_term_[response.write().term()].insert(response.write().controller_id());
          created_.insert(name);
          return true;
        }
        if (code == 36) {  // TOPIC_ALREADY_EXISTS: an earlier attempt committed it
          created_.insert(name);
          return true;
        }
        // INVALID_REPLICATION_FACTOR: the broker is briefly fenced while it re-registers with a
        // new leader; retry.
        if (code == 38) continue;
        ADD_FAILURE() << "CreateTopics " << name << ": " << response.results(0).error_message();
        return false;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return false;
  }

  // Topics is what controller `index` holds, read through WatchMetadata's snapshot.
  std::optional<std::set<std::string>> Topics(int index) {
    grpc::ClientContext context;
    SetDeadline(context, absl::Seconds(5));
    eddy::v1::WatchMetadataRequest request;
    std::unique_ptr<grpc::ClientReader<eddy::v1::MetadataDelta>> reader =
        Stub(index)->WatchMetadata(&context, request);
    eddy::v1::MetadataDelta delta;
    if (!reader->Read(&delta) || !delta.snapshot()) return std::nullopt;
    context.TryCancel();
    std::set<std::string> names;
    for (const eddy::v1::TopicMetadata& topic : delta.topics()) names.insert(topic.name());
    return names;
  }

  void ExpectOneControllerPerTerm() {
    for (const auto& [term, controllers] : accepted_by_term_) {
      EXPECT_EQ(controllers.size(), 1u) << "term " << term << " had several accepting controllers";
    }
  }

  std::unique_ptr<LocalCluster> cluster_;
  std::map<int64_t, std::set<int32_t>> accepted_by_term_;
  std::set<std::string> created_;
  // Every cluster id a leader reported: the id is replicated, so one for the cluster's life.
  std::set<std::string> cluster_ids_;
};

TEST_F(ControllerQuorumTest, NewLeaderAcceptsWritesAfterKillAndPausedLeaderStepsDown) {
  ASSERT_TRUE(CreateTopic("before-failover", absl::Seconds(10)));

  std::vector<absl::Duration> failovers;
  for (int trial = 0; trial < 20; ++trial) {
    int leader = -1;
    ASSERT_TRUE(WaitFor([&] { return (leader = Leader()) >= 0; }, absl::Seconds(10)));
    EDDY_ASSERT_OK(cluster_->Kill(Role::kController, leader));
    const absl::Time killed = absl::Now();
    ASSERT_TRUE(CreateTopic(absl::StrCat("failover-", trial), absl::Seconds(10)))
        << "no controller accepted a write within 10 s of killing the leader (trial " << trial
        << ")";
    failovers.push_back(absl::Now() - killed);
    EDDY_ASSERT_OK(cluster_->Restart(Role::kController, leader));
  }
  std::sort(failovers.begin(), failovers.end());
  const size_t p99 = (failovers.size() * 99 + 99) / 100 - 1;
  std::cout << "time from kill -9 of the leader to an accepted write over " << failovers.size()
            << " trials: p50 " << absl::FormatDuration(failovers[failovers.size() / 2]) << ", p99 "
            << absl::FormatDuration(failovers[p99]) << ", max "
            << absl::FormatDuration(failovers.back()) << std::endl;

  // A paused leader: the others elect a new one and keep accepting writes; once resumed, the old
  // leader steps down (it redirects instead of serving).
  int paused = -1;
  ASSERT_TRUE(WaitFor([&] { return (paused = Leader()) >= 0; }, absl::Seconds(10)));
  EDDY_ASSERT_OK(cluster_->Pause(Role::kController, paused));
  const absl::Time pause_end = absl::Now() + absl::Seconds(10);
  int during_pause = 0;
  while (absl::Now() < pause_end) {
    ASSERT_TRUE(CreateTopic(absl::StrCat("paused-", during_pause++), absl::Seconds(10), paused));
    absl::SleepFor(absl::Milliseconds(200));
  }
  EDDY_ASSERT_OK(cluster_->Resume(Role::kController, paused));
  EXPECT_TRUE(WaitFor(
      [&] {
        grpc::ClientContext context;
        SetDeadline(context, absl::Milliseconds(500));
        eddy::v1::GetClusterStatusResponse response;
        const grpc::Status status = Stub(paused)->GetClusterStatus(&context, {}, &response);
        return status.error_code() == grpc::StatusCode::FAILED_PRECONDITION;
      },
      absl::Seconds(10)))
      << "the resumed leader did not step down";
  ASSERT_TRUE(CreateTopic("after-resume", absl::Seconds(10)));

  ExpectOneControllerPerTerm();
  for (int i = 0; i < kControllers; ++i) {
    std::optional<std::set<std::string>> topics;
    EXPECT_TRUE(WaitFor(
        [&] {
          topics = Topics(i);
          return topics.has_value() &&
                 std::includes(topics->begin(), topics->end(), created_.begin(), created_.end());
        },
        absl::Seconds(10)))
        << "controller " << i << " lost committed topics";
  }

  // The cluster id came from the metadata log: every leader of the run reported the same one, and
  // it survives every controller restarting.
  for (int i = 0; i < kControllers; ++i) {
    EDDY_ASSERT_OK(cluster_->Stop(Role::kController, i, absl::Seconds(10)).status());
  }
  for (int i = 0; i < kControllers; ++i) EDDY_ASSERT_OK(cluster_->Restart(Role::kController, i));
  ASSERT_TRUE(WaitFor([&] { return Leader() >= 0; }, absl::Seconds(20)));
  EXPECT_EQ(cluster_ids_.size(), 1u) << "leaders reported different cluster ids";
  EXPECT_FALSE(cluster_ids_.begin()->empty());
}

}  // namespace
}  // namespace eddy::testing
