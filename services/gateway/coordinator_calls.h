// Routing of group APIs to the group coordinator that owns a group's shard, and the gateway's
// asynchronous calls to coordinators.
//
// A group lives on shard GroupShard(group.id, P), P = the partition count of __consumer_offsets
// (Kafka's formula); the controller assigns each shard to a live coordinator and the gateway's
// metadata names the owner. Clients are told (FindCoordinator) the gateway presented for the
// shard's partition, spread over the live gateways like partition leaders, so one group's members
// talk to one gateway; any gateway forwards any group request to the owner, so a stale answer
// is harmless. While the topic, the owner or the owner's address is unknown the answer is
// COORDINATOR_NOT_AVAILABLE, which clients retry after re-finding the coordinator.
//
// CoordinatorCalls issues unary Coordinator RPCs with gRPC's callback API: nothing blocks the
// Kafka event loop, and a JoinGroup that waits for its group's rebalance holds no thread.
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "libs/rpc/deadline.h"
#include "libs/rpc/status.h"
#include "proto/eddy/v1/coordinator.grpc.pb.h"
#include "services/gateway/cluster_view.h"

namespace eddy::gateway {

// GroupShardCount is the number of group shards (partitions of __consumer_offsets); 0 while
// the topic does not exist.
int32_t GroupShardCount(const ClusterView& view);

// GroupRoute says where one group's requests go.
struct GroupRoute {
  int16_t error_code = 0;  // COORDINATOR_NOT_AVAILABLE when the group cannot be routed now
  int32_t shard = -1;
  std::string target;  // the owning coordinator's gRPC address
};

// RouteGroup finds the coordinator serving `group_id`.
GroupRoute RouteGroup(const ClusterView& view, std::string_view group_id);

// GatewayForGroupShard is the gateway FindCoordinator names for `shard`: the gateway presented
// as leader of that __consumer_offsets partition. nullptr without gateways or shard.
const GatewayNode* GatewayForGroupShard(const ClusterView& view, int32_t shard);

// GroupCallError maps a failed coordinator call to the Kafka error its group request answers:
// malformed → INVALID_REQUEST; anything else (unreachable, deadline, stopping) →
// COORDINATOR_NOT_AVAILABLE, on which clients look the coordinator up again.
int16_t GroupCallError(const absl::Status& status);

class CoordinatorCalls {
 public:
  using Stub = eddy::v1::Coordinator::Stub;
  // ChannelSource returns the channel to a coordinator's gRPC target.
  using ChannelSource = std::function<std::shared_ptr<grpc::Channel>(std::string_view target)>;
  template <typename Request, typename Response>
  using AsyncMethod = void (Stub::async_interface::*)(grpc::ClientContext*, const Request*,
                                                     Response*, std::function<void(grpc::Status)>);

  explicit CoordinatorCalls(ChannelSource channels) : channels_(std::move(channels)) {}
  ~CoordinatorCalls() { Stop(); }

  CoordinatorCalls(const CoordinatorCalls&) = delete;
  CoordinatorCalls& operator=(const CoordinatorCalls&) = delete;

  // Call starts `method` on the coordinator at `target` with a deadline `timeout` from now.
  // `done` runs exactly once, on a gRPC thread (or inline when stopped), with the call's status
  // and response.
  template <typename Request, typename Response>
  void Call(const std::string& target, AsyncMethod<Request, Response> method, Request request,
            absl::Duration timeout, std::function<void(absl::Status, Response)> done);

  // Stop cancels the calls in flight (their `done` sees CANCELLED) and refuses new ones.
  void Stop();

 private:
  template <typename Request, typename Response>
  struct PendingCall {
    grpc::ClientContext context;
    Request request;
    Response response;
    std::shared_ptr<Stub> stub;
  };

  std::shared_ptr<Stub> StubFor(const std::string& target);
  // Track registers a call in flight; false once stopped.
  bool Track(grpc::ClientContext* context);
  void Untrack(grpc::ClientContext* context);

  ChannelSource channels_;
  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, std::shared_ptr<Stub>, std::less<>> stubs_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<grpc::ClientContext*> in_flight_ ABSL_GUARDED_BY(mu_);
};

template <typename Request, typename Response>
void CoordinatorCalls::Call(const std::string& target, AsyncMethod<Request, Response> method,
                            Request request, absl::Duration timeout,
                            std::function<void(absl::Status, Response)> done) {
  auto call = std::make_shared<PendingCall<Request, Response>>();
  call->request = std::move(request);
  call->stub = StubFor(target);
  rpc::SetDeadline(call->context, timeout);
  if (!Track(&call->context)) {
    done(absl::CancelledError("the gateway is stopping"), Response{});
    return;
  }
  (call->stub->async()->*method)(
      &call->context, &call->request, &call->response,
      [this, call, done = std::move(done)](grpc::Status status) {
        Untrack(&call->context);
        done(rpc::FromGrpcStatus(status), std::move(call->response));
      });
}

}  // namespace eddy::gateway
