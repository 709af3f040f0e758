// ElectLeaders (key 43), routed to the controller. A null topic list means every partition.
#include <map>

#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/elect_leaders.h"
#include "services/gateway/controller_calls.h"
#include "services/gateway/handlers/admin_errors.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {

absl::Status HandleElectLeaders(GatewayContext& context, ClientInfo&,
                                const kafka::RequestHeader& header, kafka::Reader& body,
                                Responder responder) {
  using Response = kafka::ElectLeadersResponse;
  absl::StatusOr<kafka::ElectLeadersRequest> request =
      DecodeBody<kafka::ElectLeadersRequest>(header, body);
  if (!request.ok()) return request.status();
  eddy::v1::ElectLeadersRequest call;
  call.set_election_type(request->election_type);
  call.set_timeout_ms(request->timeout_ms);
  call.set_all_partitions(!request->topic_partitions.has_value());
  if (request->topic_partitions.has_value()) {
    for (const auto& topic : *request->topic_partitions) {
      auto* out = call.add_topics();
      out->set_name(topic.topic);
      for (int32_t p : topic.partitions) out->add_partitions(p);
    }
  }
  auto finish = [responder, version = header.api_version](const absl::Status& status,
                            const eddy::v1::ElectLeadersResponse& answer,
                            const eddy::v1::ElectLeadersRequest& asked) {
    Response response;
    if (!status.ok()) {
      const int16_t error = AdminErrorFor(status);
      if (version >= 1) response.error_code = error;
      // v0 has no top-level error: report it on every partition asked about.
      for (const auto& topic : asked.topics()) {
        Response::ReplicaElectionResult result;
        result.topic = topic.name();
        for (int32_t p : topic.partitions()) {
          result.partition_result.push_back(
              {.partition_id = p, .error_code = error,
               .error_message = status.ToString()});
        }
        response.replica_election_results.push_back(std::move(result));
      }
      responder.Error(error);
      responder.Respond(response);
      return;
    }
    std::map<std::string, size_t> index;
    for (const eddy::v1::ElectLeadersResult& r : answer.results()) {
      auto [it, inserted] = index.emplace(r.topic(), response.replica_election_results.size());
      if (inserted) response.replica_election_results.push_back({.topic = r.topic()});
      Response::PartitionResult p;
      p.partition_id = r.partition();
      p.error_code = static_cast<int16_t>(r.error_code());
      if (!r.error_message().empty()) p.error_message = r.error_message();
      responder.Error(p.error_code);
      response.replica_election_results[it->second].partition_result.push_back(std::move(p));
    }
    responder.Respond(response);
  };
  if (context.controller == nullptr) {
    finish(absl::UnavailableError("no controller"), {}, call);
    return absl::OkStatus();
  }
  GatewayContext* ctx = &context;
  context.controller->Submit([ctx, call = std::move(call), finish]() {
    eddy::v1::ElectLeadersResponse response;
    absl::Status status =
        ctx->controller->Call([&](eddy::v1::Controller::Stub& stub, grpc::ClientContext& c) {
          return stub.ElectLeaders(&c, call, &response);
        });
    if (status.ok() && response.has_write()) {
      ctx->metadata->WaitForOffset(response.write().offset(), ctx->InternalTimeout());
    }
    finish(status, response, call);
  });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
