// GroupCoordinator's SyncGroup, Heartbeat and LeaveGroup, and how members leave a group (Kafka
// 3.x GroupCoordinator.scala: doSyncGroup, handleHeartbeat, handleLeaveGroup,
// removeMemberAndUpdateGroup).
#include <algorithm>

#include "services/coordinator/group_coordinator.h"
#include "services/coordinator/internal/responses.h"
#include "spdlog/spdlog.h"

namespace eddy::coordinator {

using internal::Code;
using internal::JoinError;
using internal::SyncError;
using kafka::ErrorCode;

namespace {

std::optional<std::string> InstanceId(const std::string& id) {
  if (id.empty()) return std::nullopt;
  return id;
}

}  // namespace

void GroupCoordinator::RemoveMember(Group& group, const std::string& member_id, ErrorCode answer) {
  auto it = group.members.find(member_id);
  if (it == group.members.end()) return;
  Member& m = it->second;
  if (m.awaiting_join) std::exchange(m.awaiting_join, nullptr)(JoinError(member_id, answer));
  if (m.awaiting_sync) std::exchange(m.awaiting_sync, nullptr)(SyncError(answer));
  if (m.group_instance_id) {
    auto s = group.static_members.find(*m.group_instance_id);
    if (s != group.static_members.end() && s->second == member_id) group.static_members.erase(s);
  }
  group.pending_sync_members.erase(member_id);
  group.members.erase(it);
  if (group.IsLeader(member_id)) {
    if (group.members.empty()) {
      group.leader_id.reset();
    } else {
      group.leader_id = group.members.begin()->first;
    }
  }
}

void GroupCoordinator::RemoveMemberAndUpdateGroup(Group& group, const std::string& member_id,
                                                  std::string_view reason) {
  RemoveMember(group, member_id, ErrorCode::kUnknownMemberId);
  switch (group.state) {
    case GroupState::kStable:
    case GroupState::kCompletingRebalance:
      return MaybePrepareRebalance(group, reason);
    case GroupState::kPreparingRebalance:
      return MaybeCompleteJoin(group);
    case GroupState::kEmpty:
    case GroupState::kDead:
      return;
  }
}

void GroupCoordinator::RemovePendingMember(Group& group, const std::string& member_id) {
  group.pending_members.erase(member_id);
  MaybeCompleteJoin(group);
}

void GroupCoordinator::ScheduleHeartbeat(Member& member) {
  member.heartbeat_deadline =
      Now() + (member.is_new ? config_.new_member_join_timeout
                             : absl::Milliseconds(member.session_timeout_ms));
}

void GroupCoordinator::ResetAndPropagateAssignmentError(Group& group, ErrorCode error) {
  for (auto& [id, m] : group.members) {
    m.assignment.clear();
    if (m.awaiting_sync) std::exchange(m.awaiting_sync, nullptr)(SyncError(error));
  }
}

void GroupCoordinator::TransitionTo(Group& group, GroupState state) {
  group.state = state;
  group.current_state_time = Now();
}

void GroupCoordinator::SyncGroup(const eddy::v1::SyncGroupRequest& request, SyncCallback done) {
  if (request.group_id().empty()) return done(SyncError(ErrorCode::kInvalidGroupId));
  Group* group = Find(request.group_id());
  if (group == nullptr) return done(SyncError(ErrorCode::kUnknownMemberId));
  const std::string& member_id = request.member_id();
  if (group->state == GroupState::kDead)
    return done(SyncError(ErrorCode::kCoordinatorNotAvailable));
  if (group->StaticMemberFenced(InstanceId(request.group_instance_id()), member_id)) {
    return done(SyncError(ErrorCode::kFencedInstanceId));
  }
  if (!group->Has(member_id)) return done(SyncError(ErrorCode::kUnknownMemberId));
  if (GenerationId(request.generation_id()) != group->generation) {
    return done(SyncError(ErrorCode::kIllegalGeneration));
  }
  if ((!request.protocol_type().empty() && group->protocol_type != request.protocol_type()) ||
      (!request.protocol_name().empty() && group->protocol_name != request.protocol_name())) {
    return done(SyncError(ErrorCode::kInconsistentGroupProtocol));
  }
  Member& member = group->members.at(member_id);
  switch (group->state) {
    case GroupState::kEmpty:
      return done(SyncError(ErrorCode::kUnknownMemberId));
    case GroupState::kPreparingRebalance:
      return done(SyncError(ErrorCode::kRebalanceInProgress));
    case GroupState::kStable: {
      group->pending_sync_members.erase(member_id);
      ScheduleHeartbeat(member);
      eddy::v1::SyncGroupResponse response;
      response.set_protocol_type(group->protocol_type.value_or(""));
      response.set_protocol_name(group->protocol_name.value_or(""));
      response.set_assignment(member.assignment);
      return done(std::move(response));
    }
    case GroupState::kCompletingRebalance:
      break;
    case GroupState::kDead:
      return done(SyncError(ErrorCode::kCoordinatorNotAvailable));
  }
  group->pending_sync_members.erase(member_id);
  if (group->pending_sync_members.empty()) group->sync_deadline.reset();
  if (member.awaiting_sync) {
    std::exchange(member.awaiting_sync, nullptr)(SyncError(ErrorCode::kRebalanceInProgress));
  }
  member.awaiting_sync = std::move(done);
  ScheduleHeartbeat(member);
  if (!group->IsLeader(member_id)) return;

  // The leader's assignment: persist it with the group, then hand every member its part.
  std::map<std::string, std::string> assignment;
  for (const auto& [id, m] : group->members) assignment[id];
  for (const auto& a : request.assignments()) {
    if (group->Has(a.member_id())) assignment[a.member_id()] = a.assignment();
  }
  for (auto& [id, m] : group->members) m.assignment = assignment[id];
  const std::string group_id = group->group_id;
  const GenerationId generation = group->generation;
  StoreGroup(*group, [group_id, generation](GroupCoordinator* self, ErrorCode error) {
    Group* g = self == nullptr ? nullptr : self->Find(group_id);
    if (g == nullptr || g->state != GroupState::kCompletingRebalance ||
        g->generation != generation) {
      return;  // a newer rebalance already answered the waiting members
    }
    if (error != ErrorCode::kNone) {
      self->ResetAndPropagateAssignmentError(*g, error);
      return self->MaybePrepareRebalance(*g, "failed to persist the group's assignment");
    }
    self->TransitionTo(*g, GroupState::kStable);
    for (auto& [id, m] : g->members) {
      if (!m.awaiting_sync) continue;
      eddy::v1::SyncGroupResponse response;
      response.set_protocol_type(g->protocol_type.value_or(""));
      response.set_protocol_name(g->protocol_name.value_or(""));
      response.set_assignment(m.assignment);
      std::exchange(m.awaiting_sync, nullptr)(std::move(response));
    }
  });
}

void GroupCoordinator::Heartbeat(const eddy::v1::GroupHeartbeatRequest& request,
                                 HeartbeatCallback done) {
  auto answer = [&done](ErrorCode code) {
    eddy::v1::GroupHeartbeatResponse response;
    response.set_error_code(Code(code));
    done(std::move(response));
  };
  if (request.group_id().empty()) return answer(ErrorCode::kInvalidGroupId);
  Group* group = Find(request.group_id());
  if (group == nullptr) return answer(ErrorCode::kUnknownMemberId);
  const std::string& member_id = request.member_id();
  if (group->state == GroupState::kDead) return answer(ErrorCode::kCoordinatorNotAvailable);
  if (group->StaticMemberFenced(InstanceId(request.group_instance_id()), member_id)) {
    return answer(ErrorCode::kFencedInstanceId);
  }
  if (!group->Has(member_id)) return answer(ErrorCode::kUnknownMemberId);
  if (GenerationId(request.generation_id()) != group->generation) {
    return answer(ErrorCode::kIllegalGeneration);
  }
  switch (group->state) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return answer(ErrorCode::kUnknownMemberId);
    case GroupState::kPreparingRebalance:
      ScheduleHeartbeat(group->members.at(member_id));
      return answer(ErrorCode::kRebalanceInProgress);
    case GroupState::kCompletingRebalance:
    case GroupState::kStable:
      ScheduleHeartbeat(group->members.at(member_id));
      return answer(ErrorCode::kNone);
  }
}

void GroupCoordinator::LeaveGroup(const eddy::v1::LeaveGroupRequest& request, LeaveCallback done) {
  eddy::v1::LeaveGroupResponse response;
  auto fail_all = [&](ErrorCode top, ErrorCode each) {
    response.set_error_code(Code(top));
    for (int i = 0; i < request.members_size(); ++i) response.add_member_error_codes(Code(each));
    done(std::move(response));
  };
  if (request.group_id().empty()) {
    return fail_all(ErrorCode::kInvalidGroupId, ErrorCode::kInvalidGroupId);
  }
  Group* group = Find(request.group_id());
  if (group == nullptr) return fail_all(ErrorCode::kNone, ErrorCode::kUnknownMemberId);
  if (group->state == GroupState::kDead) {
    return fail_all(ErrorCode::kCoordinatorNotAvailable, ErrorCode::kCoordinatorNotAvailable);
  }
  response.set_error_code(Code(ErrorCode::kNone));
  for (const auto& leaving : request.members()) {
    const std::optional<std::string> instance_id = InstanceId(leaving.group_instance_id());
    std::string member_id = leaving.member_id();
    if (member_id.empty() && instance_id) {
      auto it = group->static_members.find(*instance_id);
      if (it != group->static_members.end()) member_id = it->second;
    }
    ErrorCode result = ErrorCode::kNone;
    if (group->pending_members.contains(member_id)) {
      RemovePendingMember(*group, member_id);
    } else if (group->StaticMemberFenced(instance_id, member_id)) {
      result = ErrorCode::kFencedInstanceId;
    } else if (!group->Has(member_id)) {
      result = ErrorCode::kUnknownMemberId;
    } else {
      spdlog::info("group {}: member {} leaves ({})", group->group_id, member_id,
                   leaving.reason().empty() ? "no reason given" : leaving.reason());
      RemoveMemberAndUpdateGroup(*group, member_id, "member left the group");
    }
    response.add_member_error_codes(Code(result));
  }
  done(std::move(response));
}

}  // namespace eddy::coordinator
