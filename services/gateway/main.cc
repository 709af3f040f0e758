// eddy-gateway: see docs/architecture.md. For now the daemon's shared skeleton: config, logging,
// metrics and health over HTTP, gRPC, and a heartbeat lease with the controller.
#include "services/runtime/member_main.h"

int main(int argc, char** argv) {
  return eddy::runtime::MemberMain(argc, argv,
                                   {.name = "eddy-gateway",
                                    .metric_prefix = "eddy_gateway",
                                    .role = eddy::v1::MEMBER_ROLE_GATEWAY,
                                    .grpc_port = 9099,
                                    .http_port = 9605,
                                    .data_dir = "./data/gateway"});
}
