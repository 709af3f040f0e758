// The simulation's replicated state machine: integer registers keyed by small integers, changed by
// put and compare-and-set commands carried as entry data. Its snapshot is its text encoding, so two
// nodes' states compare as strings.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "libs/raft/linearizability.h"

namespace eddy::raft::internal {

using KvState = std::map<int, int64_t>;

std::string EncodeKv(const KvState& kv);
KvState DecodeKv(const std::string& data);

struct KvCommand {
  KvOperation::Kind kind = KvOperation::Kind::kPut;  // kPut or kCas (reads go through ReadIndex)
  int key = 0;
  int64_t value = 0;
  int64_t expected = 0;
};

std::string EncodeCommand(const KvCommand& command);
std::optional<KvCommand> DecodeCommand(const std::string& data);

// ApplyCommand changes `kv`; returns whether a cas succeeded (false for a put).
bool ApplyCommand(const KvCommand& command, KvState& kv);

}  // namespace eddy::raft::internal
