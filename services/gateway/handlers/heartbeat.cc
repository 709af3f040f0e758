// Heartbeat (key 12), forwarded to the group's coordinator; REBALANCE_IN_PROGRESS and the other
// member errors are the coordinator's.
#include "libs/kafka/messages/heartbeat.h"
#include "services/gateway/handlers/group_forwarding.h"

namespace eddy::gateway {

absl::Status HandleHeartbeat(GatewayContext& context, ClientInfo&,
                             const kafka::RequestHeader& header, kafka::Reader& body,
                             Responder responder) {
  absl::StatusOr<kafka::HeartbeatRequest> request =
      DecodeBody<kafka::HeartbeatRequest>(header, body);
  if (!request.ok()) return request.status();
  eddy::v1::GroupHeartbeatRequest call;
  call.set_group_id(request->group_id);
  call.set_generation_id(request->generation_id);
  call.set_member_id(request->member_id);
  call.set_group_instance_id(request->group_instance_id.value_or(""));
  ForwardToGroupCoordinator<eddy::v1::GroupHeartbeatRequest, eddy::v1::GroupHeartbeatResponse>(
      context, request->group_id, &CoordinatorCalls::Stub::async_interface::Heartbeat,
      std::move(call), context.InternalTimeout(),
      [responder](int16_t error, eddy::v1::GroupHeartbeatResponse answer) {
        kafka::HeartbeatResponse response;
        response.error_code = error != 0 ? error : static_cast<int16_t>(answer.error_code());
        responder.Error(response.error_code);
        responder.Respond(response);
      });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
