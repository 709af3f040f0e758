// Voter lists in Kafka's controller.quorum.voters syntax, "1@127.0.0.1:9093,2@localhost:9193":
// comma-separated id@host:port items (whitespace around items ignored; an IPv6 host keeps its
// brackets, "3@[::1]:9293"). Every Raft quorum of Eddy's daemons (controller, registry) is
// configured this way.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/strong_id.h"

namespace eddy::raft {

struct Voter {
  NodeId id;
  std::string host;
  int32_t port = 0;

  // target is the voter's gRPC address, "host:port".
  std::string target() const;
};

// ParseVoters parses a voter list; kInvalidArgument names the bad item and why (missing '@',
// id <= 0, missing host:port, port outside 1..65535, duplicate id) or says the list is empty.
absl::StatusOr<std::vector<Voter>> ParseVoters(std::string_view spec);

}  // namespace eddy::raft
