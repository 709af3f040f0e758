// AlterConfigs (key 33) and IncrementalAlterConfigs (key 44), routed to the controller.
// AlterConfigs replaces a resource's whole dynamic config set; the incremental form applies
// SET/DELETE/APPEND/SUBTRACT operations (KIP-339).
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/alter_configs.h"
#include "libs/kafka/messages/incremental_alter_configs.h"
#include "services/gateway/controller_calls.h"
#include "services/gateway/handlers/admin_errors.h"
#include "services/gateway/handlers/config_resources.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {
namespace {

// RunAlter converts the request's resources once for both forms: one result per resource in the
// client's order (INVALID_REQUEST for an unsupported type) and, for each supported one, a resource
// in the controller call filled by `add_configs(resource, call_resource)`. It then runs `method`
// (the AlterConfigs or IncrementalAlterConfigs RPC) and answers with `Response` (both responses
// share their shape).
template <typename Response, typename Request, typename AddConfigs, typename ProtoRequest,
          typename ProtoResponse>
void RunAlter(GatewayContext& context, Responder responder, const Request& request,
              AddConfigs add_configs,
              grpc::Status (eddy::v1::Controller::Stub::*method)(grpc::ClientContext*,
                                                                 const ProtoRequest&,
                                                                 ProtoResponse*)) {
  using Result = typename Response::AlterConfigsResourceResponse;
  ProtoRequest call;
  call.set_validate_only(request.validate_only);
  std::vector<Result> results;
  std::vector<std::optional<eddy::v1::ConfigResourceRef>> refs;
  for (const auto& resource : request.resources) {
    std::optional<eddy::v1::ConfigResourceRef> ref =
        ResourceRefOf(resource.resource_type, resource.resource_name);
    Result& result = results.emplace_back();
    result.resource_type = resource.resource_type;
    result.resource_name = resource.resource_name;
    if (!ref.has_value()) {
      result.error_code = kafka::ToInt(kafka::ErrorCode::kInvalidRequest);
      result.error_message = "Unsupported resource type.";
    } else {
      auto* out = call.add_resources();
      *out->mutable_resource() = *ref;
      add_configs(resource, *out);
    }
    refs.push_back(std::move(ref));
  }
  auto finish = [responder](std::vector<Result> results) {
    Response response;
    for (Result& result : results) responder.Error(result.error_code);
    response.responses = std::move(results);
    responder.Respond(response);
  };
  if (context.controller == nullptr || call.resources().empty()) {
    for (size_t i = 0; i < refs.size(); ++i) {
      if (!refs[i].has_value()) continue;
      results[i].error_code = kafka::ToInt(kafka::ErrorCode::kNotController);
    }
    finish(std::move(results));
    return;
  }
  GatewayContext* ctx = &context;
  context.controller->Submit([ctx, call = std::move(call), results = std::move(results),
                              refs = std::move(refs), finish, method]() mutable {
    ProtoResponse response;
    absl::Status status =
        ctx->controller->Call([&](eddy::v1::Controller::Stub& stub, grpc::ClientContext& c) {
          return (stub.*method)(&c, call, &response);
        });
    for (size_t i = 0; i < results.size(); ++i) {
      if (!refs[i].has_value()) continue;
      if (!status.ok()) {
        results[i].error_code = AdminErrorFor(status);
        results[i].error_message = status.ToString();
        continue;
      }
      for (const eddy::v1::ConfigResourceResult& r : response.results()) {
        if (!SameResource(r.resource(), *refs[i])) continue;
        results[i].error_code = static_cast<int16_t>(r.error_code());
        if (!r.error_message().empty()) results[i].error_message = r.error_message();
        break;
      }
    }
    if (status.ok() && !call.validate_only() && response.has_write()) {
      ctx->metadata->WaitForOffset(response.write().offset(), ctx->InternalTimeout());
    }
    finish(std::move(results));
  });
}

}  // namespace

absl::Status HandleAlterConfigs(GatewayContext& context, ClientInfo&,
                                const kafka::RequestHeader& header, kafka::Reader& body,
                                Responder responder) {
  absl::StatusOr<kafka::AlterConfigsRequest> request =
      DecodeBody<kafka::AlterConfigsRequest>(header, body);
  if (!request.ok()) return request.status();
  RunAlter<kafka::AlterConfigsResponse>(
      context, responder, *request,
      [](const kafka::AlterConfigsRequest::AlterConfigsResource& resource,
         eddy::v1::AlterConfigsRequest::Resource& out) {
        for (const auto& config : resource.configs) {
          if (config.value.has_value()) (*out.mutable_configs())[config.name] = *config.value;
        }
      },
      &eddy::v1::Controller::Stub::AlterConfigs);
  return absl::OkStatus();
}

absl::Status HandleIncrementalAlterConfigs(GatewayContext& context, ClientInfo&,
                                           const kafka::RequestHeader& header, kafka::Reader& body,
                                           Responder responder) {
  absl::StatusOr<kafka::IncrementalAlterConfigsRequest> request =
      DecodeBody<kafka::IncrementalAlterConfigsRequest>(header, body);
  if (!request.ok()) return request.status();
  RunAlter<kafka::IncrementalAlterConfigsResponse>(
      context, responder, *request,
      [](const kafka::IncrementalAlterConfigsRequest::AlterConfigsResource& resource,
         eddy::v1::IncrementalAlterConfigsRequest::Resource& out) {
        for (const auto& config : resource.configs) {
          auto* op = out.add_operations();
          op->set_name(config.name);
          op->set_op(config.config_operation);
          if (config.value.has_value()) op->set_value(*config.value);
        }
      },
      &eddy::v1::Controller::Stub::IncrementalAlterConfigs);
  return absl::OkStatus();
}

}  // namespace eddy::gateway
