#include "bench/storage_append.h"

#include <chrono>
#include <memory>
#include <span>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/common/clock.h"
#include "libs/storage/file_system.h"
#include "libs/storage/partition_log.h"
#include "tests/testing/data_stream_client.h"

namespace eddy::bench {

std::string StorageBatch() {
  eddy::testing::TestBatch batch;
  for (int i = 0; i < kStorageRecordsPerBatch; ++i) {
    batch.records.emplace_back(absl::StrCat("key-", i), std::string(kStorageRecordBytes, 'a' + i));
  }
  return eddy::testing::BuildBatch(batch);
}

absl::StatusOr<double> StorageAppendMbPerSec(const std::string& dir, int64_t total_bytes) {
  common::Clock& clock = common::Clock::Real();
  std::vector<std::unique_ptr<storage::PartitionLog>> logs;
  for (int p = 0; p < kStoragePartitions; ++p) {
    auto log = storage::PartitionLog::Open(storage::PosixFileSystem(),
                                           absl::StrCat(dir, "/storage-", p), {}, clock);
    if (!log.ok()) return log.status();
    logs.push_back(std::move(*log));
  }
  const std::string batch = StorageBatch();
  const auto start = std::chrono::steady_clock::now();
  int64_t written = 0;
  for (int64_t i = 0; written < total_bytes; ++i) {
    // AppendAsLeader assigns offsets in place, so each append gets its own copy.
    std::string copy = batch;
    auto appended = logs[i % kStoragePartitions]->AppendAsLeader(
        std::span<char>(copy.data(), copy.size()), LeaderEpoch(0));
    if (!appended.ok()) return appended.status();
    written += static_cast<int64_t>(batch.size());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (auto& log : logs) {
    if (absl::Status s = log->Close(); !s.ok()) return s;
  }
  return static_cast<double>(written) / seconds / 1e6;
}

}  // namespace eddy::bench
