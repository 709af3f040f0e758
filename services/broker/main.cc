// eddy-broker: see docs/architecture.md. For now the daemon's shared skeleton: config, logging,
// metrics and health over HTTP, gRPC, and a heartbeat lease with the controller.
#include "services/runtime/member_main.h"

int main(int argc, char** argv) {
  return eddy::runtime::MemberMain(argc, argv,
                                   {.name = "eddy-broker",
                                    .metric_prefix = "eddy_broker",
                                    .role = eddy::v1::MEMBER_ROLE_BROKER,
                                    .grpc_port = 9094,
                                    .http_port = 9602,
                                    .data_dir = "./data/broker"});
}
