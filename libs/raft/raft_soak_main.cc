// raft_soak runs the Raft simulation over many seeds and prints how many ran, which failed and how
// long it took. Usage: raft_soak [--seeds N] [--start S] [--nodes 3|5] [--trace]
// --trace prints the event trace of every seed run (use with --seeds 1 to replay one).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "libs/raft/simulation.h"

namespace {

bool ParseFlag(int argc, char** argv, int& i, const char* name, uint64_t& out) {
  if (std::strcmp(argv[i], name) != 0 || i + 1 >= argc) return false;
  char* end = nullptr;
  out = std::strtoull(argv[++i], &end, 10);
  if (*end != '\0') {
    std::fprintf(stderr, "raft_soak: bad value for %s: %s\n", name, argv[i]);
    std::exit(2);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seeds = 100000;
  uint64_t start = 1;
  uint64_t nodes = 3;
  bool trace = false;
  for (int i = 1; i < argc; ++i) {
    if (ParseFlag(argc, argv, i, "--seeds", seeds) || ParseFlag(argc, argv, i, "--start", start) ||
        ParseFlag(argc, argv, i, "--nodes", nodes)) {
      continue;
    }
    if (std::strcmp(argv[i], "--trace") == 0) {
      trace = true;
      continue;
    }
    std::fprintf(stderr, "usage: raft_soak [--seeds N] [--start S] [--nodes 3|5] [--trace]\n");
    return 2;
  }
  if (nodes != 3 && nodes != 5) {
    std::fprintf(stderr, "raft_soak: --nodes must be 3 or 5\n");
    return 2;
  }
  const auto began = std::chrono::steady_clock::now();
  uint64_t failures = 0;
  int64_t applied = 0;
  int64_t elections = 0;
  for (uint64_t seed = start; seed < start + seeds; ++seed) {
    eddy::raft::SimulationOptions options;
    options.seed = seed;
    options.nodes = static_cast<int>(nodes);
    options.trace = trace;
    eddy::raft::SimulationResult result = eddy::raft::RunSimulation(options);
    applied += result.applied;
    elections += result.elections;
    for (const std::string& line : result.trace) std::printf("  %s\n", line.c_str());
    if (result.ok) continue;
    ++failures;
    std::printf("FAIL seed %llu (nodes %llu): %s\n", static_cast<unsigned long long>(seed),
                static_cast<unsigned long long>(nodes), result.failure.c_str());
    std::fflush(stdout);
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::printf(
      "raft_soak: %llu seeds from %llu, %llu nodes: %llu failures, %.1f s "
      "(%lld elections, %lld entries applied)\n",
      static_cast<unsigned long long>(seeds), static_cast<unsigned long long>(start),
      static_cast<unsigned long long>(nodes), static_cast<unsigned long long>(failures), secs,
      static_cast<long long>(elections), static_cast<long long>(applied));
  return failures == 0 ? 0 : 1;
}
