// eddy-coordinator: see docs/architecture.md. For now the daemon's shared skeleton: config, logging,
// metrics and health over HTTP, gRPC, and a heartbeat lease with the controller.
#include "services/runtime/member_main.h"

int main(int argc, char** argv) {
  return eddy::runtime::MemberMain(argc, argv,
                                   {.name = "eddy-coordinator",
                                    .metric_prefix = "eddy_coordinator",
                                    .role = eddy::v1::MEMBER_ROLE_COORDINATOR,
                                    .grpc_port = 9095,
                                    .http_port = 9603,
                                    .data_dir = "./data/coordinator"});
}
