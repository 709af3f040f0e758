// CreatePartitions (key 37), routed to the controller. A manual assignment would name gateway ids,
// not brokers, so it is refused with INVALID_REPLICA_ASSIGNMENT (see create_topics.cc).
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/create_partitions.h"
#include "services/gateway/controller_calls.h"
#include "services/gateway/handlers/admin_errors.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {

absl::Status HandleCreatePartitions(GatewayContext& context, ClientInfo&,
                                    const kafka::RequestHeader& header, kafka::Reader& body,
                                    Responder responder) {
  using Result = kafka::CreatePartitionsResponse::CreatePartitionsTopicResult;
  absl::StatusOr<kafka::CreatePartitionsRequest> request =
      DecodeBody<kafka::CreatePartitionsRequest>(header, body);
  if (!request.ok()) return request.status();
  std::vector<Result> results;
  std::map<std::string, size_t> forwarded;
  eddy::v1::CreatePartitionsRequest call;
  call.set_validate_only(request->validate_only);
  call.set_timeout_ms(request->timeout_ms);
  for (const auto& topic : request->topics) {
    Result result;
    result.name = topic.name;
    if (forwarded.contains(topic.name)) {
      result.error_code = kafka::ToInt(kafka::ErrorCode::kInvalidRequest);
      result.error_message = "Duplicate topic name in the request.";
    } else if (topic.assignments.has_value()) {
      result.error_code = kafka::ToInt(kafka::ErrorCode::kInvalidReplicaAssignment);
      result.error_message =
          "Manual replica assignment is not supported: clients see gateways, not brokers.";
    } else {
      auto* out = call.add_topics();
      out->set_name(topic.name);
      out->set_count(topic.count);
      forwarded[topic.name] = results.size();
    }
    results.push_back(std::move(result));
  }
  auto finish = [responder](std::vector<Result> results) {
    kafka::CreatePartitionsResponse response;
    for (Result& result : results) responder.Error(result.error_code);
    response.results = std::move(results);
    responder.Respond(response);
  };
  if (context.controller == nullptr || forwarded.empty()) {
    for (auto& [name, index] : forwarded) {
      results[index].error_code = kafka::ToInt(kafka::ErrorCode::kNotController);
    }
    finish(std::move(results));
    return absl::OkStatus();
  }
  GatewayContext* ctx = &context;
  context.controller->Submit([ctx, call = std::move(call), results = std::move(results),
                              forwarded = std::move(forwarded), finish]() mutable {
    eddy::v1::CreatePartitionsResponse response;
    absl::Status status =
        ctx->controller->Call([&](eddy::v1::Controller::Stub& stub, grpc::ClientContext& c) {
          return stub.CreatePartitions(&c, call, &response);
        });
    if (!status.ok()) {
      for (auto& [name, index] : forwarded) results[index].error_code = AdminErrorFor(status);
    } else {
      for (const eddy::v1::TopicResult& r : response.results()) {
        auto it = forwarded.find(r.name());
        if (it == forwarded.end()) continue;
        results[it->second].error_code = static_cast<int16_t>(r.error_code());
        if (!r.error_message().empty()) results[it->second].error_message = r.error_message();
      }
      if (!call.validate_only() && response.has_write()) {
        ctx->metadata->WaitForOffset(response.write().offset(),
                                     absl::Milliseconds(std::max(call.timeout_ms(), 0)));
      }
    }
    finish(std::move(results));
  });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
