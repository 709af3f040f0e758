#include "services/controller/partition_change.h"

#include <algorithm>

#include "services/controller/metadata_records.h"
#include "services/controller/topic_configs.h"

namespace eddy::controller {
namespace {

// InReplicaOrder keeps the replicas that satisfy `keep`, in replica order, so results do not
// depend on the order of the inputs.
template <typename Pred>
std::vector<BrokerId> InReplicaOrder(const std::vector<BrokerId>& replicas, Pred keep) {
  std::vector<BrokerId> out;
  for (BrokerId r : replicas) {
    if (keep(r)) out.push_back(r);
  }
  return out;
}

}  // namespace

std::optional<PartitionChange> BuildPartitionChange(const common::Uuid& topic_id, int32_t partition,
                                                    const PartitionState& current,
                                                    const PartitionChangeRequest& request,
                                                    const PartitionChangeContext& context) {
  PartitionState next = current;
  if (request.target_isr) next.isr = *request.target_isr;
  auto valid_leader = [&](BrokerId b) {
    return b != kNoLeader && Contains(next.isr, b) && context.is_usable(b);
  };
  auto first_usable = [&](const std::vector<BrokerId>& pool) -> std::optional<BrokerId> {
    for (BrokerId r : current.replicas) {
      if (Contains(pool, r) && context.is_usable(r)) return r;
    }
    return std::nullopt;
  };

  bool unclean = false;
  const BrokerId preferred = current.PreferredLeader();
  if (request.election == Election::kPreferred && valid_leader(preferred)) {
    next.leader = preferred;
  } else if (!valid_leader(current.leader)) {
    std::vector<BrokerId> elr = InReplicaOrder(current.replicas, [&](BrokerId r) {
      return Contains(current.elr, r) && !Contains(request.unclean_shutdown_replicas, r);
    });
    if (std::optional<BrokerId> from_isr = first_usable(next.isr)) {
      next.leader = *from_isr;
    } else if (std::optional<BrokerId> from_elr = first_usable(elr)) {
      next.leader = *from_elr;
      next.isr = {*from_elr};
    } else if (std::optional<BrokerId> any = first_usable(current.replicas);
               any &&
               (context.unclean_election_enabled || request.election == Election::kUnclean)) {
      next.leader = *any;
      next.isr = {*any};
      unclean = true;
    } else {
      next.leader = kNoLeader;
    }
  }

  if (unclean || request.clear_elr ||
      static_cast<int32_t>(next.isr.size()) >= context.min_insync_replicas) {
    next.elr.clear();
    next.last_known_elr.clear();
  } else {
    auto was_candidate = [&](BrokerId r) {
      return Contains(current.elr, r) || Contains(current.isr, r);
    };
    next.elr = InReplicaOrder(current.replicas, [&](BrokerId r) {
      return was_candidate(r) && !Contains(next.isr, r) &&
             !Contains(request.unclean_shutdown_replicas, r);
    });
    next.last_known_elr = InReplicaOrder(current.replicas, [&](BrokerId r) {
      return (was_candidate(r) || Contains(current.last_known_elr, r)) && !Contains(next.isr, r) &&
             !Contains(next.elr, r);
    });
  }

  PartitionChange change;
  eddy::v1::PartitionChangeRecord& record = change.record;
  bool changed = false;
  if (next.leader != current.leader) {
    record.set_leader(next.leader.value());
    ++next.leader_epoch;
    changed = true;
  }
  if (next.isr != current.isr) {
    *record.mutable_isr() = BrokerIdListToProto(next.isr);
    changed = true;
  }
  if (next.elr != current.elr) {
    *record.mutable_eligible_leader_replicas() = BrokerIdListToProto(next.elr);
    changed = true;
  }
  if (next.last_known_elr != current.last_known_elr) {
    *record.mutable_last_known_elr() = BrokerIdListToProto(next.last_known_elr);
    changed = true;
  }
  if (!changed) return std::nullopt;
  *record.mutable_topic_id() = TopicIdToProto(topic_id);
  record.set_partition(partition);
  ++next.partition_epoch;
  change.next = std::move(next);
  change.unclean = unclean;
  return change;
}

PartitionChangeContext ContextFor(const MetadataImage& image, const TopicState& topic,
                                  std::optional<BrokerId> excluded,
                                  std::optional<BrokerId> included) {
  PartitionChangeContext context;
  context.is_usable = [&image, excluded, included](BrokerId b) {
    if (excluded && b == *excluded) return false;
    if (included && b == *included) return true;
    return image.IsUsable(b);
  };
  context.min_insync_replicas = MinInsyncReplicas(image, topic.name);
  context.unclean_election_enabled = UncleanLeaderElectionEnabled(image, topic.name);
  return context;
}

}  // namespace eddy::controller
