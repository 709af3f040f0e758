// CoordinatorMetadata is what a coordinator keeps of the cluster metadata (the sink of its
// runtime::MetadataFollower): where each partition's leader is (brokers' gRPC endpoints, leader
// and leader epoch per partition, for the group log and the lag poller) and which group shards
// the controller assigned to this coordinator (MetadataDelta.coordinator_shards, owner + epoch).
//
// Ownership changes are reported through `on_change` as they are applied: a shard assigned to
// this coordinator (or re-assigned to it under a new epoch) → owned = true; a shard moved away
// or unassigned → owned = false. The shard epoch comes with each change; a new epoch while still
// owned reports a loss then a gain, so the shard reloads what another owner may have written.
// Thread-safety: Apply from one thread (the follower's); lookups from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "proto/eddy/v1/controller.pb.h"
#include "services/coordinator/broker_group_log.h"

namespace eddy::coordinator {

class CoordinatorMetadata {
 public:
  using OwnershipChange = std::function<void(int32_t shard, bool owned, int64_t epoch)>;
  CoordinatorMetadata(int32_t self, OwnershipChange on_change);

  void Apply(const eddy::v1::MetadataDelta& delta);

  std::optional<PartitionLeader> Leader(const std::string& topic, int32_t partition) const;
  // ByLeader groups `partitions` by the broker that leads them (unknown leaders left out).
  using TopicPartition = std::pair<std::string, int32_t>;
  struct LeaderPartitions {
    std::string target;
    std::vector<TopicPartition> partitions;
  };
  std::map<int32_t, LeaderPartitions> ByLeader(const std::vector<TopicPartition>& partitions) const;
  // The epoch of `shard` if this coordinator owns it.
  std::optional<int64_t> OwnedEpoch(int32_t shard) const;

 private:
  struct ShardOwner {
    int32_t owner = -1;
    int64_t epoch = 0;
  };

  const int32_t self_;
  const OwnershipChange on_change_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<int32_t, std::string> broker_targets_ ABSL_GUARDED_BY(mu_);
  // topic → partition → (leader, leader epoch)
  absl::flat_hash_map<std::string, std::map<int32_t, std::pair<int32_t, int32_t>>> leaders_
      ABSL_GUARDED_BY(mu_);
  std::map<int32_t, ShardOwner> shards_ ABSL_GUARDED_BY(mu_);
};

}  // namespace eddy::coordinator
