// DescribeConfigs (key 32), routed to the controller, which knows every topic, broker and cluster
// config with its source.
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/describe_configs.h"
#include "services/gateway/controller_calls.h"
#include "services/gateway/handlers/admin_errors.h"
#include "services/gateway/handlers/config_resources.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {

absl::Status HandleDescribeConfigs(GatewayContext& context, ClientInfo&,
                                   const kafka::RequestHeader& header, kafka::Reader& body,
                                   Responder responder) {
  using Result = kafka::DescribeConfigsResponse::DescribeConfigsResult;
  absl::StatusOr<kafka::DescribeConfigsRequest> request =
      DecodeBody<kafka::DescribeConfigsRequest>(header, body);
  if (!request.ok()) return request.status();
  std::vector<Result> results;
  std::vector<std::optional<eddy::v1::ConfigResourceRef>> refs;
  eddy::v1::DescribeConfigsRequest call;
  for (const auto& resource : request->resources) {
    Result result;
    result.resource_type = resource.resource_type;
    result.resource_name = resource.resource_name;
    std::optional<eddy::v1::ConfigResourceRef> ref =
        ResourceRefOf(resource.resource_type, resource.resource_name);
    if (!ref.has_value()) {
      result.error_code = kafka::ToInt(kafka::ErrorCode::kInvalidRequest);
      result.error_message = "Unsupported resource type.";
    } else {
      auto* out = call.add_resources();
      *out->mutable_resource() = *ref;
      if (resource.configuration_keys.has_value()) {
        for (const std::string& key : *resource.configuration_keys) out->add_names(key);
      }
    }
    refs.push_back(std::move(ref));
    results.push_back(std::move(result));
  }
  const int16_t version = header.api_version;
  auto finish = [responder](std::vector<Result> results) {
    kafka::DescribeConfigsResponse response;
    for (Result& result : results) responder.Error(result.error_code);
    response.results = std::move(results);
    responder.Respond(response);
  };
  if (context.controller == nullptr || call.resources().empty()) {
    for (size_t i = 0; i < refs.size(); ++i) {
      if (refs[i].has_value()) results[i].error_code = kafka::ToInt(kafka::ErrorCode::kNotController);
    }
    finish(std::move(results));
    return absl::OkStatus();
  }
  GatewayContext* ctx = &context;
  context.controller->Submit([ctx, call = std::move(call), results = std::move(results),
                              refs = std::move(refs), finish, version]() mutable {
    eddy::v1::DescribeConfigsResponse response;
    absl::Status status = ctx->controller->Call(
        [&](eddy::v1::Controller::Stub& stub, grpc::ClientContext& c) {
          return stub.DescribeConfigs(&c, call, &response);
        },
        rpc::Idempotency::kIdempotent);
    for (size_t i = 0; i < results.size(); ++i) {
      if (!refs[i].has_value()) continue;
      Result& result = results[i];
      if (!status.ok()) {
        result.error_code = AdminErrorFor(status);
        result.error_message = status.ToString();
        continue;
      }
      for (const eddy::v1::DescribeConfigsResult& r : response.results()) {
        if (!SameResource(r.resource(), *refs[i])) continue;
        result.error_code = static_cast<int16_t>(r.error_code());
        if (!r.error_message().empty()) result.error_message = r.error_message();
        for (const eddy::v1::DescribedConfigEntry& entry : r.configs()) {
          kafka::DescribeConfigsResponse::DescribeConfigsResourceResult config;
          config.name = entry.name();
          if (!entry.sensitive()) config.value = entry.value();
          config.read_only = entry.read_only();
          config.is_sensitive = entry.sensitive();
          config.config_source = static_cast<int8_t>(entry.source());
          // v0 has no source, only "is this the default".
          config.is_default = version == 0 && entry.source() == 5;
          config.config_type = static_cast<int8_t>(entry.type());
          result.configs.push_back(std::move(config));
        }
        break;
      }
    }
    finish(std::move(results));
  });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
