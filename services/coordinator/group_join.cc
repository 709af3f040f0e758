// GroupCoordinator's JoinGroup and the rebalance it drives (Kafka 3.x GroupCoordinator.scala:
// doJoinGroup, doStaticMemberJoinGroup, prepareRebalance, onCompleteJoin).
#include <algorithm>
#include <cstdio>

#include "absl/random/random.h"
#include "services/coordinator/group_coordinator.h"
#include "services/coordinator/internal/responses.h"
#include "spdlog/spdlog.h"

namespace eddy::coordinator {

using internal::Code;
using internal::JoinError;
using internal::SyncError;
using kafka::ErrorCode;

namespace {

// NewMemberId is `<client id>-<random UUID>`, as Kafka's java.util.UUID.randomUUID() prints it.
std::string NewMemberId(const std::string& client_id) {
  static thread_local absl::BitGen gen;
  const uint64_t hi = absl::Uniform<uint64_t>(gen);
  const uint64_t lo = absl::Uniform<uint64_t>(gen);
  char uuid[37];
  std::snprintf(uuid, sizeof(uuid), "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xfff),
                static_cast<unsigned>(0x8000 | ((lo >> 48) & 0x3fff)),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return client_id + "-" + uuid;
}

std::vector<Protocol> ProtocolsOf(const eddy::v1::JoinGroupRequest& request) {
  std::vector<Protocol> protocols;
  protocols.reserve(request.protocols_size());
  for (const auto& p : request.protocols()) protocols.push_back({p.name(), p.metadata()});
  return protocols;
}

std::optional<std::string> InstanceId(const std::string& id) {
  if (id.empty()) return std::nullopt;
  return id;
}

}  // namespace

void GroupCoordinator::JoinGroup(const eddy::v1::JoinGroupRequest& request, JoinCallback done) {
  const std::string& member_id = request.member_id();
  if (request.group_id().empty()) return done(JoinError(member_id, ErrorCode::kInvalidGroupId));
  const absl::Duration session = absl::Milliseconds(request.session_timeout_ms());
  if (session < config_.min_session_timeout || session > config_.max_session_timeout) {
    return done(JoinError(member_id, ErrorCode::kInvalidSessionTimeout));
  }
  Group* group = Find(request.group_id());
  if (group == nullptr) {
    // Only a member without an id may create the group.
    if (!member_id.empty()) return done(JoinError(member_id, ErrorCode::kUnknownMemberId));
    group = &GetOrCreate(request.group_id());
  }
  if (!AcceptJoiningMember(*group, member_id)) {
    return done(JoinError(member_id, ErrorCode::kGroupMaxSizeReached));
  }
  if (group->state == GroupState::kDead) {
    return done(JoinError(member_id, ErrorCode::kCoordinatorNotAvailable));
  }
  std::vector<Protocol> protocols = ProtocolsOf(request);
  if (!group->SupportsProtocols(request.protocol_type(), protocols)) {
    return done(JoinError(member_id, ErrorCode::kInconsistentGroupProtocol));
  }
  if (member_id.empty()) {
    JoinUnknownMember(*group, request, std::move(protocols), std::move(done));
  } else {
    JoinKnownMember(*group, request, std::move(protocols), std::move(done));
  }
}

bool GroupCoordinator::AcceptJoiningMember(const Group& group, const std::string& member_id) const {
  const auto size = static_cast<int64_t>(config_.max_size);
  switch (group.state) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return true;
    case GroupState::kCompletingRebalance:
    case GroupState::kStable:
      return group.Has(member_id) || static_cast<int64_t>(group.members.size()) < size;
    case GroupState::kPreparingRebalance: {
      auto it = group.members.find(member_id);
      if (it != group.members.end() && it->second.awaiting_join) return true;
      return group.NumAwaitingJoin() < size;
    }
  }
  return false;
}

void GroupCoordinator::JoinUnknownMember(Group& group, const eddy::v1::JoinGroupRequest& request,
                                         std::vector<Protocol> protocols, JoinCallback done) {
  std::string new_member_id = NewMemberId(request.client_id());
  if (!request.group_instance_id().empty()) {
    return JoinStaticMember(group, request, std::move(protocols), std::move(new_member_id),
                            std::move(done));
  }
  if (request.require_known_member_id()) {
    // KIP-394: the member must come back with this id; until then it only holds a place.
    group.pending_members[new_member_id] = Now() + absl::Milliseconds(request.session_timeout_ms());
    return done(JoinError(new_member_id, ErrorCode::kMemberIdRequired));
  }
  AddMemberAndRebalance(group, request, std::move(protocols), std::move(new_member_id),
                        std::move(done));
}

void GroupCoordinator::JoinKnownMember(Group& group, const eddy::v1::JoinGroupRequest& request,
                                       std::vector<Protocol> protocols, JoinCallback done) {
  const std::string& member_id = request.member_id();
  const std::optional<std::string> instance_id = InstanceId(request.group_instance_id());
  if (group.pending_members.contains(member_id)) {
    // Static members never get MEMBER_ID_REQUIRED, so a pending id with an instance id is bogus.
    if (instance_id) return done(JoinError(member_id, ErrorCode::kUnknownMemberId));
    return AddMemberAndRebalance(group, request, std::move(protocols), member_id, std::move(done));
  }
  if (group.StaticMemberFenced(instance_id, member_id)) {
    return done(JoinError(member_id, ErrorCode::kFencedInstanceId));
  }
  auto it = group.members.find(member_id);
  if (it == group.members.end()) return done(JoinError(member_id, ErrorCode::kUnknownMemberId));
  Member& member = it->second;
  switch (group.state) {
    case GroupState::kPreparingRebalance:
      return UpdateMemberAndRebalance(group, member, request, std::move(protocols),
                                      std::move(done));
    case GroupState::kCompletingRebalance:
      // The member may have missed its join response: resend it if nothing changed.
      if (member.Matches(protocols)) return done(JoinResponseFor(group, member));
      return UpdateMemberAndRebalance(group, member, request, std::move(protocols),
                                      std::move(done));
    case GroupState::kStable:
      // A leader's rejoin forces a rebalance: it may have seen a metadata change (new
      // partitions, a new topic for a pattern) that the members' subscriptions do not show.
      if (group.IsLeader(member_id) || !member.Matches(protocols)) {
        return UpdateMemberAndRebalance(group, member, request, std::move(protocols),
                                        std::move(done));
      }
      return done(JoinResponseFor(group, member));
    case GroupState::kEmpty:
    case GroupState::kDead:
      return done(JoinError(member_id, ErrorCode::kUnknownMemberId));
  }
}

void GroupCoordinator::JoinStaticMember(Group& group, const eddy::v1::JoinGroupRequest& request,
                                        std::vector<Protocol> protocols, std::string new_member_id,
                                        JoinCallback done) {
  const std::string& instance_id = request.group_instance_id();
  auto existing = group.static_members.find(instance_id);
  if (existing == group.static_members.end() || !group.Has(existing->second)) {
    return AddMemberAndRebalance(group, request, std::move(protocols), std::move(new_member_id),
                                 std::move(done));
  }
  // KIP-345: a known instance rejoining replaces its old member id; the old id is fenced.
  const std::string old_member_id = existing->second;
  auto node = group.members.extract(old_member_id);
  Member old = node.mapped();
  Member& member = node.mapped();
  if (member.awaiting_join) {
    std::exchange(member.awaiting_join,
                  nullptr)(JoinError(old_member_id, ErrorCode::kFencedInstanceId));
  }
  if (member.awaiting_sync) {
    std::exchange(member.awaiting_sync, nullptr)(SyncError(ErrorCode::kFencedInstanceId));
  }
  old.awaiting_join = nullptr;
  old.awaiting_sync = nullptr;
  member.member_id = new_member_id;
  member.protocols = std::move(protocols);
  member.rebalance_timeout_ms = request.rebalance_timeout_ms();
  member.session_timeout_ms = request.session_timeout_ms();
  node.key() = new_member_id;
  Member& placed = group.members.insert(std::move(node)).position->second;
  group.static_members[instance_id] = new_member_id;
  const bool was_leader = group.IsLeader(old_member_id);
  if (was_leader) group.leader_id = new_member_id;
  if (group.pending_sync_members.erase(old_member_id) > 0) {
    group.pending_sync_members.insert(new_member_id);
  }
  ScheduleHeartbeat(placed);

  switch (group.state) {
    case GroupState::kStable: {
      if (group.protocol_name != group.SelectProtocol()) {
        placed.awaiting_join = std::move(done);
        return MaybePrepareRebalance(group, "static member rejoined with a protocol change");
      }
      // Same protocol: no rebalance. Persist the new member id, then answer with the current
      // generation; a returning leader gets the members and skip_assignment (KIP-814).
      const std::string group_id = group.group_id;
      const GenerationId generation = group.generation;
      StoreGroup(group, [group_id, generation, old_member_id, new_member_id, instance_id,
                         old = std::move(old),
                         done = std::move(done)](GroupCoordinator* self, ErrorCode error) mutable {
        Group* g = self == nullptr ? nullptr : self->Find(group_id);
        if (g == nullptr || g->generation != generation || !g->Has(new_member_id)) {
          return done(JoinError(new_member_id,
                                error == ErrorCode::kNone ? ErrorCode::kUnknownMemberId : error));
        }
        if (error != ErrorCode::kNone) {
          // Put the old member back: the replacement was never durable.
          g->members.erase(new_member_id);
          g->members.emplace(old_member_id, std::move(old));
          g->static_members[instance_id] = old_member_id;
          if (g->IsLeader(new_member_id)) g->leader_id = old_member_id;
          return done(JoinError(new_member_id, error));
        }
        const Member& m = g->members.at(new_member_id);
        eddy::v1::JoinGroupResponse response = self->JoinResponseFor(*g, m);
        response.set_skip_assignment(g->IsLeader(new_member_id));
        done(std::move(response));
      });
      return;
    }
    case GroupState::kCompletingRebalance:
      // The leader assigns to the old id: rebalance so the assignment names the new one.
      placed.awaiting_join = std::move(done);
      return MaybePrepareRebalance(group, "static member rejoined during CompletingRebalance");
    case GroupState::kPreparingRebalance:
      placed.awaiting_join = std::move(done);
      return MaybeCompleteJoin(group);
    case GroupState::kEmpty:
    case GroupState::kDead:
      break;
  }
  placed.awaiting_join = std::move(done);
  MaybePrepareRebalance(group, "static member rejoined");
}

void GroupCoordinator::AddMemberAndRebalance(Group& group,
                                             const eddy::v1::JoinGroupRequest& request,
                                             std::vector<Protocol> protocols, std::string member_id,
                                             JoinCallback done) {
  Member member;
  member.member_id = member_id;
  member.group_instance_id = InstanceId(request.group_instance_id());
  member.client_id = request.client_id();
  member.client_host = request.client_host();
  member.rebalance_timeout_ms = request.rebalance_timeout_ms();
  member.session_timeout_ms = request.session_timeout_ms();
  member.protocol_type = request.protocol_type();
  member.protocols = std::move(protocols);
  member.is_new = true;
  member.awaiting_join = std::move(done);
  // A member joining the first generation's initial delay extends it (InitialDelayedJoin).
  if (group.state == GroupState::kPreparingRebalance && group.generation == GenerationId(0)) {
    group.new_member_added = true;
  }
  group.pending_members.erase(member_id);
  if (group.members.empty()) group.protocol_type = request.protocol_type();
  if (!group.leader_id) group.leader_id = member_id;
  if (member.group_instance_id) group.static_members[*member.group_instance_id] = member_id;
  Member& placed = group.members.emplace(member_id, std::move(member)).first->second;
  ScheduleHeartbeat(placed);
  if (group.state == GroupState::kPreparingRebalance) return MaybeCompleteJoin(group);
  MaybePrepareRebalance(group, "adding new member " + member_id);
}

void GroupCoordinator::UpdateMemberAndRebalance(Group& group, Member& member,
                                                const eddy::v1::JoinGroupRequest& request,
                                                std::vector<Protocol> protocols,
                                                JoinCallback done) {
  if (member.awaiting_join) {
    // A newer JoinGroup from the same member supersedes one still waiting.
    std::exchange(member.awaiting_join,
                  nullptr)(JoinError(member.member_id, ErrorCode::kRebalanceInProgress));
  }
  member.protocols = std::move(protocols);
  member.rebalance_timeout_ms = request.rebalance_timeout_ms();
  member.session_timeout_ms = request.session_timeout_ms();
  member.awaiting_join = std::move(done);
  if (group.state == GroupState::kPreparingRebalance) return MaybeCompleteJoin(group);
  MaybePrepareRebalance(group, "updating metadata for member " + member.member_id);
}

void GroupCoordinator::MaybePrepareRebalance(Group& group, std::string_view reason) {
  if (group.state == GroupState::kStable || group.state == GroupState::kCompletingRebalance ||
      group.state == GroupState::kEmpty) {
    PrepareRebalance(group, reason);
  }
}

void GroupCoordinator::PrepareRebalance(Group& group, std::string_view reason) {
  if (group.state == GroupState::kCompletingRebalance) {
    ResetAndPropagateAssignmentError(group, ErrorCode::kRebalanceInProgress);
  }
  group.sync_deadline.reset();
  group.pending_sync_members.clear();
  const absl::Time now = Now();
  if (group.state == GroupState::kEmpty && config_.initial_rebalance_delay > absl::ZeroDuration()) {
    // group.initial.rebalance.delay.ms: wait for more members before the first assignment,
    // extending by the delay while members keep arriving, up to the rebalance timeout.
    const absl::Duration timeout = absl::Milliseconds(group.RebalanceTimeoutMs());
    group.initial_delay = true;
    group.new_member_added = false;
    group.join_deadline = now + config_.initial_rebalance_delay;
    group.initial_delay_remaining =
        std::max(timeout - config_.initial_rebalance_delay, absl::ZeroDuration());
  } else {
    group.initial_delay = false;
    group.join_deadline = now + absl::Milliseconds(group.RebalanceTimeoutMs());
  }
  rebalance_started_.try_emplace(group.group_id, now);
  spdlog::info("group {}: preparing to rebalance in generation {} ({})", group.group_id,
               group.generation, reason);
  TransitionTo(group, GroupState::kPreparingRebalance);
  MaybeCompleteJoin(group);
}

void GroupCoordinator::MaybeCompleteJoin(Group& group) {
  if (group.state == GroupState::kPreparingRebalance && !group.initial_delay &&
      group.HasAllMembersJoined()) {
    CompleteJoin(group);
  }
}

void GroupCoordinator::CompleteJoin(Group& group) {
  // Dynamic members that did not rejoin in time leave; static ones keep their place.
  std::vector<std::string> missing;
  for (const auto& [id, m] : group.members) {
    if (!m.awaiting_join && !m.IsStatic()) missing.push_back(id);
  }
  for (const std::string& id : missing) RemoveMember(group, id, ErrorCode::kUnknownMemberId);

  if (group.leader_id && !group.members.at(*group.leader_id).awaiting_join) {
    auto joined = std::find_if(group.members.begin(), group.members.end(), [](const auto& m) {
      return static_cast<bool>(m.second.awaiting_join);
    });
    if (joined == group.members.end()) {
      // Only static members that have not rejoined remain: wait another rebalance timeout;
      // their sessions end it if they never return.
      spdlog::warn("group {}: no member rejoined; waiting another rebalance timeout",
                   group.group_id);
      group.initial_delay = false;
      group.join_deadline = Now() + absl::Milliseconds(group.RebalanceTimeoutMs());
      return;
    }
    group.leader_id = joined->first;
  }
  group.join_deadline.reset();
  group.initial_delay = false;
  InitNextGeneration(group);
  if (group.state == GroupState::kEmpty) {
    StoreGroup(group, [id = group.group_id](GroupCoordinator*, ErrorCode error) {
      if (error != ErrorCode::kNone) {
        spdlog::warn("group {}: persisting the empty group failed: {}", id,
                     static_cast<int>(error));
      }
    });
    return;
  }
  for (auto& [id, member] : group.members) {
    if (member.awaiting_join) {
      std::exchange(member.awaiting_join, nullptr)(JoinResponseFor(group, member));
    }
    member.is_new = false;
    ScheduleHeartbeat(member);
    group.pending_sync_members.insert(id);
  }
  group.sync_deadline = Now() + absl::Milliseconds(group.RebalanceTimeoutMs());
}

void GroupCoordinator::InitNextGeneration(Group& group) {
  ++group.generation;
  if (!group.members.empty()) {
    group.protocol_name = group.SelectProtocol();
    group.subscribed_topics = internal::SubscribedTopics(group);
    TransitionTo(group, GroupState::kCompletingRebalance);
  } else {
    group.protocol_name.reset();
    group.subscribed_topics = internal::SubscribedTopics(group);
    TransitionTo(group, GroupState::kEmpty);
  }
  auto started = rebalance_started_.find(group.group_id);
  if (started != rebalance_started_.end()) {
    if (observer_ != nullptr)
      observer_->OnRebalanceCompleted(group.group_id, Now() - started->second);
    rebalance_started_.erase(started);
  }
  spdlog::info("group {}: generation {} ({} members, protocol {})", group.group_id,
               group.generation, group.members.size(), group.protocol_name.value_or("none"));
}

eddy::v1::JoinGroupResponse GroupCoordinator::JoinResponseFor(const Group& group,
                                                              const Member& member) const {
  eddy::v1::JoinGroupResponse response;
  response.set_error_code(Code(ErrorCode::kNone));
  response.set_generation_id(group.generation.value());
  response.set_protocol_type(group.protocol_type.value_or(""));
  response.set_protocol_name(group.protocol_name.value_or(""));
  response.set_leader(group.leader_id.value_or(""));
  response.set_member_id(member.member_id);
  if (group.IsLeader(member.member_id)) {
    for (const auto& [id, m] : group.members) {
      auto* out = response.add_members();
      out->set_member_id(id);
      out->set_group_instance_id(m.group_instance_id.value_or(""));
      out->set_metadata(m.Metadata(group.protocol_name.value_or("")));
    }
  }
  return response;
}
}  // namespace eddy::coordinator
