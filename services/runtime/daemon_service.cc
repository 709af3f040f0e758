#include "services/runtime/daemon_service.h"

namespace eddy::runtime {

DaemonService::DaemonService(eddy::v1::DaemonDescription base) : base_(std::move(base)) {}

void DaemonService::SetMembershipSource(
    std::function<void(eddy::v1::DaemonDescription&)> source) {
  absl::MutexLock lock(&mu_);
  membership_ = std::move(source);
}

void DaemonService::SetEndpoints(const std::vector<eddy::v1::Endpoint>& endpoints) {
  absl::MutexLock lock(&mu_);
  base_.clear_endpoints();
  for (const auto& endpoint : endpoints) *base_.add_endpoints() = endpoint;
}

grpc::ServerUnaryReactor* DaemonService::Describe(grpc::CallbackServerContext* context,
                                                  const eddy::v1::DescribeDaemonRequest*,
                                                  eddy::v1::DaemonDescription* response) {
  {
    absl::MutexLock lock(&mu_);
    *response = base_;
    if (membership_) membership_(*response);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace eddy::runtime
