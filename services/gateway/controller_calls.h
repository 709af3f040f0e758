// ControllerCalls runs the gateway's control-plane calls to the controller quorum (admin APIs,
// producer-id blocks) off the Kafka event loop: each call runs on a small worker pool through a
// LeaderFollower, which follows leader hints, rotates controllers and backs off, all bounded.
// The Kafka handlers hand it a closure and answer from the worker when the call returns.
//
// Thread-safety: thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "libs/rpc/channel_cache.h"
#include "libs/rpc/leader_hint.h"
#include "proto/eddy/v1/controller.grpc.pb.h"

namespace asio {
class thread_pool;
}

namespace eddy::gateway {

class ControllerCalls {
 public:
  ControllerCalls(rpc::ChannelCache& channels, std::vector<std::string> controllers,
                  absl::Duration per_call_timeout, int threads);
  ~ControllerCalls();

  ControllerCalls(const ControllerCalls&) = delete;
  ControllerCalls& operator=(const ControllerCalls&) = delete;

  // Submit runs `work` on a worker thread (where blocking on gRPC is fine).
  void Submit(std::function<void()> work);

  // Call runs one unary controller RPC on the current leader (blocking; call from Submit'd work).
  // `rpc` receives a stub and the context whose deadline is set.
  absl::Status Call(
      const std::function<grpc::Status(eddy::v1::Controller::Stub& stub,
                                       grpc::ClientContext& context)>& rpc,
      rpc::Idempotency idempotency = rpc::Idempotency::kNotIdempotent);

  // Stop waits for submitted work to finish and refuses new work.
  void Stop();

 private:
  rpc::LeaderFollower controllers_;
  std::unique_ptr<asio::thread_pool> pool_;
};

}  // namespace eddy::gateway
