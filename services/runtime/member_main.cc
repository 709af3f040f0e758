#include "services/runtime/member_main.h"

#include "libs/common/shutdown.h"
#include "services/runtime/member_daemon.h"

namespace eddy::runtime {

int MemberMain(int argc, char** argv, const MemberDefaults& defaults) {
  common::TerminationSignals::Block();
  ServerConfig server;
  server.grpc_port = defaults.grpc_port;
  server.http_port = defaults.http_port;
  server.data_dir = std::string(defaults.data_dir);
  MembershipConfig membership;
  common::ConfigSpec spec{std::string(defaults.name)};
  AddServerConfig(spec, &server);
  AddMembershipConfig(spec, &membership);
  LoadConfigOrExit(spec, argc, argv, [&]() -> absl::Status {
    if (absl::Status status = server.Validate(); !status.ok()) return status;
    return membership.Validate();
  });
  return RunMemberDaemon(MemberDaemon{.name = defaults.name,
                                      .metric_prefix = defaults.metric_prefix,
                                      .role = defaults.role,
                                      .spec = &spec,
                                      .server = &server,
                                      .membership = &membership,
                                      .services = {}});
}

}  // namespace eddy::runtime
