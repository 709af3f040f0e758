#include "services/coordinator/coordinator_metadata.h"

#include "libs/rpc/leader_hint.h"
#include "spdlog/spdlog.h"

namespace eddy::coordinator {

CoordinatorMetadata::CoordinatorMetadata(int32_t self, OwnershipChange on_change)
    : self_(self), on_change_(std::move(on_change)) {}

void CoordinatorMetadata::Apply(const eddy::v1::MetadataDelta& delta) {
  struct Change {
    int32_t shard;
    bool owned;
    int64_t epoch;
  };
  std::vector<Change> changes;
  {
    absl::MutexLock lock(&mu_);
    if (delta.snapshot()) {
      broker_targets_.clear();
      leaders_.clear();
    }
    for (const eddy::v1::MemberStatus& member : delta.members()) {
      if (member.role() != eddy::v1::MEMBER_ROLE_BROKER) continue;
      if (member.state() == eddy::v1::MEMBER_STATE_UNSPECIFIED) {
        broker_targets_.erase(member.member_id());
        continue;
      }
      for (const eddy::v1::Endpoint& endpoint : member.endpoints()) {
        if (endpoint.name() == "grpc") broker_targets_[member.member_id()] = rpc::TargetOf(endpoint);
      }
    }
    for (const std::string& topic : delta.deleted_topics()) leaders_.erase(topic);
    for (const eddy::v1::TopicMetadata& topic : delta.topics()) {
      auto& partitions = leaders_[topic.name()];
      partitions.clear();
      for (const eddy::v1::PartitionMetadata& p : topic.partitions()) {
        partitions[p.partition()] = {p.leader(), p.leader_epoch()};
      }
    }
    // The shard assignment: a snapshot replaces it, a delta carries the shards that changed.
    std::map<int32_t, ShardOwner> next = delta.snapshot() ? std::map<int32_t, ShardOwner>{} : shards_;
    for (const eddy::v1::CoordinatorShardState& shard : delta.coordinator_shards()) {
      if (shard.coordinator_type() != eddy::v1::COORDINATOR_TYPE_GROUP) continue;
      next[shard.shard()] = {shard.owner(), shard.epoch()};
    }
    for (const auto& [shard, before] : shards_) {
      auto it = next.find(shard);
      const bool still = it != next.end() && it->second.owner == self_ &&
                         it->second.epoch == before.epoch;
      if (before.owner == self_ && !still) changes.push_back({shard, false, before.epoch});
    }
    for (const auto& [shard, after] : next) {
      if (after.owner != self_) continue;
      auto it = shards_.find(shard);
      const bool had = it != shards_.end() && it->second.owner == self_ &&
                       it->second.epoch == after.epoch;
      if (!had) changes.push_back({shard, true, after.epoch});
    }
    shards_ = std::move(next);
  }
  for (const Change& c : changes) {
    spdlog::info("group shard {}: {} (shard epoch {})", c.shard, c.owned ? "assigned here" : "moved away",
                 c.epoch);
    on_change_(c.shard, c.owned, c.epoch);
  }
}

std::optional<PartitionLeader> CoordinatorMetadata::Leader(const std::string& topic,
                                                           int32_t partition) const {
  absl::MutexLock lock(&mu_);
  auto t = leaders_.find(topic);
  if (t == leaders_.end()) return std::nullopt;
  auto p = t->second.find(partition);
  if (p == t->second.end() || p->second.first < 0) return std::nullopt;
  auto target = broker_targets_.find(p->second.first);
  if (target == broker_targets_.end()) return std::nullopt;
  return PartitionLeader{p->second.first, target->second, p->second.second};
}

std::map<int32_t, CoordinatorMetadata::LeaderPartitions> CoordinatorMetadata::ByLeader(
    const std::vector<TopicPartition>& partitions) const {
  std::map<int32_t, LeaderPartitions> out;
  for (const TopicPartition& tp : partitions) {
    std::optional<PartitionLeader> leader = Leader(tp.first, tp.second);
    if (!leader) continue;
    LeaderPartitions& group = out[leader->broker_id];
    group.target = leader->target;
    group.partitions.push_back(tp);
  }
  return out;
}

std::optional<int64_t> CoordinatorMetadata::OwnedEpoch(int32_t shard) const {
  absl::MutexLock lock(&mu_);
  auto it = shards_.find(shard);
  if (it == shards_.end() || it->second.owner != self_) return std::nullopt;
  return it->second.epoch;
}

}  // namespace eddy::coordinator
