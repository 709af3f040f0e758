// LeaveGroup (key 13), forwarded to the group's coordinator. v0-v2 name one member in the
// request's member_id; v3+ (KIP-345) a batch of members, each answered with its own error.
#include "libs/kafka/messages/leave_group.h"
#include "services/gateway/handlers/group_forwarding.h"

namespace eddy::gateway {

absl::Status HandleLeaveGroup(GatewayContext& context, ClientInfo&,
                              const kafka::RequestHeader& header, kafka::Reader& body,
                              Responder responder) {
  using MemberIdentity = kafka::LeaveGroupRequest::MemberIdentity;
  absl::StatusOr<kafka::LeaveGroupRequest> request =
      DecodeBody<kafka::LeaveGroupRequest>(header, body);
  if (!request.ok()) return request.status();
  const int16_t version = header.api_version;
  std::vector<MemberIdentity> members = request->members;
  if (version < 3) members = {MemberIdentity{.member_id = request->member_id}};
  eddy::v1::LeaveGroupRequest call;
  call.set_group_id(request->group_id);
  for (const MemberIdentity& m : members) {
    eddy::v1::LeaveGroupMember* out = call.add_members();
    out->set_member_id(m.member_id);
    out->set_group_instance_id(m.group_instance_id.value_or(""));
    out->set_reason(m.reason.value_or(""));
  }
  ForwardToGroupCoordinator<eddy::v1::LeaveGroupRequest, eddy::v1::LeaveGroupResponse>(
      context, request->group_id, &CoordinatorCalls::Stub::async_interface::LeaveGroup,
      std::move(call), context.InternalTimeout(),
      [responder, version, members = std::move(members)](
          int16_t error, eddy::v1::LeaveGroupResponse answer) {
        kafka::LeaveGroupResponse response;
        response.error_code = error != 0 ? error : static_cast<int16_t>(answer.error_code());
        if (version < 3) {
          // One member: its own error is the answer (Kafka's v0-v2 responses carry just that).
          if (response.error_code == 0 && answer.member_error_codes_size() > 0) {
            response.error_code = static_cast<int16_t>(answer.member_error_codes(0));
          }
        } else if (response.error_code == 0) {
          for (size_t i = 0; i < members.size(); ++i) {
            kafka::LeaveGroupResponse::MemberResponse out;
            out.member_id = members[i].member_id;
            out.group_instance_id = members[i].group_instance_id;
            out.error_code = static_cast<int>(i) < answer.member_error_codes_size()
                                 ? static_cast<int16_t>(answer.member_error_codes(static_cast<int>(i)))
                                 : kafka::ToInt(kafka::ErrorCode::kUnknownServerError);
            responder.Error(out.error_code);
            response.members.push_back(std::move(out));
          }
        }
        responder.Error(response.error_code);
        responder.Respond(response);
      });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
