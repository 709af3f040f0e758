#include "services/gateway/controller_calls.h"

#include "asio/post.hpp"
#include "asio/thread_pool.hpp"
#include "libs/rpc/retry.h"

namespace eddy::gateway {
namespace {

rpc::RetryPolicy AdminRetryPolicy(size_t controllers) {
  rpc::RetryPolicy policy;
  policy.max_attempts = static_cast<int>(controllers) * 2 + 1;
  policy.backoff.initial = absl::Milliseconds(50);
  policy.backoff.max = absl::Milliseconds(1000);
  return policy;
}

}  // namespace

ControllerCalls::ControllerCalls(rpc::ChannelCache& channels, std::vector<std::string> controllers,
                                 absl::Duration per_call_timeout, int threads)
    : controllers_(channels, controllers, AdminRetryPolicy(controllers.size()), per_call_timeout),
      pool_(std::make_unique<asio::thread_pool>(threads)) {}

ControllerCalls::~ControllerCalls() { Stop(); }

void ControllerCalls::Submit(std::function<void()> work) { asio::post(*pool_, std::move(work)); }

absl::Status ControllerCalls::Call(
    const std::function<grpc::Status(eddy::v1::Controller::Stub& stub,
                                     grpc::ClientContext& context)>& rpc,
    rpc::Idempotency idempotency) {
  return controllers_.Call(
      [&](grpc::Channel& channel, grpc::ClientContext& context) {
        eddy::v1::Controller::Stub stub(channel.shared_from_this());
        return rpc(stub, context);
      },
      idempotency);
}

void ControllerCalls::Stop() { pool_->join(); }

}  // namespace eddy::gateway
