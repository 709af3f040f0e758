#pragma once

// FakeController: a test-only callback implementation of eddy.v1.Controller that serves only
// GetClusterStatus, used by libs/rpc tests (no test protos may be added to proto/).
//
// By default it answers at once with cluster_id() and OK. set_handler replaces that answer;
// hold(true) makes calls wait in the handler until ReleaseAll() or until cancelled (deadline,
// client cancel, server shutdown), which is how tests keep a call in flight.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "proto/eddy/v1/controller.grpc.pb.h"

namespace eddy::rpc::internal {

class FakeController final : public eddy::v1::Controller::CallbackService {
 public:
  using Handler = std::function<grpc::Status(grpc::CallbackServerContext& context,
                                             eddy::v1::GetClusterStatusResponse& response)>;

  explicit FakeController(std::string cluster_id = "fake") : cluster_id_(std::move(cluster_id)) {}

  // set_handler makes every call answer through `handler` (thread-safe).
  void set_handler(Handler handler) {
    absl::MutexLock lock(&mu_);
    handler_ = std::move(handler);
  }

  // hold makes new calls wait for ReleaseAll or cancellation.
  void hold(bool on) {
    absl::MutexLock lock(&mu_);
    hold_ = on;
  }

  // calls is how many GetClusterStatus calls reached the handler.
  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

  // WaitForHeld blocks until at least `n` calls have been held; false on timeout.
  bool WaitForHeld(int n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return static_cast<int>(held_.size()) >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }

  // ReleaseAll finishes every held call with OK.
  void ReleaseAll() {
    std::vector<std::shared_ptr<HeldCall>> held;
    {
      absl::MutexLock lock(&mu_);
      held = held_;
    }
    for (auto& call : held) call->Finish(grpc::Status::OK);
  }

  grpc::ServerUnaryReactor* GetClusterStatus(
      grpc::CallbackServerContext* context, const eddy::v1::GetClusterStatusRequest* /*request*/,
      eddy::v1::GetClusterStatusResponse* response) override {
    response->set_cluster_id(cluster_id_);
    Handler handler;
    bool hold;
    {
      absl::MutexLock lock(&mu_);
      ++calls_;
      handler = handler_;
      hold = hold_;
    }
    if (hold) {
      auto* reactor = new HoldingReactor();
      absl::MutexLock lock(&mu_);
      held_.push_back(reactor->call());
      return reactor;
    }
    grpc::Status status = handler ? handler(*context, *response) : grpc::Status::OK;
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(status);
    return reactor;
  }

 private:
  // HeldCall finishes its reactor exactly once, from whichever of ReleaseAll or OnCancel comes
  // first. The reactor stays alive until then, since OnDone only follows Finish.
  class HeldCall {
   public:
    explicit HeldCall(grpc::ServerUnaryReactor* reactor) : reactor_(reactor) {}
    void Finish(const grpc::Status& status) {
      grpc::ServerUnaryReactor* reactor;
      {
        absl::MutexLock lock(&mu_);
        reactor = std::exchange(reactor_, nullptr);
      }
      if (reactor != nullptr) reactor->Finish(status);
    }

   private:
    absl::Mutex mu_;
    grpc::ServerUnaryReactor* reactor_ ABSL_GUARDED_BY(mu_);
  };

  class HoldingReactor final : public grpc::ServerUnaryReactor {
   public:
    HoldingReactor() : call_(std::make_shared<HeldCall>(this)) {}
    std::shared_ptr<HeldCall> call() const { return call_; }
    void OnCancel() override { call_->Finish(grpc::Status::CANCELLED); }
    void OnDone() override { delete this; }

   private:
    std::shared_ptr<HeldCall> call_;
  };

  const std::string cluster_id_;
  mutable absl::Mutex mu_;
  Handler handler_ ABSL_GUARDED_BY(mu_);
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::shared_ptr<HeldCall>> held_ ABSL_GUARDED_BY(mu_);
};

// CallGetClusterStatus makes one GetClusterStatus call on `channel` with `context` (deadline set
// by the caller) and stores the answered cluster id in `cluster_id` when not null.
inline grpc::Status CallGetClusterStatus(grpc::Channel& channel, grpc::ClientContext& context,
                                         std::string* cluster_id = nullptr) {
  eddy::v1::Controller::Stub stub(channel.shared_from_this());
  eddy::v1::GetClusterStatusRequest request;
  eddy::v1::GetClusterStatusResponse response;
  grpc::Status status = stub.GetClusterStatus(&context, request, &response);
  if (cluster_id != nullptr) *cluster_id = response.cluster_id();
  return status;
}

}  // namespace eddy::rpc::internal
