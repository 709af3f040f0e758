// ControllerService is the gRPC adapter of the controller: it turns Controller RPCs into calls on
// the gRPC-free ClusterMembership and back. Metadata watch and topic admin arrive with the Raft
// controller issue; until then gRPC answers them UNIMPLEMENTED.
#pragma once

#include <string>

#include "proto/eddy/v1/controller.grpc.pb.h"
#include "services/controller/cluster_membership.h"

namespace eddy::controller {

class ControllerService final : public eddy::v1::Controller::CallbackService {
 public:
  ControllerService(ClusterMembership& membership, std::string cluster_id, int32_t controller_id);

  grpc::ServerUnaryReactor* RegisterMember(grpc::CallbackServerContext* context,
                                           const eddy::v1::RegisterMemberRequest* request,
                                           eddy::v1::RegisterMemberResponse* response) override;
  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext* context,
                                      const eddy::v1::HeartbeatRequest* request,
                                      eddy::v1::HeartbeatResponse* response) override;
  grpc::ServerUnaryReactor* GetClusterStatus(
      grpc::CallbackServerContext* context, const eddy::v1::GetClusterStatusRequest* request,
      eddy::v1::GetClusterStatusResponse* response) override;

 private:
  ClusterMembership& membership_;
  const std::string cluster_id_;
  const int32_t controller_id_;
};

}  // namespace eddy::controller
