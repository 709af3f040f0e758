// Runs the randomized simulation (simulation.h) over many seeds. A failure prints its seed; replay
// it with `raft_soak --start SEED --seeds 1 --nodes N --trace`.
#include "libs/raft/simulation.h"

#include <cstdint>
#include <iostream>

#include "gtest/gtest.h"

namespace eddy::raft {
namespace {

void RunSeeds(int nodes, uint64_t first, int count) {
  int failures = 0;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    SimulationOptions options;
    options.seed = seed;
    options.nodes = nodes;
    SimulationResult result = RunSimulation(options);
    if (!result.ok) {
      ADD_FAILURE() << "seed " << seed << " (nodes " << nodes << "): " << result.failure;
      if (++failures >= 5) return;
    }
  }
}

TEST(RaftSimulationTest, ThreeNodes) { RunSeeds(3, 1, 1000); }

TEST(RaftSimulationTest, FiveNodes) { RunSeeds(5, 100001, 1000); }

TEST(RaftSimulationTest, SameSeedReplaysExactly) {
  SimulationOptions options;
  options.seed = 42;
  options.trace = true;
  SimulationResult a = RunSimulation(options);
  SimulationResult b = RunSimulation(options);
  EXPECT_EQ(a.trace, b.trace);
  EXPECT_GT(a.trace.size(), 10u);
  EXPECT_EQ(a.applied, b.applied);
}

}  // namespace
}  // namespace eddy::raft
