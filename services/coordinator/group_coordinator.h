// GroupCoordinator is one __consumer_offsets shard's classic group coordinator: Kafka's group
// membership protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, static membership with
// group.instance.id, KIP-394 member ids, KIP-345 static members, KIP-814 skip-assignment) and
// committed offsets (OffsetCommit, OffsetFetch, OffsetDelete, DeleteGroups, retention), with
// Kafka's error codes (GroupCoordinator.scala / group-coordinator GroupMetadataManager, 3.x).
//
// It is a deterministic core: no threads, sockets or wall clock. Requests come in as calls,
// time as Tick() on an injected Clock, and answers go out through callbacks, so a JoinGroup can
// wait for the rest of the group without a thread. Every state change a client is told about is
// first appended to the shard's GroupLog and answered once acknowledged; Load() replays the log.
// Cooperative rebalancing (KIP-429) needs nothing protocol-specific here: members rejoin with
// their owned partitions inside the opaque subscription and the group rebalances as any other.
//
// Thread-safety: none; the shard's executor calls every method, and GroupLog completions must be
// delivered on the same executor. Response callbacks run on it too and must not call back into
// the coordinator. Destroying the coordinator (shard unload) answers every waiting JoinGroup and
// SyncGroup with NOT_COORDINATOR; appends that complete afterwards answer NOT_COORDINATOR.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "libs/kafka/partitioner.h"
#include "libs/kafka/error_codes.h"
#include "proto/eddy/v1/coordinator.pb.h"
#include "services/coordinator/group.h"
#include "services/coordinator/group_log.h"

namespace eddy::coordinator {

// GroupConfig: the broker settings Kafka's group coordinator reads, with Kafka's defaults.
struct GroupConfig {
  absl::Duration min_session_timeout = absl::Seconds(6);      // group.min.session.timeout.ms
  absl::Duration max_session_timeout = absl::Minutes(30);     // group.max.session.timeout.ms
  absl::Duration initial_rebalance_delay = absl::Seconds(3);  // group.initial.rebalance.delay.ms
  int32_t max_size = 2147483647;                              // group.max.size
  absl::Duration new_member_join_timeout = absl::Minutes(5);  // KIP-394, not configurable
  absl::Duration offsets_retention = absl::Hours(24 * 7);     // offsets.retention.minutes
  absl::Duration offsets_retention_check_interval = absl::Minutes(10);
  int32_t offset_metadata_max_bytes = 4096;  // offset.metadata.max.bytes
};

using HeartbeatCallback = std::function<void(eddy::v1::GroupHeartbeatResponse)>;
using LeaveCallback = std::function<void(eddy::v1::LeaveGroupResponse)>;
using OffsetCommitCallback = std::function<void(eddy::v1::OffsetCommitResponse)>;
using OffsetDeleteCallback = std::function<void(eddy::v1::OffsetDeleteResponse)>;
using DeleteGroupsCallback = std::function<void(eddy::v1::DeleteGroupsResponse)>;

// GroupObserver receives events for metrics; every method has an empty default.
class GroupObserver {
 public:
  virtual ~GroupObserver() = default;
  // A rebalance ended in a new generation: `duration` from entering PreparingRebalance.
  virtual void OnRebalanceCompleted(const std::string& /*group_id*/, absl::Duration /*duration*/) {}
  virtual void OnGroupRemoved(const std::string& /*group_id*/) {}
};

// GroupSnapshot is what metrics read of a group.
struct GroupSnapshot {
  std::string group_id;
  GroupState state;
  GenerationId generation;
  int members;
  std::map<TopicPartitionKey, Offset> committed;
};

class GroupCoordinator {
 public:
  GroupCoordinator(GroupConfig config, GroupLog& log, common::Clock& clock,
                   GroupObserver* observer = nullptr);
  ~GroupCoordinator();
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  // Load replays the log into an empty coordinator. Groups with members come back Stable with
  // their generation and assignments; their members must heartbeat within the session timeout.
  absl::Status Load();
  // Load(records) replays records already read from the log (a shard set reads the broker log
  // off the shard's thread, so the shard's other work is not held up by the fetches).
  absl::Status Load(std::span<const GroupLogRecord> records);

  void JoinGroup(const eddy::v1::JoinGroupRequest& request, JoinCallback done);
  void SyncGroup(const eddy::v1::SyncGroupRequest& request, SyncCallback done);
  void Heartbeat(const eddy::v1::GroupHeartbeatRequest& request, HeartbeatCallback done);
  void LeaveGroup(const eddy::v1::LeaveGroupRequest& request, LeaveCallback done);

  void OffsetCommit(const eddy::v1::OffsetCommitRequest& request, OffsetCommitCallback done);
  eddy::v1::OffsetFetchResponse OffsetFetch(const eddy::v1::OffsetFetchRequest& request) const;
  void OffsetDelete(const eddy::v1::OffsetDeleteRequest& request, OffsetDeleteCallback done);
  void DeleteGroups(const eddy::v1::DeleteGroupsRequest& request, DeleteGroupsCallback done);
  eddy::v1::DescribedGroup DescribeGroup(const std::string& group_id) const;
  std::vector<eddy::v1::ListedGroup> ListGroups(const eddy::v1::ListGroupsRequest& request) const;

  // Tick fires what is due at the clock's now: ends join phases (rebalance timeout, initial
  // delay), expires sessions, pending members and pending syncs, and expires offsets.
  void Tick();

  std::vector<GroupSnapshot> Snapshot() const;
  const Group* FindGroup(const std::string& group_id) const;

 private:
  Group* Find(const std::string& group_id);
  Group& GetOrCreate(const std::string& group_id);
  absl::Time Now() const { return clock_.Now(); }

  // Joining and rebalancing (group_join.cc); syncing, heartbeats and leaving
  // (group_membership.cc).
  void JoinUnknownMember(Group& group, const eddy::v1::JoinGroupRequest& request,
                         std::vector<Protocol> protocols, JoinCallback done);
  void JoinKnownMember(Group& group, const eddy::v1::JoinGroupRequest& request,
                       std::vector<Protocol> protocols, JoinCallback done);
  void JoinStaticMember(Group& group, const eddy::v1::JoinGroupRequest& request,
                        std::vector<Protocol> protocols, std::string new_member_id,
                        JoinCallback done);
  void AddMemberAndRebalance(Group& group, const eddy::v1::JoinGroupRequest& request,
                             std::vector<Protocol> protocols, std::string member_id,
                             JoinCallback done);
  void UpdateMemberAndRebalance(Group& group, Member& member,
                                const eddy::v1::JoinGroupRequest& request,
                                std::vector<Protocol> protocols, JoinCallback done);
  bool AcceptJoiningMember(const Group& group, const std::string& member_id) const;
  void MaybePrepareRebalance(Group& group, std::string_view reason);
  void PrepareRebalance(Group& group, std::string_view reason);
  void MaybeCompleteJoin(Group& group);
  void CompleteJoin(Group& group);
  void InitNextGeneration(Group& group);
  void RemoveMember(Group& group, const std::string& member_id, kafka::ErrorCode answer);
  void RemoveMemberAndUpdateGroup(Group& group, const std::string& member_id,
                                  std::string_view reason);
  void RemovePendingMember(Group& group, const std::string& member_id);
  void ScheduleHeartbeat(Member& member);
  void ResetAndPropagateAssignmentError(Group& group, kafka::ErrorCode error);
  // StoreGroup appends the group's metadata record (members with their current assignments);
  // `done` gets the coordinator (nullptr if it was destroyed meanwhile) and the Kafka error.
  void StoreGroup(const Group& group,
                  std::function<void(GroupCoordinator*, kafka::ErrorCode)> done);
  // AppendRecords appends to the log; `done` gets the coordinator (nullptr if destroyed).
  void AppendRecords(std::vector<GroupLogRecord> records,
                     std::function<void(GroupCoordinator*, absl::Status)> done);
  eddy::v1::JoinGroupResponse JoinResponseFor(const Group& group, const Member& member) const;
  void TransitionTo(Group& group, GroupState state);

  // Offsets (group_offsets.cc).
  void StoreOffsets(Group& group, const eddy::v1::OffsetCommitRequest& request,
                    OffsetCommitCallback done);
  // CleanupGroup writes tombstones for `removed` offsets, and for the group when it is Empty
  // with no offsets left (it becomes Dead), then calls `done`.
  void CleanupGroup(Group& group, const std::vector<TopicPartitionKey>& removed,
                    std::function<void(kafka::ErrorCode)> done);
  void RemoveGroup(std::string group_id);  // by value: it may be the removed group's own id
  void ExpireOffsets();

  // Timers (group_coordinator.cc).
  void TickGroup(Group& group, absl::Time now);

  // Replay (group_coordinator.cc).
  using RecordVisitor = std::function<void(const GroupLogRecord&)>;
  absl::Status Replay(const std::function<absl::Status(const RecordVisitor&)>& read);

  GroupConfig config_;
  GroupLog& log_;
  common::Clock& clock_;
  GroupObserver* observer_;
  absl::flat_hash_map<std::string, std::unique_ptr<Group>> groups_;
  absl::flat_hash_map<std::string, absl::Time> rebalance_started_;
  absl::Time next_offsets_expiry_;
  // Completions of appends that arrive after the coordinator is gone answer NOT_COORDINATOR.
  std::shared_ptr<GroupCoordinator*> alive_ = std::make_shared<GroupCoordinator*>(this);
};

// StorageErrorToKafka maps a GroupLog failure to the code Kafka answers for group writes
// (GroupMetadataManager.storeGroup): unavailable/timeout → COORDINATOR_NOT_AVAILABLE, lost
// leadership → NOT_COORDINATOR, too large → UNKNOWN_SERVER_ERROR (INVALID_COMMIT_OFFSET_SIZE for
// offset commits).
kafka::ErrorCode StorageErrorToKafka(const absl::Status& status, bool offset_commit);

// GroupShard (libs/kafka/partitioner.h) is the __consumer_offsets partition of a group.
using kafka::GroupShard;

}  // namespace eddy::coordinator
