// GroupShardSet hosts this instance's group coordinator shards (partitions of
// __consumer_offsets): one GroupCoordinator and GroupLog per owned shard, each run by the
// ShardExecutor on its own worker. Requests are routed by GroupShard(group.id); a shard this
// instance does not own answers NOT_COORDINATOR, one still loading COORDINATOR_LOAD_IN_PROGRESS,
// as Kafka's coordinator does while partitions move. Which shards to own comes from the
// controller's shard assignment (LoadShard / UnloadShard as it changes), each load under the
// shard epoch the controller assigned, which the log presents to the brokers; a log that learns
// it was deposed (another owner holds a newer epoch) has its shard unloaded.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/clock.h"
#include "services/coordinator/group_coordinator.h"
#include "services/coordinator/group_log.h"
#include "services/coordinator/group_metrics.h"
#include "services/coordinator/shard_executor.h"

namespace eddy::coordinator {

struct GroupShardSetOptions {
  int32_t num_shards = 50;
  int threads = 2;
  int loader_threads = 2;  // threads reading shard logs while they load
  absl::Duration tick = absl::Milliseconds(50);
  absl::Duration metrics_interval = absl::Seconds(5);
  GroupConfig group;
};

// ShardLogContext is what a log factory gets for one load of a shard.
struct ShardLogContext {
  int32_t shard = 0;
  int64_t epoch = 0;            // the shard epoch LoadShard was given (0: none)
  InMemoryGroupLog::Post post;  // delivers the log's completions on the shard's worker
  // The log calls `deposed` (from any thread) when the brokers say another coordinator owns the
  // shard: this load is unloaded (a later load of the shard is not touched).
  std::function<void()> deposed;
};

class GroupShardSet {
 public:
  // ShardLogFactory opens the log of one load of a shard.
  using ShardLogFactory = std::function<std::shared_ptr<GroupLog>(ShardLogContext context)>;
  // LogFactory is the simpler form for logs without ownership fencing (in memory).
  using LogFactory =
      std::function<std::shared_ptr<GroupLog>(int32_t shard, InMemoryGroupLog::Post post)>;
  GroupShardSet(GroupShardSetOptions options, ShardLogFactory open_log, common::Clock& clock);
  GroupShardSet(GroupShardSetOptions options, LogFactory open_log, common::Clock& clock);
  // Unloads every shard (waiting members get NOT_COORDINATOR) and stops the workers.
  ~GroupShardSet();

  // AttachMetrics makes shards loaded from now on report to `metrics` (which must outlive the
  // set); the daemon's metrics registry exists only once its host runs.
  void AttachMetrics(GroupMetrics* metrics) { metrics_ = metrics; }

  // LoadShard starts serving `shard`: opens its log, reads it on a loader thread (the shard
  // answers COORDINATOR_LOAD_IN_PROGRESS meanwhile; other shards keep serving), then replays it on
  // the shard's worker. A read that found no leader in time is tried again while the shard is
  // still to be loaded; an unreadable log, or one that says the shard has a newer owner
  // (kAborted), leaves the shard unserved (NOT_COORDINATOR). `epoch`: the controller's shard
  // epoch for this assignment (0: none, for logs that do not fence).
  void LoadShard(int32_t shard, int64_t epoch = 0);
  // UnloadShard stops serving `shard`; its waiting requests are answered NOT_COORDINATOR.
  void UnloadShard(int32_t shard);

  // WithGroup runs `fn` on the worker of `group_id`'s shard with its coordinator, or with nullptr
  // and the error to answer (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS).
  using ShardFn = std::function<void(GroupCoordinator*, kafka::ErrorCode)>;
  void WithGroup(const std::string& group_id, ShardFn fn);
  // WithEveryShard runs `fn` on each owned, loaded shard's worker, then `done` once all ran.
  void WithEveryShard(std::function<void(GroupCoordinator&)> fn, std::function<void()> done);

  int32_t num_shards() const { return options_.num_shards; }
  // Blocks until every task posted so far ran (tests, orderly shutdown); loads still reading
  // their log are not waited for.
  void Quiesce();
  // WaitLoaded blocks until `shard` serves or `timeout` passed; says which (tests, startup).
  bool WaitLoaded(int32_t shard, absl::Duration timeout);

 private:
  enum class ShardState { kNotOwned, kLoading, kActive };
  struct Shard {
    ShardState state = ShardState::kNotOwned;  // touched only on the shard's worker
    uint64_t load_id = 0;                      // which LoadShard a finished read belongs to
    std::shared_ptr<GroupLog> log;             // shared with the loader while it reads
    std::unique_ptr<GroupCoordinator> coordinator;
    absl::Time next_metrics;
  };
  void Tick(int worker);
  void Unload(int32_t shard);  // on the shard's worker
  void ReadLog(int32_t shard, uint64_t load_id, std::shared_ptr<GroupLog> log);
  void FinishLoad(int32_t shard, uint64_t load_id,
                  absl::StatusOr<std::vector<GroupLogRecord>> read);

  const GroupShardSetOptions options_;
  const ShardLogFactory open_log_;
  common::Clock& clock_;
  std::atomic<GroupMetrics*> metrics_{nullptr};
  std::vector<Shard> shards_;
  std::atomic<bool> ticking_{false};
  absl::Mutex loaded_mu_;
  std::vector<bool> loaded_ ABSL_GUARDED_BY(loaded_mu_);  // mirrors kActive for WaitLoaded
  std::unique_ptr<ShardExecutor> executor_;               // stops before the shards go
  // Reads shard logs (blocking fetches) off the shard workers; stops first.
  std::unique_ptr<ShardExecutor> loaders_;
};

}  // namespace eddy::coordinator
