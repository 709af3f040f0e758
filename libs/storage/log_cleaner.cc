#include "libs/storage/log_cleaner.h"

#include <algorithm>

namespace eddy::storage {

LogCleaner::LogCleaner(Options options, common::Clock& clock, IoThrottle::Sleeper sleep)
    : options_(options),
      throttle_(clock, options.io_max_bytes_per_second, options.io_check_interval, std::move(sleep)) {}

LogCleaner::~LogCleaner() { Stop(); }

void LogCleaner::AddLog(PartitionLog* log) {
  absl::MutexLock lock(&mu_);
  if (std::find(logs_.begin(), logs_.end(), log) == logs_.end()) logs_.push_back(log);
}

void LogCleaner::RemoveLog(PartitionLog* log) {
  absl::MutexLock lock(&mu_);
  std::erase(logs_, log);
  struct Waiting {
    PartitionLog** cleaning;
    PartitionLog* log;
  } waiting{&cleaning_, log};
  mu_.Await(absl::Condition(+[](Waiting* w) { return *w->cleaning != w->log; }, &waiting));
}

int LogCleaner::CleanOnce() {
  std::vector<PartitionLog*> logs;
  {
    absl::MutexLock lock(&mu_);
    logs = logs_;
  }
  int ran = 0;
  const CompactOptions compact{.max_offset_map_bytes = options_.dedupe_buffer_bytes, .throttle = &throttle_};
  for (PartitionLog* log : logs) {
    {
      absl::MutexLock lock(&mu_);
      // Removed meanwhile, or stopping: leave it.
      if (stop_ || std::find(logs_.begin(), logs_.end(), log) == logs_.end()) continue;
      cleaning_ = log;
    }
    bool again = true;
    bool failed = false;
    while (again) {
      absl::StatusOr<CompactionResult> r = log->Compact(compact);
      again = r.ok() && r->ran && r->offset_map_full;
      if (r.ok() && r->ran) ++ran;
      failed = !r.ok() && !absl::IsAborted(r.status()) && !absl::IsFailedPrecondition(r.status());
    }
    absl::MutexLock lock(&mu_);
    cleaning_ = nullptr;
    if (failed) {
      ++failures_;
      std::erase(logs_, log);
    }
  }
  absl::MutexLock lock(&mu_);
  passes_ += ran;
  return ran;
}

void LogCleaner::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void LogCleaner::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void LogCleaner::Run() {
  for (;;) {
    const int ran = CleanOnce();
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    if (ran == 0) {
      // Backoff on real time (it paces a thread, not log logic); Stop wakes the wait.
      mu_.AwaitWithTimeout(absl::Condition(&stop_), options_.backoff);
      if (stop_) return;
    }
  }
}

bool LogCleaner::AwaitPasses(int64_t n, absl::Duration timeout) const {
  struct Target {
    const int64_t* passes;
    int64_t n;
  } target{&passes_, n};
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(+[](Target* t) { return *t->passes >= t->n; }, &target), timeout);
}

int64_t LogCleaner::passes() const {
  absl::MutexLock lock(&mu_);
  return passes_;
}

int64_t LogCleaner::failures() const {
  absl::MutexLock lock(&mu_);
  return failures_;
}

}  // namespace eddy::storage
