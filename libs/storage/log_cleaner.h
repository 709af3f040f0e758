// LogCleaner is the broker's background compaction thread (Kafka's LogCleaner with one cleaner
// thread): it sweeps the registered logs whose cleanup.policy includes compact, runs
// PartitionLog::Compact on each with a bounded key map (log.cleaner.dedupe.buffer.size) and one
// shared I/O throttle (log.cleaner.io.max.bytes.per.second), repeats a pass at once while a log's
// dirty section outgrew the map, and sleeps log.cleaner.backoff.ms when a sweep found nothing to do.
// A pass that races with a truncation (Aborted) is retried on the next sweep; any other failure is
// counted and the log is skipped until it is added again (Kafka marks it uncleanable).
// Thread-safety: all methods are thread-safe. RemoveLog waits for a pass on that log to finish, so a
// log may be destroyed once RemoveLog returns.
#pragma once

#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "libs/storage/io_throttle.h"
#include "libs/storage/partition_log.h"

namespace eddy::storage {

class LogCleaner {
 public:
  struct Options {
    // log.cleaner.dedupe.buffer.size: the key map's memory cap per pass. Default 128 MiB.
    uint64_t dedupe_buffer_bytes = 128ull << 20;
    // log.cleaner.io.max.bytes.per.second: read + write rate cap. Default unlimited.
    double io_max_bytes_per_second = std::numeric_limits<double>::infinity();
    // log.cleaner.backoff.ms: pause after a sweep that cleaned nothing. Default 15 s.
    absl::Duration backoff = absl::Seconds(15);
    // How often the throttle compares the observed rate with the cap (Kafka: 300 ms).
    absl::Duration io_check_interval = absl::Milliseconds(300);
  };

  // `sleep` is the throttle's sleeper (nullptr: absl::SleepFor); tests inject one that advances a
  // ManualClock.
  LogCleaner(Options options, common::Clock& clock, IoThrottle::Sleeper sleep = nullptr);
  ~LogCleaner();

  void AddLog(PartitionLog* log);
  void RemoveLog(PartitionLog* log);

  // CleanOnce sweeps every registered log once (a log whose map filled is passed again until its
  // dirty section is done) and returns how many passes ran.
  int CleanOnce();

  // Start runs sweeps on a background thread until Stop (also called by the destructor).
  void Start();
  void Stop();

  // AwaitPasses waits until `n` passes have run in all, or `timeout` (real time) passed; says which.
  bool AwaitPasses(int64_t n, absl::Duration timeout) const;

  int64_t passes() const;
  int64_t failures() const;
  const IoThrottle& throttle() const { return throttle_; }

 private:
  void Run();

  const Options options_;
  IoThrottle throttle_;
  mutable absl::Mutex mu_;
  std::vector<PartitionLog*> logs_ ABSL_GUARDED_BY(mu_);
  PartitionLog* cleaning_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  int64_t passes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace eddy::storage
