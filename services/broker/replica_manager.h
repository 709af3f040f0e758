// ReplicaManager hosts this broker's partition replicas and follows the controller's metadata
// (WatchMetadata snapshot, then deltas): for every partition that lists this broker among its
// replicas it opens (or creates) the PartitionLog under <log-dir>/<topic>-<partition> and makes the
// Partition leader or follower as the leader epoch says; it closes and deletes the data of
// partitions that are no longer assigned here and of deleted topics (and, at the first snapshot,
// directories left by topics deleted while the broker was down). Followers are handed to the
// replica fetchers grouped by leader; ISR proposals go out through the AlterPartition sender with
// this broker's epoch from the metadata (its registration record's offset).
//
// It also runs the broker's housekeeping on one ticker thread: ISR ticks (shrinks, acks=all
// timeouts), delayed-fetch deadlines, retention (log.retention.check.interval.ms) and the
// background compaction of cleanup.policy=compact logs (LogCleaner). Delayed fetches (long-poll)
// are re-checked whenever a partition's readable data moves.
//
// The group coordinator shard epochs of the same metadata go to its GroupShardFence, which the
// produce and fetch entry points consult for __consumer_offsets (group_shard_fence.h).
// Thread-safety: all methods are thread-safe. The metadata thread calls ApplyMetadata; request
// threads call the lookups; callbacks never run under the manager's lock.
#pragma once

#include <atomic>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "libs/common/strong_id.h"
#include "libs/storage/file_system.h"
#include "libs/storage/log_cleaner.h"
#include "libs/storage/storage_metrics.h"
#include "proto/eddy/v1/controller.pb.h"
#include "services/broker/group_shard_fence.h"
#include "services/broker/partition.h"

namespace eddy::broker {

struct TopicPartitionKey {
  std::string topic;
  int32_t partition = 0;

  friend auto operator<=>(const TopicPartitionKey&, const TopicPartitionKey&) = default;
  friend bool operator==(const TopicPartitionKey&, const TopicPartitionKey&) = default;
  std::string ToString() const { return topic + "-" + std::to_string(partition); }
};

// AlterPartitionCall is one ISR change for the controller (AlterPartitionRequest).
struct AlterPartitionCall {
  TopicPartitionKey partition;
  std::string topic_id;  // TopicId bytes
  BrokerId broker;
  int64_t broker_epoch = -1;
  AlterPartitionProposal proposal;
};
// AlterPartitionAnswer is the controller's answer (error, and on success the new ISR and epoch).
struct AlterPartitionAnswer {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  std::vector<BrokerId> isr;
  PartitionEpoch partition_epoch{-1};
};
using AlterPartitionSender =
    std::function<void(AlterPartitionCall call, std::function<void(AlterPartitionAnswer)> done)>;

// FollowerAssignment is one partition this broker follows and where its leader is.
struct FollowerAssignment {
  TopicPartitionKey key;
  std::shared_ptr<Partition> partition;
  BrokerId leader;
  LeaderEpoch leader_epoch;
  std::string leader_target;  // host:port of the leader's gRPC endpoint; empty if unknown
};
using FollowersChanged = std::function<void(std::vector<FollowerAssignment>)>;

// DelayedOperation is a parked long-poll (fetch). TryComplete(expired) answers and returns true
// when it is done; it runs outside the manager's lock, possibly concurrently with itself, so it
// must claim its answer atomically.
class DelayedOperation {
 public:
  virtual ~DelayedOperation() = default;
  virtual bool TryComplete(bool expired) = 0;
  virtual absl::Time deadline() const = 0;
};

struct ReplicaManagerOptions {
  BrokerId self;
  // Partition directories go here.
  std::string log_dir;
  absl::Duration replica_lag_time_max = absl::Seconds(30);
  ProducerStateOptions producer_state;
  // How often ISR state, timeouts and delayed fetches are checked.
  absl::Duration tick_interval = absl::Milliseconds(10);
  // log.retention.check.interval.ms.
  absl::Duration retention_check_interval = absl::Minutes(5);
  storage::LogCleaner::Options cleaner;
};

// PartitionCounts is a snapshot for metrics.
struct PartitionCounts {
  int64_t partitions = 0;
  int64_t leaders = 0;
  int64_t under_replicated = 0;
  int64_t offline = 0;
  int64_t max_follower_lag = 0;
};

class ReplicaManager {
 public:
  ReplicaManager(ReplicaManagerOptions options, storage::FileSystem& fs, common::Clock& clock,
                 storage::StorageMetrics* storage_metrics, AlterPartitionSender alter_partition,
                 FollowersChanged followers_changed);
  ~ReplicaManager();

  ReplicaManager(const ReplicaManager&) = delete;
  ReplicaManager& operator=(const ReplicaManager&) = delete;

  // ApplyMetadata applies one WatchMetadata message (a snapshot replaces everything known).
  void ApplyMetadata(const eddy::v1::MetadataDelta& delta);

  // Get returns the hosted replica, or nullptr.
  std::shared_ptr<Partition> Get(const TopicPartitionKey& key) const;
  // Hosted lists every hosted replica.
  std::vector<std::pair<TopicPartitionKey, std::shared_ptr<Partition>>> Hosted() const;
  // KnowsTopic: whether the metadata has the topic (UNKNOWN_TOPIC_OR_PARTITION vs
  // NOT_LEADER_OR_FOLLOWER for a partition not hosted here).
  bool KnowsPartition(const TopicPartitionKey& key) const;
  // metadata_offset: the last applied metadata offset (-1 before the first snapshot).
  int64_t metadata_offset() const { return metadata_offset_.load(); }
  const std::string& log_dir() const { return options_.log_dir; }
  // group_shard_fence: the shard epochs of the applied metadata, checked for __consumer_offsets.
  GroupShardFence& group_shard_fence() { return group_shard_fence_; }

  // AddDelayed parks a long-poll until it completes (on data changes) or its deadline.
  void AddDelayed(std::shared_ptr<DelayedOperation> operation);
  // PokeDelayed re-checks every parked operation (a partition's readable data moved).
  void PokeDelayed();

  // Start runs the ticker thread; Stop ends it, then closes and releases every partition (logs
  // checkpointed, producer snapshots written); it returns the first close error, so the caller
  // knows whether the shutdown was clean.
  void Start();
  absl::Status Stop();

  PartitionCounts Counts() const;
  int64_t isr_shrinks() const { return isr_shrinks_.load(); }
  int64_t isr_expands() const { return isr_expands_.load(); }

 private:
  struct Hosted_ {
    std::string topic_id;
    std::shared_ptr<Partition> partition;
    BrokerId leader{-1};
    LeaderEpoch leader_epoch{-1};
  };

  void ApplyTopic(const eddy::v1::TopicMetadata& topic, std::vector<std::string>& dirs_in_use)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveLocked(const TopicPartitionKey& key, bool delete_data)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveStrayDirectories() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<FollowerAssignment> FollowersLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  PartitionEvents EventsFor(const TopicPartitionKey& key);
  void SendAlterPartition(const TopicPartitionKey& key, const AlterPartitionProposal& proposal);
  std::string DirOf(const TopicPartitionKey& key) const;
  void Run();

  const ReplicaManagerOptions options_;
  storage::FileSystem& fs_;
  common::Clock& clock_;
  storage::StorageMetrics* const storage_metrics_;
  const AlterPartitionSender alter_partition_;
  const FollowersChanged followers_changed_;
  storage::LogCleaner cleaner_;
  GroupShardFence group_shard_fence_;  // its own lock; never taken under mu_

  mutable absl::Mutex mu_;
  std::map<TopicPartitionKey, Hosted_> partitions_ ABSL_GUARDED_BY(mu_);
  // topics_: every topic in the metadata, name → its partitions' leaders (for offline counts).
  std::map<std::string, std::map<int32_t, BrokerId>> topics_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> topic_ids_ ABSL_GUARDED_BY(mu_);
  std::map<BrokerId, std::string> broker_targets_ ABSL_GUARDED_BY(mu_);
  // Brokers fenced or shutting down (KIP-841), which leaders here do not add to an ISR.
  std::set<BrokerId> ineligible_brokers_ ABSL_GUARDED_BY(mu_);
  int64_t broker_epoch_ ABSL_GUARDED_BY(mu_) = -1;
  bool stray_checked_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<int64_t> metadata_offset_{-1};

  absl::Mutex delayed_mu_;
  std::vector<std::shared_ptr<DelayedOperation>> delayed_ ABSL_GUARDED_BY(delayed_mu_);

  absl::Mutex run_mu_;
  bool stopping_ ABSL_GUARDED_BY(run_mu_) = false;
  std::thread ticker_;

  std::atomic<int64_t> isr_shrinks_{0};
  std::atomic<int64_t> isr_expands_{0};
};

}  // namespace eddy::broker
