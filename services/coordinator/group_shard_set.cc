#include "services/coordinator/group_shard_set.h"

#include "absl/synchronization/notification.h"
#include "spdlog/spdlog.h"

namespace eddy::coordinator {

GroupShardSet::GroupShardSet(GroupShardSetOptions options, LogFactory open_log,
                             common::Clock& clock)
    : GroupShardSet(
          std::move(options),
          [open_log = std::move(open_log)](ShardLogContext context) {
            return open_log(context.shard, std::move(context.post));
          },
          clock) {}

GroupShardSet::GroupShardSet(GroupShardSetOptions options, ShardLogFactory open_log,
                             common::Clock& clock)
    : options_(std::move(options)),
      open_log_(std::move(open_log)),
      clock_(clock),
      shards_(options_.num_shards),
      loaded_(options_.num_shards, false) {
  executor_ = std::make_unique<ShardExecutor>(options_.threads, options_.tick,
                                              [this](int worker) { Tick(worker); });
  // Loaders have no timers; the tick only bounds how long an idle loader sleeps.
  loaders_ = std::make_unique<ShardExecutor>(options_.loader_threads, absl::Seconds(1), [](int) {});
  ticking_ = true;
}

GroupShardSet::~GroupShardSet() {
  for (int32_t shard = 0; shard < options_.num_shards; ++shard) UnloadShard(shard);
  Quiesce();
  loaders_.reset();  // a read in progress finishes first; its result finds the shard unloaded
  Quiesce();
  ticking_ = false;
  executor_.reset();
}

void GroupShardSet::LoadShard(int32_t shard, int64_t epoch) {
  executor_->Post(shard, [this, shard, epoch] {
    Shard& s = shards_[shard];
    if (s.state != ShardState::kNotOwned) return;
    s.state = ShardState::kLoading;
    const uint64_t load_id = ++s.load_id;
    ShardLogContext context{
        .shard = shard,
        .epoch = epoch,
        .post = [this, shard](std::function<void()> f) { executor_->Post(shard, std::move(f)); },
        .deposed =
            [this, shard, load_id] {
              executor_->Post(shard, [this, shard, load_id] {
                if (shards_[shard].load_id != load_id) return;  // a later load
                spdlog::info("group shard {}: another coordinator owns it now", shard);
                Unload(shard);
              });
            }};
    s.log = open_log_(std::move(context));
    ReadLog(shard, load_id, s.log);
  });
}

void GroupShardSet::ReadLog(int32_t shard, uint64_t load_id, std::shared_ptr<GroupLog> log) {
  loaders_->Post(shard, [this, shard, load_id, log = std::move(log)] {
    std::vector<GroupLogRecord> records;
    absl::Status status = log->Read([&records](const GroupLogRecord& r) { records.push_back(r); });
    absl::StatusOr<std::vector<GroupLogRecord>> read = std::move(records);
    if (!status.ok()) read = status;
    executor_->Post(shard, [this, shard, load_id, read = std::move(read)]() mutable {
      FinishLoad(shard, load_id, std::move(read));
    });
  });
}

void GroupShardSet::FinishLoad(int32_t shard, uint64_t load_id,
                               absl::StatusOr<std::vector<GroupLogRecord>> read) {
  Shard& s = shards_[shard];
  if (s.state != ShardState::kLoading || s.load_id != load_id) return;  // unloaded meanwhile
  if (!read.ok() && absl::IsUnavailable(read.status())) {
    // No leader or no answer within the load timeout: the partition may still be moving.
    spdlog::warn("group shard {}: reading its log failed, trying again: {}", shard,
                 read.status().ToString());
    ReadLog(shard, load_id, s.log);
    return;
  }
  if (!read.ok() && absl::IsAborted(read.status())) {
    // Deposed before serving: the brokers know a newer owner than our metadata does.
    spdlog::info("group shard {}: not loaded, another coordinator owns it: {}", shard,
                 read.status().ToString());
    Unload(shard);
    return;
  }
  absl::Status status = read.status();
  if (status.ok()) {
    s.coordinator =
        std::make_unique<GroupCoordinator>(options_.group, *s.log, clock_, metrics_.load());
    status = s.coordinator->Load(*read);
  }
  if (!status.ok()) {
    // A record or batch we cannot decode: serving without it could hand out stale offsets, so
    // the shard stays unserved (NOT_COORDINATOR) and says why.
    spdlog::error("group shard {}: load failed: {}", shard, status.ToString());
    s.coordinator.reset();
    s.log.reset();
    s.state = ShardState::kNotOwned;
    return;
  }
  s.state = ShardState::kActive;
  s.next_metrics = clock_.Now();
  {
    absl::MutexLock lock(&loaded_mu_);
    loaded_[shard] = true;
  }
  spdlog::info("group shard {}: serving ({} log records replayed)", shard, read->size());
}

void GroupShardSet::UnloadShard(int32_t shard) {
  executor_->Post(shard, [this, shard] { Unload(shard); });
}

void GroupShardSet::Unload(int32_t shard) {
  Shard& s = shards_[shard];
  if (s.state == ShardState::kNotOwned) return;
  {
    absl::MutexLock lock(&loaded_mu_);
    loaded_[shard] = false;
  }
  s.coordinator.reset();  // answers waiting members NOT_COORDINATOR
  // Completions the log delivers later find the coordinator gone and answer NOT_COORDINATOR;
  // closing fails the appends in flight and ends a read still loading the shard.
  s.log->Close();
  s.log.reset();
  s.state = ShardState::kNotOwned;
  spdlog::info("group shard {}: unloaded", shard);
}

bool GroupShardSet::WaitLoaded(int32_t shard, absl::Duration timeout) {
  absl::MutexLock lock(&loaded_mu_);
  auto loaded = [this, shard]()
                    ABSL_SHARED_LOCKS_REQUIRED(loaded_mu_) -> bool { return loaded_[shard]; };
  return loaded_mu_.AwaitWithTimeout(absl::Condition(&loaded), timeout);
}

void GroupShardSet::WithGroup(const std::string& group_id, ShardFn fn) {
  const int32_t shard = GroupShard(group_id, options_.num_shards);
  executor_->Post(shard, [this, shard, fn = std::move(fn)] {
    Shard& s = shards_[shard];
    switch (s.state) {
      case ShardState::kActive:
        return fn(s.coordinator.get(), kafka::ErrorCode::kNone);
      case ShardState::kLoading:
        return fn(nullptr, kafka::ErrorCode::kCoordinatorLoadInProgress);
      case ShardState::kNotOwned:
        return fn(nullptr, kafka::ErrorCode::kNotCoordinator);
    }
  });
}

void GroupShardSet::WithEveryShard(std::function<void(GroupCoordinator&)> fn,
                                   std::function<void()> done) {
  struct Pending {
    std::atomic<int> left;
    std::function<void()> done;
  };
  auto pending = std::make_shared<Pending>();
  pending->left = options_.num_shards;
  pending->done = std::move(done);
  for (int32_t shard = 0; shard < options_.num_shards; ++shard) {
    executor_->Post(shard, [this, shard, fn, pending] {
      Shard& s = shards_[shard];
      if (s.state == ShardState::kActive) fn(*s.coordinator);
      if (pending->left.fetch_sub(1) == 1) pending->done();
    });
  }
}

void GroupShardSet::Quiesce() {
  for (int worker = 0; worker < executor_->threads(); ++worker) {
    absl::Notification ran;
    executor_->Post(worker, [&ran] { ran.Notify(); });
    ran.WaitForNotification();
  }
}

void GroupShardSet::Tick(int worker) {
  if (!ticking_) return;
  const absl::Time now = clock_.Now();
  for (int32_t shard = 0; shard < options_.num_shards; ++shard) {
    if (shard % options_.threads != worker) continue;  // ShardExecutor::WorkerOf
    Shard& s = shards_[shard];
    if (s.state != ShardState::kActive) continue;
    s.coordinator->Tick();
    GroupMetrics* metrics = metrics_.load();
    if (metrics != nullptr && now >= s.next_metrics) {
      s.next_metrics = now + options_.metrics_interval;
      metrics->Refresh(s.coordinator->Snapshot());
    }
  }
}

}  // namespace eddy::coordinator
