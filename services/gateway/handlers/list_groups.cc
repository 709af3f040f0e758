// ListGroups (key 16). Kafka clients ask every broker and concatenate the answers, so each gateway
// lists exactly the groups of the shards it is presented as coordinator for (FindCoordinator's
// answer), asking each coordinator that owns one of them: every group appears once across the
// fleet. A shard of this gateway without a reachable owner makes the answer
// COORDINATOR_NOT_AVAILABLE (retriable), as a loading shard makes Kafka's
// COORDINATOR_LOAD_IN_PROGRESS.
#include <map>
#include <set>

#include "libs/kafka/messages/list_groups.h"
#include "libs/kafka/partitioner.h"
#include "services/gateway/handlers/group_forwarding.h"

namespace eddy::gateway {

absl::Status HandleListGroups(GatewayContext& context, ClientInfo&,
                              const kafka::RequestHeader& header, kafka::Reader& body,
                              Responder responder) {
  using Listed = kafka::ListGroupsResponse::ListedGroup;
  absl::StatusOr<kafka::ListGroupsRequest> request =
      DecodeBody<kafka::ListGroupsRequest>(header, body);
  if (!request.ok()) return request.status();
  const std::shared_ptr<const ClusterView> view = context.metadata->Current();
  const int32_t shards = GroupShardCount(*view);
  auto mine = std::make_shared<std::set<int32_t>>();
  std::set<std::string> targets;
  int16_t error = 0;
  for (int32_t shard = 0; shard < shards; ++shard) {
    const GatewayNode* gateway = GatewayForGroupShard(*view, shard);
    if (gateway == nullptr || gateway->node_id != context.node_id) continue;
    mine->insert(shard);
    const GroupShardOwner* owner = view->GroupShardOwnerOf(shard);
    const CoordinatorNode* coordinator =
        owner == nullptr ? nullptr : view->FindCoordinator(owner->owner);
    if (coordinator == nullptr || context.coordinators == nullptr) {
      error = kafka::ToInt(kafka::ErrorCode::kCoordinatorNotAvailable);
    } else {
      targets.insert(coordinator->grpc_target);
    }
  }
  struct Answer {
    int16_t error_code = 0;
    std::vector<Listed> groups;
  };
  const bool ask = error == 0;
  auto results = std::make_shared<OrderedResults<Answer>>(
      targets.size(), ask ? static_cast<int>(targets.size()) + 1 : 1,
      [responder, error](std::vector<Answer> answers) {
        kafka::ListGroupsResponse response;
        response.error_code = error;
        for (Answer& a : answers) {
          if (response.error_code == 0) response.error_code = a.error_code;
          for (Listed& g : a.groups) response.groups.push_back(std::move(g));
        }
        if (response.error_code != 0) response.groups.clear();
        responder.Error(response.error_code);
        responder.Respond(response);
      });
  if (ask) {
    eddy::v1::ListGroupsRequest call;
    for (const std::string& state : request->states_filter) call.add_states_filter(state);
    for (const std::string& type : request->types_filter) call.add_types_filter(type);
    size_t slot = 0;
    for (const std::string& target : targets) {
      context.coordinators->Call<eddy::v1::ListGroupsRequest, eddy::v1::ListGroupsResponse>(
          target, &CoordinatorCalls::Stub::async_interface::ListGroups, call,
          context.InternalTimeout(),
          [results, mine, shards, slot](absl::Status status, eddy::v1::ListGroupsResponse answer) {
            Answer out;
            if (!status.ok()) {
              out.error_code = GroupCallError(status);
            } else {
              out.error_code = static_cast<int16_t>(answer.error_code());
              for (const eddy::v1::ListedGroup& g : answer.groups()) {
                // A coordinator may own shards presented by other gateways: they list those.
                if (!mine->contains(kafka::GroupShard(g.group_id(), shards))) continue;
                out.groups.push_back(Listed{.group_id = g.group_id(),
                                            .protocol_type = g.protocol_type(),
                                            .group_state = g.group_state(),
                                            .group_type = "classic"});
              }
            }
            results->Set(slot, std::move(out));
            results->Done();
          });
      ++slot;
    }
  }
  results->Done();
  return absl::OkStatus();
}

}  // namespace eddy::gateway
