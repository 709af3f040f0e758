// MemberMain: main() for a member daemon whose only settings so far are the shared server and
// membership ones. Daemons with settings of their own build their ConfigSpec themselves and call
// RunMemberDaemon.
#pragma once

#include <string_view>

#include "proto/eddy/v1/common.pb.h"

namespace eddy::runtime {

struct MemberDefaults {
  std::string_view name;           // "eddy-broker"
  std::string_view metric_prefix;  // "eddy_broker"
  eddy::v1::MemberRole role;
  int grpc_port;
  int http_port;
  std::string_view data_dir;
};

int MemberMain(int argc, char** argv, const MemberDefaults& defaults);

}  // namespace eddy::runtime
