// A deterministic randomized simulation of a Raft group running a key-value state machine. One seed
// fixes everything: the network (drop, delay, duplication and so reordering, partitions), disk
// latency, crashes (a crashed node loses every Output it had not saved and restarts from its
// MemoryStorage), snapshots at random points, membership changes and leadership transfers injected
// on the leader, whether pre-vote and check-quorum are on, and clients issuing put/get/cas (writes
// through Propose, reads through ReadIndex) to whichever node believes it leads, deposed leaders
// included. Iteration is over ordered containers only and nothing depends on addresses, so a seed
// replays exactly (raft_soak --start SEED --seeds 1 --trace prints its event trace).
//
// Checked while running and at the end:
//   election safety     at most one leader per term;
//   log matching        two logs holding an entry with the same index and term agree up to it;
//   leader completeness a leader holds every entry any node applied (when first seen and every
//                       10 ticks);
//   state-machine safety no two nodes apply different entries at one index, and snapshots restore
//                       the same state the log produces;
//   linearizability     of the client history against a register per key (linearizability.h);
//   liveness            after the faults stop and every node is back, a leader commits a write.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace eddy::raft {

struct SimulationOptions {
  uint64_t seed = 1;
  int nodes = 3;          // initial voters (3 or 5); one more node starts outside the configuration
  int fault_ticks = 120;  // ticks with faults and client traffic
  int heal_ticks = 130;   // fault-free ticks at the end (liveness check)
  int clients = 4;
  int keys = 3;
  int max_ops = 70;  // client operations per run (at most 64 per key)
  bool membership_changes = true;
  bool transfers = true;
  bool trace = false;  // record a human-readable event trace (for replaying a failing seed)
};

struct SimulationResult {
  bool ok = true;
  std::string failure;  // the first violated property, with context
  std::vector<std::string> trace;
  int64_t elections = 0;  // distinct (term, leader) pairs seen
  int64_t applied = 0;    // entries applied, summed over nodes
  int64_t crashes = 0;
  int64_t snapshots_installed = 0;
  int64_t conf_changes = 0;
  int64_t transfers = 0;
  int64_t ops_completed = 0;
};

// RunSimulation runs one seed to completion or to the first violation.
SimulationResult RunSimulation(const SimulationOptions& options);

}  // namespace eddy::raft
