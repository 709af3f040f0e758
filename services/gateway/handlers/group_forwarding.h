// Shared plumbing of the group API handlers (JoinGroup ... ListGroups): route a group to the
// coordinator owning its shard (coordinator_calls.h), forward the request translated into the
// Coordinator service's message, and hand the handler either the coordinator's answer or the
// Kafka error its clients act on (COORDINATOR_NOT_AVAILABLE: find the coordinator again).
// NOT_COORDINATOR and COORDINATOR_LOAD_IN_PROGRESS come back from the coordinator as response
// data and pass through unchanged.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/kafka/error_codes.h"
#include "services/gateway/coordinator_calls.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {

// kGroupWaitCap bounds a call that waits for a rebalance (SyncGroup waiting for the leader's
// assignment): Kafka's default rebalance timeout, max.poll.interval.ms = 5 minutes.
inline constexpr absl::Duration kGroupWaitCap = absl::Minutes(5);

// ForwardToGroupCoordinator sends `request` for `group_id` to its coordinator; `finish` gets
// (0, response) or (Kafka error, default response), exactly once, on any thread.
template <typename Request, typename Response>
void ForwardToGroupCoordinator(GatewayContext& context, std::string_view group_id,
                               CoordinatorCalls::AsyncMethod<Request, Response> method,
                               Request request, absl::Duration timeout,
                               std::function<void(int16_t, Response)> finish) {
  if (context.coordinators == nullptr) {
    finish(GroupCallError(absl::UnavailableError("no coordinator client")), Response{});
    return;
  }
  const GroupRoute route = RouteGroup(*context.metadata->Current(), group_id);
  if (route.error_code != 0) {
    finish(route.error_code, Response{});
    return;
  }
  context.coordinators->Call<Request, Response>(
      route.target, method, std::move(request), timeout,
      [finish = std::move(finish)](absl::Status status, Response response) {
        if (!status.ok()) {
          finish(GroupCallError(status), Response{});
        } else {
          finish(0, std::move(response));
        }
      });
}

// GroupBatch is the part of a multi-group request (DescribeGroups, DeleteGroups, OffsetFetch v8+)
// that goes to one coordinator: indexes into the request's groups.
struct GroupBatch {
  std::string target;
  std::vector<size_t> indexes;
};

// GroupBatches splits a multi-group request by owning coordinator; groups that cannot be routed
// now are listed with their Kafka error.
struct GroupBatches {
  std::vector<GroupBatch> batches;
  std::vector<std::pair<size_t, int16_t>> unroutable;
};
GroupBatches BatchGroupsByCoordinator(const GatewayContext& context,
                                      const std::vector<std::string>& group_ids);

// PartitionErrorCodes indexes a coordinator's per-partition answers (OffsetCommit, OffsetDelete)
// so the handler can answer in the client's order; a partition the coordinator left out gets
// UNKNOWN_SERVER_ERROR.
class PartitionErrorCodes {
 public:
  explicit PartitionErrorCodes(
      const google::protobuf::RepeatedPtrField<eddy::v1::PartitionError>& results);
  int16_t Code(const std::string& topic, int32_t partition) const;

 private:
  std::map<std::pair<std::string, int32_t>, int16_t> codes_;
};

// OrderedResults gathers the results of concurrent calls into request-order slots and runs
// `finish` once, after the last Done(). Start with one pending count per call plus one for the
// caller, which calls Done() after starting them all (a call may complete inline).
// Thread-safety: thread-safe; share as std::shared_ptr.
template <typename Slot>
class OrderedResults {
 public:
  OrderedResults(size_t slots, int pending, std::function<void(std::vector<Slot>)> finish)
      : slots_(slots), pending_(pending), finish_(std::move(finish)) {}

  void Set(size_t index, Slot value) {
    absl::MutexLock lock(&mu_);
    slots_[index] = std::move(value);
  }

  void Done() {
    std::vector<Slot> slots;
    {
      absl::MutexLock lock(&mu_);
      if (--pending_ != 0) return;
      slots = std::move(slots_);
    }
    finish_(std::move(slots));
  }

 private:
  absl::Mutex mu_;
  std::vector<Slot> slots_ ABSL_GUARDED_BY(mu_);
  int pending_ ABSL_GUARDED_BY(mu_);
  std::function<void(std::vector<Slot>)> finish_;
};

// OptionalString is Kafka's nullable string from a proto string (empty: null).
inline std::optional<std::string> OptionalString(const std::string& value) {
  return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

// ClientHost is the client's address as Kafka reports it in DescribeGroups ("/ip").
inline std::string ClientHost(const ClientInfo& client) {
  const size_t colon = client.peer.rfind(':');
  return "/" + (colon == std::string::npos ? client.peer : client.peer.substr(0, colon));
}

}  // namespace eddy::gateway
