// DeleteTopics (key 20), routed to the controller; v6 names topics by name or id.
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/delete_topics.h"
#include "services/gateway/controller_calls.h"
#include "services/gateway/handlers/admin_errors.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {

absl::Status HandleDeleteTopics(GatewayContext& context, ClientInfo&,
                                const kafka::RequestHeader& header, kafka::Reader& body,
                                Responder responder) {
  using Result = kafka::DeleteTopicsResponse::DeletableTopicResult;
  absl::StatusOr<kafka::DeleteTopicsRequest> request =
      DecodeBody<kafka::DeleteTopicsRequest>(header, body);
  if (!request.ok()) return request.status();
  std::vector<Result> results;
  eddy::v1::DeleteTopicsRequest call;
  call.set_timeout_ms(request->timeout_ms);
  if (header.api_version < 6) {
    for (const std::string& name : request->topic_names) {
      call.add_names(name);
      results.push_back(Result{.name = name});
    }
  } else {
    for (const auto& topic : request->topics) {
      Result result;
      result.name = topic.name;
      result.topic_id = topic.topic_id;
      if (topic.name.has_value()) {
        call.add_names(*topic.name);
      } else {
        *call.add_topic_ids() = TopicIdOf(topic.topic_id);
      }
      results.push_back(std::move(result));
    }
  }
  auto finish = [responder](std::vector<Result> results) {
    kafka::DeleteTopicsResponse response;
    for (Result& result : results) responder.Error(result.error_code);
    response.responses = std::move(results);
    responder.Respond(response);
  };
  if (context.controller == nullptr || results.empty()) {
    for (Result& r : results) r.error_code = kafka::ToInt(kafka::ErrorCode::kNotController);
    finish(std::move(results));
    return absl::OkStatus();
  }
  GatewayContext* ctx = &context;
  const bool by_id = header.api_version >= 6;
  context.controller->Submit([ctx, call = std::move(call), results = std::move(results), finish,
                              by_id]() mutable {
    eddy::v1::DeleteTopicsResponse response;
    absl::Status status =
        ctx->controller->Call([&](eddy::v1::Controller::Stub& stub, grpc::ClientContext& c) {
          return stub.DeleteTopics(&c, call, &response);
        });
    for (Result& result : results) {
      if (!status.ok()) {
        result.error_code = AdminErrorFor(status);
        continue;
      }
      for (const eddy::v1::TopicResult& r : response.results()) {
        const bool same = result.name.has_value() ? r.name() == *result.name
                                                  : TopicUuid(r.topic_id()) == result.topic_id;
        if (!same) continue;
        result.error_code = static_cast<int16_t>(r.error_code());
        if (!r.error_message().empty()) result.error_message = r.error_message();
        if (by_id) {
          if (!result.name.has_value() && !r.name().empty()) result.name = r.name();
          result.topic_id = TopicUuid(r.topic_id());
        }
        break;
      }
    }
    if (status.ok() && response.has_write()) {
      ctx->metadata->WaitForOffset(response.write().offset(),
                                   absl::Milliseconds(std::max(call.timeout_ms(), 0)));
    }
    finish(std::move(results));
  });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
