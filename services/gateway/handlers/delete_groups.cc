// DeleteGroups (key 42), one call per owning coordinator, answered in request order.
#include "libs/kafka/messages/delete_groups.h"
#include "services/gateway/handlers/group_forwarding.h"

namespace eddy::gateway {

absl::Status HandleDeleteGroups(GatewayContext& context, ClientInfo&,
                                const kafka::RequestHeader& header, kafka::Reader& body,
                                Responder responder) {
  using Result = kafka::DeleteGroupsResponse::DeletableGroupResult;
  absl::StatusOr<kafka::DeleteGroupsRequest> request =
      DecodeBody<kafka::DeleteGroupsRequest>(header, body);
  if (!request.ok()) return request.status();
  std::vector<std::string> ids = std::move(request->groups_names);
  GroupBatches batches = BatchGroupsByCoordinator(context, ids);
  auto results = std::make_shared<OrderedResults<Result>>(
      ids.size(), static_cast<int>(batches.batches.size()) + 1,
      [responder](std::vector<Result> slots) {
        kafka::DeleteGroupsResponse response;
        for (const Result& r : slots) responder.Error(r.error_code);
        response.results = std::move(slots);
        responder.Respond(response);
      });
  for (const auto& [index, error] : batches.unroutable) {
    results->Set(index, Result{.group_id = ids[index], .error_code = error});
  }
  for (GroupBatch& batch : batches.batches) {
    eddy::v1::DeleteGroupsRequest call;
    std::vector<std::pair<size_t, std::string>> asked;
    for (size_t index : batch.indexes) {
      call.add_group_ids(ids[index]);
      asked.emplace_back(index, ids[index]);
    }
    context.coordinators->Call<eddy::v1::DeleteGroupsRequest, eddy::v1::DeleteGroupsResponse>(
        batch.target, &CoordinatorCalls::Stub::async_interface::DeleteGroups, std::move(call),
        context.InternalTimeout(),
        [results, asked = std::move(asked)](absl::Status status,
                                            eddy::v1::DeleteGroupsResponse answer) {
          for (size_t i = 0; i < asked.size(); ++i) {
            Result r{.group_id = asked[i].second, .error_code = 0};
            if (!status.ok() || static_cast<int>(i) >= answer.results_size()) {
              r.error_code =
                  GroupCallError(status.ok() ? absl::InternalError("short answer") : status);
            } else {
              r.error_code = static_cast<int16_t>(answer.results(static_cast<int>(i)).error_code());
            }
            results->Set(asked[i].first, std::move(r));
          }
          results->Done();
        });
  }
  results->Done();
  return absl::OkStatus();
}

}  // namespace eddy::gateway
