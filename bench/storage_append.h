// StorageAppendMbPerSec is the storage append baseline that the broker and client benchmarks
// compare against: 1 KiB records in 16 KiB batches appended in-process to 16 PartitionLogs.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace eddy::bench {

inline constexpr int kStoragePartitions = 16;
inline constexpr int kStorageRecordBytes = 1024;
inline constexpr int kStorageRecordsPerBatch = 16;

// StorageBatch is one 16-record batch of 1 KiB values, as the benchmarks produce it.
std::string StorageBatch();

// StorageAppendMbPerSec appends `total_bytes` of StorageBatch() round-robin to 16 logs under `dir`
// (created; left for the caller to remove) and returns MB/s (10^6 bytes).
absl::StatusOr<double> StorageAppendMbPerSec(const std::string& dir, int64_t total_bytes);

}  // namespace eddy::bench
