// SyncGroup (key 14), forwarded to the group's coordinator. A follower's SyncGroup waits there
// for the leader's assignment, so the call may last up to a rebalance (kGroupWaitCap).
#include "libs/kafka/messages/sync_group.h"
#include "services/gateway/handlers/group_forwarding.h"

namespace eddy::gateway {

absl::Status HandleSyncGroup(GatewayContext& context, ClientInfo&,
                             const kafka::RequestHeader& header, kafka::Reader& body,
                             Responder responder) {
  absl::StatusOr<kafka::SyncGroupRequest> request =
      DecodeBody<kafka::SyncGroupRequest>(header, body);
  if (!request.ok()) return request.status();
  eddy::v1::SyncGroupRequest call;
  call.set_group_id(request->group_id);
  call.set_generation_id(request->generation_id);
  call.set_member_id(request->member_id);
  call.set_group_instance_id(request->group_instance_id.value_or(""));
  call.set_protocol_type(request->protocol_type.value_or(""));
  call.set_protocol_name(request->protocol_name.value_or(""));
  for (const auto& assignment : request->assignments) {
    eddy::v1::SyncGroupAssignment* a = call.add_assignments();
    a->set_member_id(assignment.member_id);
    a->set_assignment(assignment.assignment);
  }
  ForwardToGroupCoordinator<eddy::v1::SyncGroupRequest, eddy::v1::SyncGroupResponse>(
      context, request->group_id, &CoordinatorCalls::Stub::async_interface::SyncGroup,
      std::move(call), kGroupWaitCap + context.InternalTimeout(),
      [responder](int16_t error, eddy::v1::SyncGroupResponse answer) {
        kafka::SyncGroupResponse response;
        response.error_code = error != 0 ? error : static_cast<int16_t>(answer.error_code());
        response.protocol_type = OptionalString(answer.protocol_type());
        response.protocol_name = OptionalString(answer.protocol_name());
        response.assignment = answer.assignment();
        responder.Error(response.error_code);
        responder.Respond(response);
      });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
