// BuildPartitionChange decides how one partition moves to a new ISR and who leads it afterwards,
// following KRaft's PartitionChangeBuilder with eligible leader replicas (KIP-966):
// - The current leader stays while it is in the target ISR and usable (unfenced, not shutting
//   down). Otherwise the first usable replica (in replica order) of the target ISR leads; failing
//   that, the first usable member of the ELR leads with ISR = [leader]; failing that, an unclean
//   election (any usable replica, ISR = [leader], ELR cleared) happens only if the topic enables
//   unclean.leader.election.enable or the caller asks for it; otherwise the partition has no leader
//   (-1) and its ISR may be empty.
// - ELR (KIP-966): while |ISR| >= min.insync.replicas the ELR and last-known ELR are empty. When
//   the ISR is smaller, the replicas that leave it join the ELR (the high watermark could not
//   advance without them, so they hold every committed record), minus replicas that shut down
//   uncleanly; the last-known ELR keeps the other replicas that were once in ISR or ELR.
// - Applying the record bumps the partition epoch, and the leader epoch when the leader changes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "libs/common/uuid.h"
#include "proto/eddy/v1/metadata.pb.h"
#include "services/controller/metadata_image.h"

namespace eddy::controller {

enum class Election {
  // Keep a valid leader; elect one only when the current one is gone (ISR, then ELR, then
  // unclean if the topic allows it).
  kOnline,
  // Move leadership to the preferred replica (replicas[0]) if it is a valid leader; otherwise as
  // kOnline.
  kPreferred,
  // As kOnline, but an unclean election is allowed whatever the topic says (ElectLeaders UNCLEAN).
  kUnclean,
};

struct PartitionChangeRequest {
  // The ISR to move to; unset keeps the current one.
  std::optional<std::vector<BrokerId>> target_isr;
  Election election = Election::kOnline;
  // Replicas whose last shutdown was unclean: they leave the ELR (KIP-966).
  std::vector<BrokerId> unclean_shutdown_replicas;
  // Empties ELR and last-known ELR (KIP-966 does this when min.insync.replicas changes).
  bool clear_elr = false;
};

struct PartitionChangeContext {
  // Whether a broker may lead or stay in the ISR.
  std::function<bool(BrokerId)> is_usable;
  int32_t min_insync_replicas = 1;
  bool unclean_election_enabled = false;
};

struct PartitionChange {
  eddy::v1::PartitionChangeRecord record;
  // The partition after the record is applied (epochs bumped as the state machine does).
  PartitionState next;
  bool unclean = false;
};

// BuildPartitionChange returns the change, or nullopt when the partition would not change.
std::optional<PartitionChange> BuildPartitionChange(const common::Uuid& topic_id, int32_t partition,
                                                    const PartitionState& current,
                                                    const PartitionChangeRequest& request,
                                                    const PartitionChangeContext& context);

// ContextFor makes the usual context for a topic from the image: usable = image.IsUsable, except
// that `excluded` is never usable (being fenced) and `included` is usable (being unfenced); min ISR
// and unclean election come from the topic's effective configs.
// REQUIRES: `image` outlives the returned context (its is_usable reads the image).
PartitionChangeContext ContextFor(const MetadataImage& image, const TopicState& topic,
                                  std::optional<BrokerId> excluded = std::nullopt,
                                  std::optional<BrokerId> included = std::nullopt);

}  // namespace eddy::controller
