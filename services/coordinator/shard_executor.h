// ShardExecutor runs coordinator shards: a fixed set of worker threads, each a serial queue, and
// a shard always runs on the same worker (shard % threads), so a shard's GroupCoordinator is
// only ever touched by one thread and needs no locks. Each worker also calls `on_tick(worker)`
// every tick interval for the timers of its shards.
// Thread-safety: Post may be called from any thread; tasks run in post order per worker.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace eddy::coordinator {

class ShardExecutor {
 public:
  ShardExecutor(int threads, absl::Duration tick, std::function<void(int worker)> on_tick);
  // Stops the workers after they run what is queued.
  ~ShardExecutor();
  ShardExecutor(const ShardExecutor&) = delete;
  ShardExecutor& operator=(const ShardExecutor&) = delete;

  void Post(int32_t shard, std::function<void()> task);
  int WorkerOf(int32_t shard) const { return static_cast<int>(shard % workers_.size()); }
  int threads() const { return static_cast<int>(workers_.size()); }

 private:
  struct Worker {
    absl::Mutex mu;
    std::deque<std::function<void()>> tasks ABSL_GUARDED_BY(mu);
    bool stop ABSL_GUARDED_BY(mu) = false;
    std::thread thread;
  };
  void Run(int index);

  const absl::Duration tick_;
  const std::function<void(int)> on_tick_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace eddy::coordinator
