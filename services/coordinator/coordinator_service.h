// CoordinatorService: the eddy.v1.Coordinator gRPC service (thin adapter). Each call is routed
// to the shard owning its group (GroupShardSet) and finished from the shard's worker when the
// GroupCoordinator answers, so a JoinGroup waiting for its group holds no thread. Routing
// failures become Kafka codes in the response (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS);
// the gRPC status is OK unless the call itself is malformed. Multi-group calls (DescribeGroups,
// DeleteGroups, OffsetFetch v8+) fan out per group and answer in request order; ListGroups lists
// every shard this instance serves. InitProducerId (transactions) is not served yet.
#pragma once

#include <atomic>

#include "proto/eddy/v1/coordinator.grpc.pb.h"
#include "services/coordinator/group_metrics.h"
#include "services/coordinator/group_shard_set.h"

namespace eddy::coordinator {

class CoordinatorService final : public eddy::v1::Coordinator::CallbackService {
 public:
  // `shards` must outlive the service.
  explicit CoordinatorService(GroupShardSet& shards) : shards_(shards) {}
  // AttachMetrics starts recording commit latency into `metrics` (which must outlive the service).
  void AttachMetrics(GroupMetrics* metrics) { metrics_ = metrics; }

  grpc::ServerUnaryReactor* JoinGroup(grpc::CallbackServerContext* context,
                                      const eddy::v1::JoinGroupRequest* request,
                                      eddy::v1::JoinGroupResponse* response) override;
  grpc::ServerUnaryReactor* SyncGroup(grpc::CallbackServerContext* context,
                                      const eddy::v1::SyncGroupRequest* request,
                                      eddy::v1::SyncGroupResponse* response) override;
  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext* context,
                                      const eddy::v1::GroupHeartbeatRequest* request,
                                      eddy::v1::GroupHeartbeatResponse* response) override;
  grpc::ServerUnaryReactor* LeaveGroup(grpc::CallbackServerContext* context,
                                       const eddy::v1::LeaveGroupRequest* request,
                                       eddy::v1::LeaveGroupResponse* response) override;
  grpc::ServerUnaryReactor* OffsetCommit(grpc::CallbackServerContext* context,
                                         const eddy::v1::OffsetCommitRequest* request,
                                         eddy::v1::OffsetCommitResponse* response) override;
  grpc::ServerUnaryReactor* OffsetFetch(grpc::CallbackServerContext* context,
                                        const eddy::v1::OffsetFetchRequest* request,
                                        eddy::v1::OffsetFetchResponse* response) override;
  grpc::ServerUnaryReactor* OffsetDelete(grpc::CallbackServerContext* context,
                                         const eddy::v1::OffsetDeleteRequest* request,
                                         eddy::v1::OffsetDeleteResponse* response) override;
  grpc::ServerUnaryReactor* DeleteGroups(grpc::CallbackServerContext* context,
                                         const eddy::v1::DeleteGroupsRequest* request,
                                         eddy::v1::DeleteGroupsResponse* response) override;
  grpc::ServerUnaryReactor* DescribeGroups(grpc::CallbackServerContext* context,
                                           const eddy::v1::DescribeGroupsRequest* request,
                                           eddy::v1::DescribeGroupsResponse* response) override;
  grpc::ServerUnaryReactor* ListGroups(grpc::CallbackServerContext* context,
                                       const eddy::v1::ListGroupsRequest* request,
                                       eddy::v1::ListGroupsResponse* response) override;

 private:
  GroupShardSet& shards_;
  std::atomic<GroupMetrics*> metrics_{nullptr};
};

}  // namespace eddy::coordinator
