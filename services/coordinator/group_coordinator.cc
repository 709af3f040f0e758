// GroupCoordinator's shared plumbing: the group table, persistence and replay, timers, and the
// read-only admin APIs (DescribeGroups, ListGroups).
#include "services/coordinator/group_coordinator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "libs/common/status_macros.h"
#include "services/coordinator/internal/responses.h"
#include "spdlog/spdlog.h"

namespace eddy::coordinator {

using internal::Code;
using internal::JoinError;
using internal::SyncError;
using kafka::ErrorCode;

GroupCoordinator::GroupCoordinator(GroupConfig config, GroupLog& log, common::Clock& clock,
                                   GroupObserver* observer)
    : config_(config),
      log_(log),
      clock_(clock),
      observer_(observer),
      next_offsets_expiry_(clock.Now() + config.offsets_retention_check_interval) {}

GroupCoordinator::~GroupCoordinator() {
  alive_.reset();
  for (auto& [id, group] : groups_) {
    for (auto& [member_id, m] : group->members) {
      if (m.awaiting_join) {
        std::exchange(m.awaiting_join, nullptr)(JoinError(member_id, ErrorCode::kNotCoordinator));
      }
      if (m.awaiting_sync) {
        std::exchange(m.awaiting_sync, nullptr)(SyncError(ErrorCode::kNotCoordinator));
      }
    }
  }
}

Group* GroupCoordinator::Find(const std::string& group_id) {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.get();
}

const Group* GroupCoordinator::FindGroup(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.get();
}

Group& GroupCoordinator::GetOrCreate(const std::string& group_id) {
  auto& slot = groups_[group_id];
  if (!slot) {
    slot = std::make_unique<Group>(group_id);
    slot->current_state_time = Now();
  }
  return *slot;
}

void GroupCoordinator::RemoveGroup(std::string group_id) {
  groups_.erase(group_id);
  rebalance_started_.erase(group_id);
  if (observer_ != nullptr) observer_->OnGroupRemoved(group_id);
}

void GroupCoordinator::AppendRecords(std::vector<GroupLogRecord> records,
                                     std::function<void(GroupCoordinator*, absl::Status)> done) {
  std::weak_ptr<GroupCoordinator*> alive = alive_;
  log_.Append(std::move(records), [alive, done = std::move(done)](absl::Status status) {
    std::shared_ptr<GroupCoordinator*> self = alive.lock();
    done(self ? *self : nullptr, std::move(status));
  });
}

void GroupCoordinator::StoreGroup(const Group& group,
                                  std::function<void(GroupCoordinator*, ErrorCode)> done) {
  GroupMetadataValue value;
  value.protocol_type = group.protocol_type.value_or("");
  value.generation = group.generation.value();
  value.protocol = group.protocol_name;
  value.leader = group.leader_id;
  value.current_state_timestamp_ms = group.current_state_time == absl::InfinitePast()
                                         ? -1
                                         : absl::ToUnixMillis(group.current_state_time);
  for (const auto& [id, m] : group.members) {
    value.members.push_back({id,
                             m.group_instance_id,
                             m.client_id,
                             m.client_host,
                             m.rebalance_timeout_ms,
                             m.session_timeout_ms,
                             m.Metadata(group.protocol_name.value_or("")),
                             m.assignment,
                             {}});
  }
  auto encoded = EncodeGroupMetadataValue(value);
  if (!encoded.ok()) {
    spdlog::error("group {}: cannot encode its metadata: {}", group.group_id,
                  encoded.status().ToString());
    return done(this, ErrorCode::kUnknownServerError);
  }
  std::vector<GroupLogRecord> records;
  records.push_back({EncodeKey(GroupMetadataKey{group.group_id}), *std::move(encoded)});
  AppendRecords(std::move(records), [done = std::move(done)](GroupCoordinator* self,
                                                             absl::Status status) {
    done(self, self == nullptr ? ErrorCode::kNotCoordinator : StorageErrorToKafka(status, false));
  });
}

absl::Status GroupCoordinator::Load() {
  return Replay([this](const RecordVisitor& visit) { return log_.Read(visit); });
}

absl::Status GroupCoordinator::Load(std::span<const GroupLogRecord> records) {
  return Replay([records](const RecordVisitor& visit) {
    for (const GroupLogRecord& record : records) visit(record);
    return absl::OkStatus();
  });
}

absl::Status GroupCoordinator::Replay(
    const std::function<absl::Status(const RecordVisitor&)>& read) {
  absl::Status decode_error;
  absl::Status status = read([&](const GroupLogRecord& record) {
    if (!decode_error.ok()) return;
    auto key = DecodeKey(record.key);
    if (!key.ok()) {
      decode_error = key.status();
      return;
    }
    if (const auto* offset_key = std::get_if<OffsetCommitKey>(&*key)) {
      const TopicPartitionKey tp{offset_key->topic, offset_key->partition};
      if (!record.value) {
        if (Group* g = Find(offset_key->group)) g->offsets.erase(tp);
        return;
      }
      auto value = DecodeOffsetCommitValue(*record.value);
      if (!value.ok()) {
        decode_error = value.status();
        return;
      }
      CommittedOffset& offset = GetOrCreate(offset_key->group).offsets[tp];
      offset.offset = Offset(value->offset);
      offset.leader_epoch = LeaderEpoch(value->leader_epoch);
      offset.metadata = value->metadata;
      offset.commit_time = absl::FromUnixMillis(value->commit_timestamp_ms);
      offset.expire_time.reset();
      if (value->expire_timestamp_ms >= 0) {
        offset.expire_time = absl::FromUnixMillis(value->expire_timestamp_ms);
      }
      return;
    }
    const std::string& group_id = std::get<GroupMetadataKey>(*key).group;
    if (!record.value) {
      // The group was deleted; offsets committed after that start a fresh group.
      Group* g = Find(group_id);
      if (g == nullptr) return;
      auto offsets = std::move(g->offsets);
      groups_.erase(group_id);
      if (!offsets.empty()) GetOrCreate(group_id).offsets = std::move(offsets);
      return;
    }
    auto value = DecodeGroupMetadataValue(*record.value);
    if (!value.ok()) {
      decode_error = value.status();
      return;
    }
    Group& g = GetOrCreate(group_id);
    g.generation = GenerationId(value->generation);
    g.protocol_type = value->protocol_type.empty()
                          ? std::nullopt
                          : std::optional<std::string>(value->protocol_type);
    g.protocol_name = value->protocol;
    g.leader_id = value->leader;
    g.current_state_time = value->current_state_timestamp_ms >= 0
                               ? absl::FromUnixMillis(value->current_state_timestamp_ms)
                               : absl::InfinitePast();
    g.members.clear();
    g.static_members.clear();
    for (GroupMemberValue& mv : value->members) {
      Member m;
      m.member_id = mv.member_id;
      m.group_instance_id = mv.group_instance_id;
      m.client_id = mv.client_id;
      m.client_host = mv.client_host;
      m.rebalance_timeout_ms = mv.rebalance_timeout_ms;
      m.session_timeout_ms = mv.session_timeout_ms;
      m.protocol_type = value->protocol_type;
      m.protocols.push_back({value->protocol.value_or(""), std::move(mv.subscription)});
      m.assignment = std::move(mv.assignment);
      if (m.group_instance_id) g.static_members[*m.group_instance_id] = m.member_id;
      g.members.emplace(mv.member_id, std::move(m));
    }
    g.state = g.members.empty() ? GroupState::kEmpty : GroupState::kStable;
  });
  EDDY_RETURN_IF_ERROR(status);
  if (!decode_error.ok()) return decode_error;
  for (auto& [id, group] : groups_) {
    group->subscribed_topics = internal::SubscribedTopics(*group);
    for (auto& [member_id, m] : group->members) ScheduleHeartbeat(m);
    if (static_cast<int64_t>(group->members.size()) > config_.max_size) {
      PrepareRebalance(*group, "loaded group exceeds group.max.size");
    }
  }
  spdlog::info("loaded {} groups", groups_.size());
  return absl::OkStatus();
}

void GroupCoordinator::Tick() {
  const absl::Time now = Now();
  std::vector<std::string> ids;
  ids.reserve(groups_.size());
  for (const auto& [id, g] : groups_) ids.push_back(id);
  for (const std::string& id : ids) {
    if (Group* group = Find(id)) TickGroup(*group, now);
  }
  if (now >= next_offsets_expiry_) {
    next_offsets_expiry_ = now + config_.offsets_retention_check_interval;
    ExpireOffsets();
  }
}

void GroupCoordinator::TickGroup(Group& group, absl::Time now) {
  std::vector<std::string> due;
  for (const auto& [id, deadline] : group.pending_members) {
    if (deadline <= now) due.push_back(id);
  }
  for (const std::string& id : due) RemovePendingMember(group, id);

  // A member's session lapses unless it waits in a rebalance (then the rebalance or sync timeout
  // decides); a new member's join times out the same way (KIP-394).
  due.clear();
  for (const auto& [id, m] : group.members) {
    const bool satisfied = !m.is_new && (m.awaiting_join || m.awaiting_sync);
    if (m.heartbeat_deadline <= now && !satisfied) due.push_back(id);
  }
  for (const std::string& id : due) {
    spdlog::info("group {}: member {} expired (session timeout)", group.group_id, id);
    RemoveMemberAndUpdateGroup(group, id, "member's session expired");
  }

  if (group.sync_deadline && *group.sync_deadline <= now) {
    group.sync_deadline.reset();
    if ((group.state == GroupState::kCompletingRebalance || group.state == GroupState::kStable) &&
        !group.pending_sync_members.empty()) {
      const std::set<std::string> missing = group.pending_sync_members;
      for (const std::string& id : missing) RemoveMember(group, id, ErrorCode::kUnknownMemberId);
      PrepareRebalance(group, "members did not sync within the rebalance timeout");
    }
  }

  if (group.state == GroupState::kPreparingRebalance && group.join_deadline &&
      *group.join_deadline <= now) {
    if (group.initial_delay && group.new_member_added &&
        group.initial_delay_remaining > absl::ZeroDuration()) {
      const absl::Duration delay =
          std::min(config_.initial_rebalance_delay, group.initial_delay_remaining);
      group.new_member_added = false;
      group.initial_delay_remaining -= delay;
      group.join_deadline = now + delay;
    } else {
      CompleteJoin(group);
    }
  }
}

eddy::v1::DescribedGroup GroupCoordinator::DescribeGroup(const std::string& group_id) const {
  eddy::v1::DescribedGroup described;
  described.set_group_id(group_id);
  described.set_error_code(Code(ErrorCode::kNone));
  const Group* group = FindGroup(group_id);
  if (group == nullptr) {
    described.set_group_state(std::string(GroupStateName(GroupState::kDead)));
    return described;
  }
  described.set_group_state(std::string(GroupStateName(group->state)));
  described.set_protocol_type(group->protocol_type.value_or(""));
  const bool stable = group->state == GroupState::kStable;
  if (stable) described.set_protocol_data(group->protocol_name.value_or(""));
  for (const auto& [id, m] : group->members) {
    auto* out = described.add_members();
    out->set_member_id(id);
    out->set_group_instance_id(m.group_instance_id.value_or(""));
    out->set_client_id(m.client_id);
    out->set_client_host(m.client_host);
    if (stable) {
      out->set_member_metadata(m.Metadata(group->protocol_name.value_or("")));
      out->set_member_assignment(m.assignment);
    }
  }
  return described;
}

std::vector<eddy::v1::ListedGroup> GroupCoordinator::ListGroups(
    const eddy::v1::ListGroupsRequest& request) const {
  bool type_matches = request.types_filter().empty();
  for (const auto& t : request.types_filter()) type_matches |= absl::EqualsIgnoreCase(t, "classic");
  std::vector<eddy::v1::ListedGroup> listed;
  if (!type_matches) return listed;
  for (const auto& [id, group] : groups_) {
    if (group->state == GroupState::kDead) continue;
    const std::string_view state = GroupStateName(group->state);
    bool state_matches = request.states_filter().empty();
    for (const auto& s : request.states_filter()) {
      state_matches |= absl::EqualsIgnoreCase(s, absl::string_view(state.data(), state.size()));
    }
    if (!state_matches) continue;
    auto& out = listed.emplace_back();
    out.set_group_id(id);
    out.set_protocol_type(group->protocol_type.value_or(""));
    out.set_group_state(std::string(state));
  }
  std::sort(listed.begin(), listed.end(),
            [](const auto& a, const auto& b) { return a.group_id() < b.group_id(); });
  return listed;
}

std::vector<GroupSnapshot> GroupCoordinator::Snapshot() const {
  std::vector<GroupSnapshot> out;
  out.reserve(groups_.size());
  for (const auto& [id, group] : groups_) {
    GroupSnapshot s{
        id, group->state, group->generation, static_cast<int>(group->members.size()), {}};
    for (const auto& [tp, offset] : group->offsets) s.committed[tp] = offset.offset;
    out.push_back(std::move(s));
  }
  return out;
}

ErrorCode StorageErrorToKafka(const absl::Status& status, bool offset_commit) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return ErrorCode::kNone;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return ErrorCode::kCoordinatorNotAvailable;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAborted:
      return ErrorCode::kNotCoordinator;
    case absl::StatusCode::kResourceExhausted:
      return offset_commit ? ErrorCode::kInvalidCommitOffsetSize : ErrorCode::kUnknownServerError;
    default:
      return ErrorCode::kUnknownServerError;
  }
}

}  // namespace eddy::coordinator
