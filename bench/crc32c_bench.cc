// CRC32C throughput of the SSE4.2 and portable implementations, and of the public dispatching
// entry point, at record-batch-like sizes. Reports bytes/second (GB/s).
#include <cstdint>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "libs/common/crc32c.h"
#include "libs/common/internal/crc32c_impl.h"

namespace {

std::vector<uint8_t> RandomBytes(size_t n) {
  std::mt19937_64 rng(42);
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

template <uint32_t (*Extend)(uint32_t, const uint8_t*, size_t)>
void BM_Crc32c(benchmark::State& state) {
  const std::vector<uint8_t> data = RandomBytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(Extend(0, data.data(), data.size()));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

void BM_Crc32cSse42(benchmark::State& state) {
  if (!eddy::common::internal::Crc32cSse42Available()) {
    state.SkipWithError("CPU lacks SSE4.2");
    return;
  }
  BM_Crc32c<&eddy::common::internal::Crc32cSse42Extend>(state);
}

void BM_Crc32cPortable(benchmark::State& state) {
  BM_Crc32c<&eddy::common::internal::Crc32cPortableExtend>(state);
}

void BM_Crc32cDispatch(benchmark::State& state) {
  const std::vector<uint8_t> data = RandomBytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(eddy::common::Crc32c(data.data(), data.size()));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

BENCHMARK(BM_Crc32cSse42)->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20);
BENCHMARK(BM_Crc32cPortable)->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20);
BENCHMARK(BM_Crc32cDispatch)->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20);

}  // namespace
