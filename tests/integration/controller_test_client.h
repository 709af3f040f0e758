// Clients of a controller quorum for the controller's integration tests and its benchmark:
// ControllerClient sends each call to the leader (following redirects the way libs/rpc does:
// a follower answers FAILED_PRECONDITION, a controller without a leader UNAVAILABLE), and
// FakeBrokers registers brokers through the gRPC API and keeps their leases with heartbeats, so
// a test controls exactly which broker is alive without running broker processes.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "proto/eddy/v1/controller.grpc.pb.h"

namespace eddy::testing {

class ControllerClient {
 public:
  explicit ControllerClient(const std::vector<std::string>& addresses) {
    for (const std::string& address : addresses) {
      stubs_.push_back(eddy::v1::Controller::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials())));
    }
  }

  template <typename Request, typename Response>
  using Method = grpc::Status (eddy::v1::Controller::Stub::*)(grpc::ClientContext*,
                                                              const Request&, Response*);

  // Call runs `method` on the leader, trying the controllers in turn while they redirect or are
  // unreachable, for up to `timeout`. Returns the last status.
  template <typename Request, typename Response>
  grpc::Status Call(Method<Request, Response> method, const Request& request, Response* response,
                    absl::Duration timeout = absl::Seconds(10)) {
    const absl::Time deadline = absl::Now() + timeout;
    grpc::Status status(grpc::StatusCode::DEADLINE_EXCEEDED, "no controller answered");
    while (absl::Now() < deadline) {
      for (size_t tried = 0; tried < stubs_.size(); ++tried) {
        const size_t index = (leader_ + tried) % stubs_.size();
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
        response->Clear();
        status = (stubs_[index].get()->*method)(&context, request, response);
        const grpc::StatusCode code = status.error_code();
        if (code != grpc::StatusCode::FAILED_PRECONDITION &&
            code != grpc::StatusCode::UNAVAILABLE && code != grpc::StatusCode::DEADLINE_EXCEEDED) {
          leader_ = index;
          return status;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return status;
  }

  // Snapshot is the metadata a new watcher of controller `index` gets first.
  std::optional<eddy::v1::MetadataDelta> Snapshot(size_t index = 0) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    std::unique_ptr<grpc::ClientReader<eddy::v1::MetadataDelta>> reader =
        stubs_[index]->WatchMetadata(&context, {});
    eddy::v1::MetadataDelta delta;
    if (!reader->Read(&delta) || !delta.snapshot()) return std::nullopt;
    context.TryCancel();
    return delta;
  }

  size_t size() const { return stubs_.size(); }

 private:
  std::vector<std::unique_ptr<eddy::v1::Controller::Stub>> stubs_;
  size_t leader_ = 0;  // the controller that last answered
};

class FakeBrokers {
 public:
  // Registers brokers 1..count (rack "r<id>"); each heartbeats every `interval` while alive.
  FakeBrokers(const std::vector<std::string>& addresses, int count, absl::Duration interval)
      : client_(addresses), heartbeats_(addresses), interval_(interval) {
    for (int id = 1; id <= count; ++id) {
      absl::MutexLock lock(&mu_);
      brokers_[id] = Broker{};
    }
    thread_ = std::thread([this] { Run(); });
  }
  ~FakeBrokers() {
    stop_.Notify();
    thread_.join();
  }
  FakeBrokers(const FakeBrokers&) = delete;
  FakeBrokers& operator=(const FakeBrokers&) = delete;

  // SetAlive stops or resumes a broker's heartbeats (a stopped one is fenced once its lease ends).
  void SetAlive(int32_t id, bool alive) {
    absl::MutexLock lock(&mu_);
    brokers_[id].alive = alive;
  }
  // Epoch is the broker's current registration epoch (0 until registered).
  int64_t Epoch(int32_t id) {
    absl::MutexLock lock(&mu_);
    return brokers_[id].epoch;
  }

 private:
  struct Broker {
    bool alive = true;
    int64_t epoch = 0;
  };

  void Run() {
    do {
      std::map<int32_t, Broker> brokers;
      {
        absl::MutexLock lock(&mu_);
        brokers = brokers_;
      }
      for (const auto& [id, broker] : brokers) {
        if (!broker.alive) continue;
        if (broker.epoch == 0) {
          Register(id);
          continue;
        }
        eddy::v1::HeartbeatRequest request;
        request.set_role(eddy::v1::MEMBER_ROLE_BROKER);
        request.set_member_id(id);
        request.set_member_epoch(broker.epoch);
        eddy::v1::HeartbeatResponse response;
        if (heartbeats_.Call(&eddy::v1::Controller::Stub::Heartbeat, request, &response,
                             interval_)
                .ok() &&
            response.reregister()) {
          Register(id);
        }
      }
    } while (!stop_.WaitForNotificationWithTimeout(interval_));
  }

  void Register(int32_t id) {
    eddy::v1::RegisterMemberRequest request;
    request.set_role(eddy::v1::MEMBER_ROLE_BROKER);
    request.set_member_id(id);
    request.set_incarnation_id(absl::StrCat("fake-broker-", id, "-", ++incarnations_));
    request.set_rack(absl::StrCat("r", id));
    eddy::v1::Endpoint* endpoint = request.add_endpoints();
    endpoint->set_name("grpc");
    endpoint->set_host("127.0.0.1");
    endpoint->set_port(1);  // never dialled: the controller only stores endpoints
    eddy::v1::RegisterMemberResponse response;
    if (!client_.Call(&eddy::v1::Controller::Stub::RegisterMember, request, &response, interval_)
             .ok()) {
      return;
    }
    absl::MutexLock lock(&mu_);
    brokers_[id].epoch = response.member_epoch();
  }

  ControllerClient client_;
  ControllerClient heartbeats_;
  const absl::Duration interval_;
  int incarnations_ = 0;
  absl::Mutex mu_;
  std::map<int32_t, Broker> brokers_ ABSL_GUARDED_BY(mu_);
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace eddy::testing
