// SplitMix64 is the one pseudo-random generator of libs/raft: tiny, seedable and identical on every
// platform (unlike std distributions), so a seed replays anywhere. The core draws election timeouts
// from it; the simulation draws every fault and client choice.
#pragma once

#include <cstdint>

namespace eddy::raft::internal {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform returns a value in [0, n). REQUIRES: n > 0.
  int Uniform(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }
  // Chance returns true with probability p.
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }

 private:
  uint64_t state_;
};

}  // namespace eddy::raft::internal
