// CoordinatorPlanner decides, on the active controller, which coordinators count as live for shard
// placement and what to move (AssignCoordinatorShards, coordinator_shards.h). Coordinators are
// leader-local lease state (ClusterMembership), so liveness is:
// - a member with role MEMBER_ROLE_COORDINATOR in state ACTIVE (its lease is live and it has not
//   announced a controlled shutdown);
// - and, for one lease period after this controller became leader, any current shard owner the
//   leader has not heard from yet: coordinators register again after a failover, and their shards
//   must not move only because the new leader does not know them yet. An owner the leader has
//   heard of (fenced, shutting down) gets no such grace.
// The controller runs it on every tick, so each change of the live set (registration, lease
// expiry, clean shutdown, the end of the grace period) moves shards within a tick.
//
// Thread-safety: not thread-safe; the controller's tick thread owns it.
#pragma once

#include <vector>

#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "proto/eddy/v1/controller.pb.h"
#include "services/controller/coordinator_shards.h"

namespace eddy::controller {

class CoordinatorPlanner {
 public:
  // `grace` is the member lease (a live coordinator heartbeats within it).
  CoordinatorPlanner(absl::Duration grace, const common::Clock& clock);

  // StartLeading starts the grace period of a newly elected leader.
  void StartLeading();

  // LiveCoordinators lists, in id order, the coordinators that may own shards (see above).
  std::vector<NodeId> LiveCoordinators(const MetadataImage& image,
                                       const std::vector<eddy::v1::MemberStatus>& members) const;

  // AssignShards places the group coordinator's shards (one per __consumer_offsets partition; none
  // while the topic does not exist) on the live coordinators.
  ControllerResult<std::vector<ShardMove>> AssignShards(
      const MetadataImage& image, const std::vector<eddy::v1::MemberStatus>& members) const;

 private:
  const absl::Duration grace_;
  const common::Clock& clock_;
  absl::Time grace_until_ = absl::InfinitePast();
};

}  // namespace eddy::controller
