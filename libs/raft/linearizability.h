// A linearizability checker for the simulation's key-value history (Wing & Gong's search with
// Lowe's memoization of (linearized set, model state), as in Knossos/Porcupine), over one register
// per key: linearizability is local (Herlihy & Wing), so each key is checked on its own.
//
// Each operation has an invocation and, if the client saw one, a response; times are unique,
// increasing event stamps. An operation without a response may have taken effect at any point after
// its invocation, or never. Histories stay small (the simulation caps operations per key at 64) so
// the exponential worst case never matters.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace eddy::raft {

struct KvOperation {
  enum class Kind : uint8_t { kPut, kGet, kCas };
  static constexpr int64_t kPending = std::numeric_limits<int64_t>::max();

  Kind kind = Kind::kPut;
  int key = 0;
  int64_t value = 0;     // put/cas: the value written
  int64_t expected = 0;  // cas: the value compared against
  int64_t invoked = 0;   // event stamp
  int64_t returned = kPending;
  // Observed outcome (meaningful once returned): get's value (nullopt: key absent); cas's success.
  std::optional<int64_t> read;
  bool cas_ok = false;
};

std::string DescribeOperation(const KvOperation& op);

// CheckLinearizable returns nullopt when `history` is linearizable, else a description of the key
// whose sub-history is not. Every operation of a key must fit in 64 bits of set; more per key is
// reported as an error.
std::optional<std::string> CheckLinearizable(const std::vector<KvOperation>& history);

}  // namespace eddy::raft
