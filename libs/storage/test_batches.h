// Helpers for storage tests and benchmarks: build valid RecordBatch v2 bytes with predictable keys,
// values and timestamps, and decode what a read returned. Test-only (linked via eddy_storage_testing).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "libs/storage/internal/batch_header.h"
#include "libs/storage/internal/records.h"

namespace eddy::storage::testing {

// MakeBatch builds a batch of `records` records with keys "k<offset>", values of `value_size` bytes
// and timestamps ts, ts+1, .... The base offset is a placeholder the leader overwrites.
inline std::string MakeBatch(int records, int64_t ts, size_t value_size = 100, int64_t base_offset = 0,
                             int32_t epoch = 0) {
  internal::BatchSpec spec;
  spec.base_offset = base_offset;
  spec.partition_leader_epoch = epoch;
  for (int i = 0; i < records; ++i) {
    spec.records.push_back({absl::StrFormat("k%08d", i), std::string(value_size, static_cast<char>('a' + i % 26)),
                            ts + i});
  }
  return internal::BuildBatch(spec);
}

// DeterministicBatch is batch number `i` of the kill -9 crash test: 5 records whose sizes and bytes
// depend only on `i`, so a verifier can regenerate what the writer process appended.
inline constexpr int kDeterministicRecords = 5;
inline std::string DeterministicBatch(int64_t i) {
  internal::BatchSpec spec;
  for (int r = 0; r < kDeterministicRecords; ++r) {
    spec.records.push_back({absl::StrFormat("key-%d-%d", i, r),
                            std::string(10 + (i * 37 + r * 101) % 1500, static_cast<char>('A' + (i + r) % 26)),
                            1'700'000'000'000 + i});
  }
  return internal::BuildBatch(spec);
}

// BatchInfo is what tests check about each batch a read returned.
struct BatchInfo {
  int64_t base_offset;
  int64_t last_offset;
  int32_t epoch;
  bool crc_ok;
};

inline std::vector<BatchInfo> SplitBatches(std::string_view records) {
  std::vector<BatchInfo> out;
  while (records.size() >= internal::kBatchHeaderSize) {
    auto h = internal::ParseBatchHeader(records);
    if (!h.ok() || h->size_in_bytes() > records.size()) break;
    out.push_back({h->base_offset, h->last_offset(), h->partition_leader_epoch,
                   internal::VerifyBatchCrc(records.substr(0, h->size_in_bytes()))});
    records.remove_prefix(h->size_in_bytes());
  }
  return out;
}

}  // namespace eddy::storage::testing
