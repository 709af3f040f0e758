// DaemonService answers eddy.v1.Daemon/Describe: what this process is (name, version, role,
// endpoints, start time) and, for members, its registration with the controller. Every daemon
// serves it, so operators and tests can ask any gRPC port who is listening there.
#pragma once

#include <functional>

#include "absl/synchronization/mutex.h"
#include "proto/eddy/v1/common.grpc.pb.h"

namespace eddy::runtime {

class DaemonService final : public eddy::v1::Daemon::CallbackService {
 public:
  explicit DaemonService(eddy::v1::DaemonDescription base);

  // SetMembershipSource installs what fills the membership fields on each Describe.
  void SetMembershipSource(std::function<void(eddy::v1::DaemonDescription&)> source);
  void SetEndpoints(const std::vector<eddy::v1::Endpoint>& endpoints);

  grpc::ServerUnaryReactor* Describe(grpc::CallbackServerContext* context,
                                     const eddy::v1::DescribeDaemonRequest* request,
                                     eddy::v1::DaemonDescription* response) override;

 private:
  absl::Mutex mu_;
  eddy::v1::DaemonDescription base_ ABSL_GUARDED_BY(mu_);
  std::function<void(eddy::v1::DaemonDescription&)> membership_ ABSL_GUARDED_BY(mu_);
};

}  // namespace eddy::runtime
