// DescribeGroups (key 15), one call per owning coordinator, answered in request order. Members
// carry their subscription metadata and assignment bytes as the coordinator holds them.
#include "libs/kafka/messages/describe_groups.h"
#include "services/gateway/handlers/group_forwarding.h"

namespace eddy::gateway {
namespace {

using Described = kafka::DescribeGroupsResponse::DescribedGroup;

Described DescribedFrom(const eddy::v1::DescribedGroup& group) {
  Described out;
  out.error_code = static_cast<int16_t>(group.error_code());
  out.group_id = group.group_id();
  out.group_state = group.group_state();
  out.protocol_type = group.protocol_type();
  out.protocol_data = group.protocol_data();
  for (const auto& m : group.members()) {
    kafka::DescribeGroupsResponse::DescribedGroupMember member;
    member.member_id = m.member_id();
    member.group_instance_id = OptionalString(m.group_instance_id());
    member.client_id = m.client_id();
    member.client_host = m.client_host();
    member.member_metadata = m.member_metadata();
    member.member_assignment = m.member_assignment();
    out.members.push_back(std::move(member));
  }
  return out;
}

}  // namespace

absl::Status HandleDescribeGroups(GatewayContext& context, ClientInfo&,
                                  const kafka::RequestHeader& header, kafka::Reader& body,
                                  Responder responder) {
  absl::StatusOr<kafka::DescribeGroupsRequest> request =
      DecodeBody<kafka::DescribeGroupsRequest>(header, body);
  if (!request.ok()) return request.status();
  std::vector<std::string> ids = std::move(request->groups);
  GroupBatches batches = BatchGroupsByCoordinator(context, ids);
  auto results = std::make_shared<OrderedResults<Described>>(
      ids.size(), static_cast<int>(batches.batches.size()) + 1,
      [responder](std::vector<Described> slots) {
        kafka::DescribeGroupsResponse response;
        for (const Described& g : slots) responder.Error(g.error_code);
        response.groups = std::move(slots);
        responder.Respond(response);
      });
  auto failed = [](const std::string& id, int16_t error) {
    Described out;
    out.error_code = error;
    out.group_id = id;
    return out;
  };
  for (const auto& [index, error] : batches.unroutable) {
    results->Set(index, failed(ids[index], error));
  }
  for (GroupBatch& batch : batches.batches) {
    eddy::v1::DescribeGroupsRequest call;
    std::vector<std::pair<size_t, std::string>> asked;
    for (size_t index : batch.indexes) {
      call.add_group_ids(ids[index]);
      asked.emplace_back(index, ids[index]);
    }
    context.coordinators->Call<eddy::v1::DescribeGroupsRequest, eddy::v1::DescribeGroupsResponse>(
        batch.target, &CoordinatorCalls::Stub::async_interface::DescribeGroups, std::move(call),
        context.InternalTimeout(),
        [results, failed, asked = std::move(asked)](absl::Status status,
                                                    eddy::v1::DescribeGroupsResponse answer) {
          for (size_t i = 0; i < asked.size(); ++i) {
            if (!status.ok() || static_cast<int>(i) >= answer.groups_size()) {
              results->Set(asked[i].first,
                           failed(asked[i].second,
                                  GroupCallError(status.ok() ? absl::InternalError("short answer")
                                                             : status)));
            } else {
              results->Set(asked[i].first, DescribedFrom(answer.groups(static_cast<int>(i))));
            }
          }
          results->Done();
        });
  }
  results->Done();
  return absl::OkStatus();
}

}  // namespace eddy::gateway
