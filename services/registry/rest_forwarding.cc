#include "services/registry/rest_forwarding.h"

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "proto/eddy/v1/registry.grpc.pb.h"
#include "services/registry/registry_errors.h"
#include "spdlog/spdlog.h"

namespace eddy::registry {

std::optional<absl::StatusOr<RestReply>> QuorumForwarder::Forward(const RestCall& call) {
  if (quorum_.IsLeader()) return std::nullopt;
  const std::optional<std::string> leader = quorum_.LeaderTarget();
  if (!leader.has_value()) {
    return RegistryError(ErrorCode::kUnknownLeader,
                         "Unknown leader: the registry replicas are electing one; retry shortly");
  }
  eddy::v1::ForwardRestRequest request;
  request.set_method(std::string(call.method));
  request.set_path(std::string(call.path));
  for (const auto& [name, value] : call.query) {
    auto* param = request.add_query();
    param->set_name(name);
    param->set_value(value);
  }
  request.set_body(std::string(call.body));
  request.set_content_type(std::string(call.content_type));

  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  eddy::v1::ForwardRestResponse response;
  const grpc::Status status = eddy::v1::Registry::NewStub(quorum_.channels().Get(*leader))
                                  ->ForwardRest(&context, request, &response);
  if (!status.ok()) {
    return RegistryError(ErrorCode::kRequestForwardingFailed,
                         absl::StrCat("Error while forwarding the request to the leader at ",
                                      *leader, ": ", status.error_message()));
  }
  if (response.status() / 100 == 2 && !quorum_.WaitApplied(response.applied_index(), timeout_)) {
    // The write is committed; only this replica lags. Say so rather than hide the success.
    spdlog::warn("registry: forwarded write applied at {} on the leader, not yet here (at {})",
                 response.applied_index(), quorum_.AppliedIndex());
  }
  return RestReply{.status = response.status(), .body = response.body()};
}

}  // namespace eddy::registry
