#include "services/coordinator/shard_executor.h"

namespace eddy::coordinator {

ShardExecutor::ShardExecutor(int threads, absl::Duration tick,
                             std::function<void(int worker)> on_tick)
    : tick_(tick), on_tick_(std::move(on_tick)) {
  for (int i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
  for (int i = 0; i < threads; ++i) workers_[i]->thread = std::thread([this, i] { Run(i); });
}

ShardExecutor::~ShardExecutor() {
  for (auto& w : workers_) {
    absl::MutexLock lock(&w->mu);
    w->stop = true;
  }
  for (auto& w : workers_) w->thread.join();
}

void ShardExecutor::Post(int32_t shard, std::function<void()> task) {
  Worker& w = *workers_[WorkerOf(shard)];
  absl::MutexLock lock(&w.mu);
  w.tasks.push_back(std::move(task));
}

void ShardExecutor::Run(int index) {
  Worker& w = *workers_[index];
  absl::Time next_tick = absl::Now() + tick_;
  for (;;) {
    std::deque<std::function<void()>> batch;
    bool stop = false;
    {
      absl::MutexLock lock(&w.mu);
      auto ready = [&w]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(w.mu) { return !w.tasks.empty() || w.stop; };
      w.mu.AwaitWithDeadline(absl::Condition(&ready), next_tick);
      batch.swap(w.tasks);
      stop = w.stop;
    }
    for (auto& task : batch) task();
    if (stop && batch.empty()) return;
    if (absl::Now() >= next_tick) {
      on_tick_(index);
      next_tick = absl::Now() + tick_;
    }
  }
}

}  // namespace eddy::coordinator
