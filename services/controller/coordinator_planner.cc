#include "services/controller/coordinator_planner.h"

#include <set>

#include "services/controller/offsets_topic.h"

namespace eddy::controller {

CoordinatorPlanner::CoordinatorPlanner(absl::Duration grace, const common::Clock& clock)
    : grace_(grace), clock_(clock) {}

void CoordinatorPlanner::StartLeading() { grace_until_ = clock_.Now() + grace_; }

std::vector<NodeId> CoordinatorPlanner::LiveCoordinators(
    const MetadataImage& image, const std::vector<eddy::v1::MemberStatus>& members) const {
  std::set<NodeId> live;
  std::set<NodeId> known;
  for (const eddy::v1::MemberStatus& member : members) {
    if (member.role() != eddy::v1::MEMBER_ROLE_COORDINATOR) continue;
    known.insert(NodeId(member.member_id()));
    if (member.state() == eddy::v1::MEMBER_STATE_ACTIVE) live.insert(NodeId(member.member_id()));
  }
  if (clock_.Now() < grace_until_) {
    for (const auto& [key, owner] : image.coordinator_shards()) {
      if (owner.owner != NodeId(-1) && !known.contains(owner.owner)) live.insert(owner.owner);
    }
  }
  return {live.begin(), live.end()};
}

ControllerResult<std::vector<ShardMove>> CoordinatorPlanner::AssignShards(
    const MetadataImage& image, const std::vector<eddy::v1::MemberStatus>& members) const {
  const int32_t shards = GroupCoordinatorShards(image);
  if (shards == 0) return {};
  return AssignCoordinatorShards(image, eddy::v1::COORDINATOR_TYPE_GROUP, shards,
                                 LiveCoordinators(image, members));
}

}  // namespace eddy::controller
