#include "services/controller/controller_service.h"

#include "libs/rpc/status.h"

namespace eddy::controller {

ControllerService::ControllerService(ClusterMembership& membership, std::string cluster_id,
                                     int32_t controller_id)
    : membership_(membership), cluster_id_(std::move(cluster_id)), controller_id_(controller_id) {}

grpc::ServerUnaryReactor* ControllerService::RegisterMember(
    grpc::CallbackServerContext* context, const eddy::v1::RegisterMemberRequest* request,
    eddy::v1::RegisterMemberResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<eddy::v1::RegisterMemberResponse> result = membership_.Register(*request);
  if (result.ok()) *response = *std::move(result);
  reactor->Finish(rpc::ToGrpcStatus(result.status()));
  return reactor;
}

grpc::ServerUnaryReactor* ControllerService::Heartbeat(grpc::CallbackServerContext* context,
                                                       const eddy::v1::HeartbeatRequest* request,
                                                       eddy::v1::HeartbeatResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  *response = membership_.Heartbeat(*request);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* ControllerService::GetClusterStatus(
    grpc::CallbackServerContext* context, const eddy::v1::GetClusterStatusRequest*,
    eddy::v1::GetClusterStatusResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  response->set_cluster_id(cluster_id_);
  response->set_controller_id(controller_id_);
  for (eddy::v1::MemberStatus& member : membership_.Members()) {
    *response->add_members() = std::move(member);
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace eddy::controller
