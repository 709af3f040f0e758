#include "libs/storage/log_opener.h"

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/storage/mem_file_system.h"
#include "libs/storage/test_batches.h"
#include "tests/testing/status_matchers.h"

namespace eddy::storage {
namespace {

using ::eddy::storage::testing::MakeBatch;

TEST(OpenPartitionLogsTest, OpensEveryLogOnThreadsAndReportsEachFailureByDirectory) {
  MemFileSystem fs;
  common::ManualClock clock;
  LogConfig config;
  config.segment_bytes = 4096;
  std::vector<LogToOpen> todo;
  for (int p = 0; p < 12; ++p) {
    const std::string dir = "/data/t-" + std::to_string(p);
    EDDY_ASSERT_OK_AND_ASSIGN(auto log, PartitionLog::Open(fs, dir, config, clock));
    for (int b = 0; b <= p; ++b) EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(4, 1000), LeaderEpoch(0)).status());
    EDDY_ASSERT_OK(log->Close());
    todo.push_back({dir, config});
  }
  // One directory's listing fails: only that log fails, and its error names it.
  fs.SetFaultHook([](FsOp op, const std::string& path) {
    return op == FsOp::kListDir && path == "/data/t-5" ? absl::InternalError("injected") : absl::OkStatus();
  });
  absl::Mutex mu;
  std::vector<int64_t> end_offsets(todo.size(), -1);
  std::vector<std::string> errors;
  OpenPartitionLogs(fs, todo, clock, /*threads=*/3, [&](size_t i, absl::StatusOr<std::unique_ptr<PartitionLog>> log) {
    absl::MutexLock lock(&mu);
    if (!log.ok()) {
      errors.push_back(std::string(log.status().message()));
      return;
    }
    end_offsets[i] = (*log)->LogEndOffset().value();
  });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("/data/t-5"), std::string::npos) << errors[0];
  for (size_t i = 0; i < todo.size(); ++i) {
    EXPECT_EQ(end_offsets[i], i == 5 ? -1 : 4 * static_cast<int64_t>(i + 1)) << i;
  }
}

}  // namespace
}  // namespace eddy::storage
