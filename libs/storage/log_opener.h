// OpenPartitionLogs opens a broker's partition logs at startup on a small pool of threads, as Kafka's
// LogManager does with num.recovery.threads.per.data.dir: opening is dominated by per-file system calls
// and, after an unclean stop, by recovery scans, both of which overlap well across threads even on
// few cores. Each log is opened exactly as PartitionLog::Open would; one failing directory does not
// stop the others, and its error names it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/clock.h"
#include "libs/storage/file_system.h"
#include "libs/storage/log_config.h"
#include "libs/storage/partition_log.h"
#include "libs/storage/storage_metrics.h"

namespace eddy::storage {

// LogToOpen names one partition directory and the config its topic gives it.
struct LogToOpen {
  std::string dir;
  LogConfig config;
};

// OpenedLog receives each result as soon as its log is open: the index into `logs` and the log or the
// error. It runs on the worker threads, concurrently with itself.
using OpenedLog = std::function<void(size_t index, absl::StatusOr<std::unique_ptr<PartitionLog>> log)>;

// OpenPartitionLogs opens every entry of `logs` on `threads` threads (1: serially on the calling
// thread) and hands each result to `opened`; it returns when all are open. `metrics`, if given, must
// outlive the logs.
void OpenPartitionLogs(FileSystem& fs, const std::vector<LogToOpen>& logs, common::Clock& clock, int threads,
                       const OpenedLog& opened, StorageMetrics* metrics = nullptr);

}  // namespace eddy::storage
