// eddy-registry: see docs/architecture.md. For now the daemon's shared skeleton: config, logging,
// metrics and health over HTTP, gRPC, and a heartbeat lease with the controller.
#include "services/runtime/member_main.h"

int main(int argc, char** argv) {
  return eddy::runtime::MemberMain(argc, argv,
                                   {.name = "eddy-registry",
                                    .metric_prefix = "eddy_registry",
                                    .role = eddy::v1::MEMBER_ROLE_REGISTRY,
                                    .grpc_port = 9096,
                                    .http_port = 9604,
                                    .data_dir = "./data/registry"});
}
