// CreateTopics (key 19), routed to the controller. Clients see gateway ids as broker ids, so a
// manual replica assignment cannot name real brokers: it is refused with
// INVALID_REPLICA_ASSIGNMENT. Before answering, the gateway waits (within the request's timeout)
// until its metadata holds the write, so the client's next Metadata here sees the topic.
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/create_topics.h"
#include "services/gateway/controller_calls.h"
#include "services/gateway/handlers/admin_errors.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {
namespace {

using kafka::ErrorCode;
using kafka::ToInt;
using Result = kafka::CreateTopicsResponse::CreatableTopicResult;

}  // namespace

absl::Status HandleCreateTopics(GatewayContext& context, ClientInfo&,
                                const kafka::RequestHeader& header, kafka::Reader& body,
                                Responder responder) {
  absl::StatusOr<kafka::CreateTopicsRequest> request =
      DecodeBody<kafka::CreateTopicsRequest>(header, body);
  if (!request.ok()) return request.status();

  // Results in request order; `forwarded` indexes the ones the controller decides.
  std::vector<Result> results(request->topics.size());
  std::map<std::string, size_t> forwarded;
  std::multiset<std::string> names;
  for (const auto& topic : request->topics) names.insert(topic.name);
  eddy::v1::CreateTopicsRequest call;
  call.set_validate_only(request->validate_only);
  call.set_timeout_ms(request->timeout_ms);
  for (size_t i = 0; i < request->topics.size(); ++i) {
    const auto& topic = request->topics[i];
    Result& result = results[i];
    result.name = topic.name;
    if (names.count(topic.name) > 1) {
      result.error_code = ToInt(ErrorCode::kInvalidRequest);
      result.error_message = "Duplicate topic name in the request.";
      continue;
    }
    if (!topic.assignments.empty()) {
      result.error_code = ToInt(ErrorCode::kInvalidReplicaAssignment);
      result.error_message =
          "Manual replica assignment is not supported: clients see gateways, not brokers.";
      continue;
    }
    eddy::v1::CreatableTopic* out = call.add_topics();
    out->set_name(topic.name);
    out->set_num_partitions(topic.num_partitions);
    out->set_replication_factor(topic.replication_factor);
    for (const auto& config : topic.configs) {
      if (config.value.has_value()) (*out->mutable_configs())[config.name] = *config.value;
    }
    forwarded[topic.name] = i;
  }

  auto finish = [responder, version = header.api_version](std::vector<Result> results) {
    kafka::CreateTopicsResponse response;
    for (Result& result : results) {
      responder.Error(result.error_code);
      if (version < 1) result.error_message.reset();
      response.topics.push_back(std::move(result));
    }
    responder.Respond(response);
  };
  if (forwarded.empty() || context.controller == nullptr) {
    for (auto& [name, index] : forwarded) {
      results[index].error_code = ToInt(ErrorCode::kNotController);
    }
    finish(std::move(results));
    return absl::OkStatus();
  }
  GatewayContext* ctx = &context;
  context.controller->Submit([ctx, call = std::move(call), results = std::move(results),
                              forwarded = std::move(forwarded), finish]() mutable {
    eddy::v1::CreateTopicsResponse response;
    absl::Status status =
        ctx->controller->Call([&](eddy::v1::Controller::Stub& stub, grpc::ClientContext& c) {
          return stub.CreateTopics(&c, call, &response);
        });
    if (!status.ok()) {
      for (auto& [name, index] : forwarded) {
        results[index].error_code = AdminErrorFor(status);
        results[index].error_message = status.ToString();
      }
      finish(std::move(results));
      return;
    }
    for (const eddy::v1::TopicResult& r : response.results()) {
      auto it = forwarded.find(r.name());
      if (it == forwarded.end()) continue;
      Result& result = results[it->second];
      result.error_code = static_cast<int16_t>(r.error_code());
      if (!r.error_message().empty()) result.error_message = r.error_message();
      result.topic_id = TopicUuid(r.topic_id());
      if (r.error_code() == 0) {
        result.num_partitions = r.num_partitions();
        result.replication_factor = static_cast<int16_t>(r.replication_factor());
      }
    }
    if (!call.validate_only() && response.has_write()) {
      ctx->metadata->WaitForOffset(response.write().offset(),
                                   absl::Milliseconds(std::max(call.timeout_ms(), 0)));
    }
    finish(std::move(results));
  });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
