// JoinGroup (key 11), forwarded to the group's coordinator. The call waits as long as the
// rebalance may (rebalance timeout; v0 has none and uses the session timeout, as Kafka), plus the
// internal timeout for the coordinator's persistence. v4+ joins without a member id get
// MEMBER_ID_REQUIRED from the coordinator (KIP-394).
#include "libs/kafka/messages/join_group.h"
#include "services/gateway/handlers/group_forwarding.h"

namespace eddy::gateway {

absl::Status HandleJoinGroup(GatewayContext& context, ClientInfo& client,
                             const kafka::RequestHeader& header, kafka::Reader& body,
                             Responder responder) {
  absl::StatusOr<kafka::JoinGroupRequest> request =
      DecodeBody<kafka::JoinGroupRequest>(header, body);
  if (!request.ok()) return request.status();
  const int16_t version = header.api_version;
  const int32_t rebalance_timeout_ms =
      version == 0 ? request->session_timeout_ms : request->rebalance_timeout_ms;
  eddy::v1::JoinGroupRequest call;
  call.set_group_id(request->group_id);
  call.set_session_timeout_ms(request->session_timeout_ms);
  call.set_rebalance_timeout_ms(rebalance_timeout_ms);
  call.set_member_id(request->member_id);
  call.set_group_instance_id(request->group_instance_id.value_or(""));
  call.set_protocol_type(request->protocol_type);
  for (const auto& protocol : request->protocols) {
    eddy::v1::GroupProtocol* p = call.add_protocols();
    p->set_name(protocol.name);
    p->set_metadata(protocol.metadata);
  }
  call.set_client_id(header.client_id.value_or(""));
  call.set_client_host(ClientHost(client));
  call.set_require_known_member_id(version >= 4);
  call.set_reason(request->reason.value_or(""));
  const absl::Duration timeout =
      std::min(absl::Milliseconds(std::max(rebalance_timeout_ms, 0)), kGroupWaitCap) +
      context.InternalTimeout();
  ForwardToGroupCoordinator<eddy::v1::JoinGroupRequest, eddy::v1::JoinGroupResponse>(
      context, request->group_id, &CoordinatorCalls::Stub::async_interface::JoinGroup,
      std::move(call), timeout,
      [responder, version](int16_t error, eddy::v1::JoinGroupResponse answer) {
        kafka::JoinGroupResponse response;
        response.error_code = error != 0 ? error : static_cast<int16_t>(answer.error_code());
        if (error == 0) {
          response.generation_id = answer.generation_id();
          response.protocol_type = OptionalString(answer.protocol_type());
          response.leader = answer.leader();
          response.member_id = answer.member_id();
          response.skip_assignment = answer.skip_assignment();
          for (const auto& m : answer.members()) {
            response.members.push_back({.member_id = m.member_id(),
                                        .group_instance_id = OptionalString(m.group_instance_id()),
                                        .metadata = m.metadata()});
          }
        }
        // v7+ send a null protocol name with errors, older versions an empty one.
        response.protocol_name = version >= 7 ? OptionalString(answer.protocol_name())
                                              : std::optional<std::string>(answer.protocol_name());
        responder.Error(response.error_code);
        responder.Respond(response);
      });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
