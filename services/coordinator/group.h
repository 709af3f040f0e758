// Group is one classic consumer group's in-memory state on its coordinator shard: the state
// machine's current state, the generation, the members with their protocols, assignments and
// pending responses, the committed offsets, and the deadlines the shard's Tick() enforces. It
// holds data and the small rules that only read it (protocol selection, membership counts); the
// transitions live in GroupCoordinator, which owns every Group.
//
// States as Kafka's GroupState (group-coordinator ClassicGroupState):
//   Empty ─join─▶ PreparingRebalance ─all joined / rebalance timeout─▶ CompletingRebalance
//   CompletingRebalance ─leader's SyncGroup persisted─▶ Stable
//   Stable / CompletingRebalance ─join with new metadata, leave, expiry─▶ PreparingRebalance
//   PreparingRebalance ─nobody left─▶ Empty;  Empty (no offsets) ─delete / expiry─▶ Dead
// Invariant: a member's pending join response exists only in PreparingRebalance; pending sync
// responses only in CompletingRebalance; every pending response is answered exactly once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "libs/common/strong_id.h"
#include "proto/eddy/v1/coordinator.pb.h"

namespace eddy::coordinator {

enum class GroupState { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable, kDead };

// GroupStateName is Kafka's spelling ("PreparingRebalance", ...), used by DescribeGroups and
// ListGroups.
std::string_view GroupStateName(GroupState state);

using JoinCallback = std::function<void(eddy::v1::JoinGroupResponse)>;
using SyncCallback = std::function<void(eddy::v1::SyncGroupResponse)>;

struct Protocol {
  std::string name;
  std::string metadata;
};

struct Member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  std::string protocol_type;
  std::vector<Protocol> protocols;  // in the member's order of preference
  std::string assignment;
  // is_new: joined in the current rebalance and has not received a join response yet; such a
  // member expires after the new-member join timeout (KIP-394) rather than its session.
  bool is_new = false;
  absl::Time heartbeat_deadline = absl::InfiniteFuture();
  JoinCallback awaiting_join;
  SyncCallback awaiting_sync;

  bool IsStatic() const { return group_instance_id.has_value(); }
  // Metadata returns the member's metadata for `protocol` (empty when it does not support it).
  std::string Metadata(std::string_view protocol) const;
  // Matches says whether `protocols` equal the member's (names, order and metadata), so a rejoin
  // with unchanged metadata need not rebalance.
  bool Matches(const std::vector<Protocol>& protocols) const;
};

struct CommittedOffset {
  Offset offset{-1};
  LeaderEpoch leader_epoch{-1};  // -1: unknown
  std::string metadata;
  absl::Time commit_time;
  std::optional<absl::Time> expire_time;  // set only by commits that asked for a retention
};

using TopicPartitionKey = std::pair<std::string, int32_t>;

struct Group {
  explicit Group(std::string id) : group_id(std::move(id)) {}

  std::string group_id;
  GroupState state = GroupState::kEmpty;
  GenerationId generation{0};
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::optional<std::string> leader_id;
  absl::Time current_state_time;  // InfinitePast: unknown (loaded from a v0/v1 record)
  std::map<std::string, Member> members;
  // Members that got MEMBER_ID_REQUIRED and have until the deadline to join with their id.
  std::map<std::string, absl::Time> pending_members;
  // Members that received a join response but have not sent SyncGroup yet.
  std::set<std::string> pending_sync_members;
  std::map<std::string, std::string> static_members;  // group.instance.id → member id
  // Topics the members subscribe to (consumer protocol); nullopt when unknown, which counts as
  // subscribed to everything.
  std::optional<std::set<std::string>> subscribed_topics;

  // The rebalance's join phase ends at join_deadline (DelayedJoin / InitialDelayedJoin).
  std::optional<absl::Time> join_deadline;
  bool initial_delay = false;  // the join phase is group.initial.rebalance.delay.ms
  bool new_member_added = false;
  absl::Duration initial_delay_remaining;
  // Members in pending_sync_members are removed at sync_deadline.
  std::optional<absl::Time> sync_deadline;

  std::map<TopicPartitionKey, CommittedOffset> offsets;
  // Commits appended but not yet acknowledged, per partition; a deletion clears them so a late
  // acknowledgement does not resurrect a deleted offset.
  std::map<TopicPartitionKey, int> pending_commits;

  bool Has(const std::string& member_id) const { return members.contains(member_id); }
  bool IsLeader(const std::string& member_id) const { return leader_id == member_id; }
  int NumAwaitingJoin() const;
  bool HasAllMembersJoined() const;
  int32_t RebalanceTimeoutMs() const;  // the largest member rebalance timeout
  // StaticMemberFenced: `instance_id` belongs to a member other than `member_id`.
  bool StaticMemberFenced(const std::optional<std::string>& instance_id,
                          const std::string& member_id) const;
  // SupportsProtocols: a member with these protocols may join (Kafka's supportsProtocols): the
  // type matches and, for a non-empty group, one of them is supported by every member.
  bool SupportsProtocols(const std::string& type, const std::vector<Protocol>& protocols) const;
  // SelectProtocol: among the protocols every member supports, the one most members list first
  // among those candidates (Kafka's vote); ties go to the lexicographically smallest name.
  // REQUIRES: members non-empty and sharing a protocol.
  std::string SelectProtocol() const;
  bool IsSubscribedToTopic(const std::string& topic) const;
  bool IsConsumerGroup() const { return protocol_type == "consumer"; }
  bool HasOffsets() const { return !offsets.empty() || !pending_commits.empty(); }
};

}  // namespace eddy::coordinator
