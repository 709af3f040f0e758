#include "services/gateway/coordinator_calls.h"

#include "libs/kafka/error_codes.h"
#include "libs/kafka/partitioner.h"

namespace eddy::gateway {

int32_t GroupShardCount(const ClusterView& view) {
  const TopicView* topic = view.FindTopic(kGroupMetadataTopic);
  return topic == nullptr ? 0 : static_cast<int32_t>(topic->partitions.size());
}

GroupRoute RouteGroup(const ClusterView& view, std::string_view group_id) {
  GroupRoute route;
  route.error_code = kafka::ToInt(kafka::ErrorCode::kCoordinatorNotAvailable);
  const int32_t shards = GroupShardCount(view);
  if (shards == 0) return route;
  route.shard = kafka::GroupShard(group_id, shards);
  const GroupShardOwner* owner = view.GroupShardOwnerOf(route.shard);
  if (owner == nullptr) return route;
  const CoordinatorNode* coordinator = view.FindCoordinator(owner->owner);
  if (coordinator == nullptr || coordinator->grpc_target.empty()) return route;
  route.target = coordinator->grpc_target;
  route.error_code = 0;
  return route;
}

const GatewayNode* GatewayForGroupShard(const ClusterView& view, int32_t shard) {
  const TopicView* topic = view.FindTopic(kGroupMetadataTopic);
  if (topic == nullptr || shard < 0 || shard >= static_cast<int32_t>(topic->partitions.size())) {
    return nullptr;
  }
  // Presented as led whatever the broker-side leader is: the shard's availability is the
  // coordinator's business, checked separately.
  PartitionView partition = topic->partitions[shard];
  partition.leader = 0;
  const PresentedPartition presented = view.Present(*topic, partition);
  return presented.leader < 0 ? nullptr : view.FindGateway(presented.leader);
}

int16_t GroupCallError(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    return kafka::ToInt(kafka::ErrorCode::kInvalidRequest);
  }
  return kafka::ToInt(kafka::ErrorCode::kCoordinatorNotAvailable);
}

std::shared_ptr<CoordinatorCalls::Stub> CoordinatorCalls::StubFor(const std::string& target) {
  absl::MutexLock lock(&mu_);
  auto it = stubs_.find(target);
  if (it == stubs_.end()) {
    it = stubs_.emplace(target, std::shared_ptr<Stub>(eddy::v1::Coordinator::NewStub(
                                    channels_(target))))
             .first;
  }
  return it->second;
}

bool CoordinatorCalls::Track(grpc::ClientContext* context) {
  absl::MutexLock lock(&mu_);
  if (stopped_) return false;
  in_flight_.insert(context);
  return true;
}

void CoordinatorCalls::Untrack(grpc::ClientContext* context) {
  absl::MutexLock lock(&mu_);
  in_flight_.erase(context);
}

void CoordinatorCalls::Stop() {
  absl::MutexLock lock(&mu_);
  stopped_ = true;
  for (grpc::ClientContext* context : in_flight_) context->TryCancel();
  // The callbacks still use `this` to untrack themselves; cancelled calls finish promptly.
  mu_.Await(absl::Condition(
      +[](absl::flat_hash_set<grpc::ClientContext*>* calls) { return calls->empty(); },
      &in_flight_));
}

}  // namespace eddy::gateway
