// The offsets half of GroupCoordinator: OffsetCommit, OffsetFetch, OffsetDelete, DeleteGroups
// and offset retention (Kafka 3.x GroupCoordinator.handleCommitOffsets / handleDeleteOffsets /
// handleDeleteGroups, GroupMetadataManager.storeOffsets / cleanupGroupMetadata, KIP-211 and
// KIP-496 expiration).
#include <memory>

#include "services/coordinator/group_coordinator.h"
#include "services/coordinator/internal/responses.h"
#include "spdlog/spdlog.h"

namespace eddy::coordinator {

using internal::Code;
using kafka::ErrorCode;

namespace {

int64_t ToMillis(absl::Time t) { return absl::ToUnixMillis(t); }

TopicPartitionKey KeyOf(const eddy::v1::TopicPartition& tp) { return {tp.topic(), tp.partition()}; }

eddy::v1::OffsetCommitResponse CommitErrors(const eddy::v1::OffsetCommitRequest& request,
                                            ErrorCode code) {
  eddy::v1::OffsetCommitResponse response;
  for (const auto& p : request.partitions()) {
    auto* r = response.add_results();
    *r->mutable_partition() = p.partition();
    r->set_error_code(Code(code));
  }
  return response;
}

GroupLogRecord OffsetTombstone(const std::string& group_id, const TopicPartitionKey& tp) {
  return {EncodeKey(OffsetCommitKey{group_id, tp.first, tp.second}), std::nullopt};
}

}  // namespace

void GroupCoordinator::OffsetCommit(const eddy::v1::OffsetCommitRequest& request,
                                    OffsetCommitCallback done) {
  Group* group = Find(request.group_id());
  const int32_t generation = request.generation_id();
  if (group == nullptr) {
    // A commit with generation < 0 comes from a consumer that manages its own partitions
    // (assign()) and uses the coordinator only to store offsets; anything else is stale.
    if (generation >= 0) return done(CommitErrors(request, ErrorCode::kIllegalGeneration));
    group = &GetOrCreate(request.group_id());
  }
  if (group->state == GroupState::kDead) {
    return done(CommitErrors(request, ErrorCode::kCoordinatorNotAvailable));
  }
  const std::optional<std::string> instance_id =
      request.group_instance_id().empty() ? std::nullopt
                                          : std::optional<std::string>(request.group_instance_id());
  if (generation >= 0 || !request.member_id().empty() || instance_id) {
    if (group->StaticMemberFenced(instance_id, request.member_id())) {
      return done(CommitErrors(request, ErrorCode::kFencedInstanceId));
    }
    if (!group->Has(request.member_id())) {
      return done(CommitErrors(request, ErrorCode::kUnknownMemberId));
    }
    if (GenerationId(generation) != group->generation) {
      return done(CommitErrors(request, ErrorCode::kIllegalGeneration));
    }
  } else if (group->state != GroupState::kEmpty) {
    // Only members may commit to a group that has members.
    return done(CommitErrors(request, ErrorCode::kUnknownMemberId));
  }
  if (group->state == GroupState::kCompletingRebalance) {
    // The member holds the new generation but not yet its assignment.
    return done(CommitErrors(request, ErrorCode::kRebalanceInProgress));
  }
  auto member = group->members.find(request.member_id());
  if (member != group->members.end()) ScheduleHeartbeat(member->second);
  StoreOffsets(*group, request, std::move(done));
}

void GroupCoordinator::StoreOffsets(Group& group, const eddy::v1::OffsetCommitRequest& request,
                                    OffsetCommitCallback done) {
  const absl::Time now = Now();
  std::optional<absl::Time> expire;
  if (request.retention_time_ms() > 0) {
    expire = now + absl::Milliseconds(request.retention_time_ms());
  }
  // results[i] answers request.partitions(i); kept entries are appended and applied on ack.
  auto response = std::make_shared<eddy::v1::OffsetCommitResponse>();
  struct Kept {
    int index;
    TopicPartitionKey tp;
    CommittedOffset offset;
  };
  auto kept = std::make_shared<std::vector<Kept>>();
  std::vector<GroupLogRecord> records;
  for (int i = 0; i < request.partitions_size(); ++i) {
    const auto& p = request.partitions(i);
    auto* r = response->add_results();
    *r->mutable_partition() = p.partition();
    if (static_cast<int64_t>(p.metadata().size()) > config_.offset_metadata_max_bytes) {
      r->set_error_code(Code(ErrorCode::kOffsetMetadataTooLarge));
      continue;
    }
    CommittedOffset offset{Offset(p.committed_offset()), LeaderEpoch(p.committed_leader_epoch()),
                           p.metadata(), now, expire};
    OffsetCommitValue value{p.committed_offset(), p.committed_leader_epoch(),      p.metadata(),
                            ToMillis(now),        expire ? ToMillis(*expire) : -1, {}};
    auto encoded = EncodeOffsetCommitValue(value);
    if (!encoded.ok()) {
      r->set_error_code(Code(ErrorCode::kInvalidCommitOffsetSize));
      continue;
    }
    const TopicPartitionKey tp = KeyOf(p.partition());
    records.push_back(
        {EncodeKey(OffsetCommitKey{group.group_id, tp.first, tp.second}), *std::move(encoded)});
    ++group.pending_commits[tp];
    kept->push_back({i, tp, std::move(offset)});
  }
  if (records.empty()) return done(std::move(*response));
  AppendRecords(std::move(records), [group_id = group.group_id, response, kept,
                                     done = std::move(done)](GroupCoordinator* self,
                                                             absl::Status status) {
    Group* g = self == nullptr ? nullptr : self->Find(group_id);
    const ErrorCode error = self == nullptr ? ErrorCode::kNotCoordinator
                                            : StorageErrorToKafka(status, /*offset_commit=*/true);
    for (Kept& k : *kept) {
      response->mutable_results(k.index)->set_error_code(Code(error));
      if (g == nullptr) continue;
      auto pending = g->pending_commits.find(k.tp);
      // No pending entry: the offset was deleted after this commit was appended.
      if (pending == g->pending_commits.end()) continue;
      if (--pending->second == 0) g->pending_commits.erase(pending);
      if (error == ErrorCode::kNone) g->offsets[k.tp] = std::move(k.offset);
    }
    done(std::move(*response));
  });
}

eddy::v1::OffsetFetchResponse GroupCoordinator::OffsetFetch(
    const eddy::v1::OffsetFetchRequest& request) const {
  auto fetch = [this](const std::string& group_id,
                      const google::protobuf::RepeatedPtrField<eddy::v1::TopicPartition>& wanted,
                      google::protobuf::RepeatedPtrField<eddy::v1::OffsetFetchPartition>* out) {
    const Group* group = FindGroup(group_id);
    if (group != nullptr && group->state == GroupState::kDead) group = nullptr;
    auto add = [out](const TopicPartitionKey& tp, const CommittedOffset* offset) {
      auto* p = out->Add();
      p->mutable_partition()->set_topic(tp.first);
      p->mutable_partition()->set_partition(tp.second);
      p->set_committed_offset(offset ? offset->offset.value() : -1);
      p->set_committed_leader_epoch(offset ? offset->leader_epoch.value() : -1);
      p->set_metadata(offset ? offset->metadata : "");
      p->set_error_code(Code(ErrorCode::kNone));
    };
    if (wanted.empty()) {
      if (group != nullptr) {
        for (const auto& [tp, offset] : group->offsets) add(tp, &offset);
      }
      return;
    }
    for (const auto& tp : wanted) {
      const TopicPartitionKey key = KeyOf(tp);
      const CommittedOffset* offset = nullptr;
      if (group != nullptr) {
        auto it = group->offsets.find(key);
        if (it != group->offsets.end()) offset = &it->second;
      }
      add(key, offset);
    }
  };
  eddy::v1::OffsetFetchResponse response;
  response.set_error_code(Code(ErrorCode::kNone));
  if (request.groups_size() > 0) {
    for (const auto& g : request.groups()) {
      auto* result = response.add_groups();
      result->set_group_id(g.group_id());
      result->set_error_code(Code(ErrorCode::kNone));
      fetch(g.group_id(), g.partitions(), result->mutable_partitions());
    }
  } else {
    fetch(request.group_id(), request.partitions(), response.mutable_partitions());
  }
  return response;
}

void GroupCoordinator::OffsetDelete(const eddy::v1::OffsetDeleteRequest& request,
                                    OffsetDeleteCallback done) {
  eddy::v1::OffsetDeleteResponse response;
  if (request.group_id().empty()) {
    response.set_error_code(Code(ErrorCode::kInvalidGroupId));
    return done(std::move(response));
  }
  Group* group = Find(request.group_id());
  if (group == nullptr || group->state == GroupState::kDead) {
    response.set_error_code(Code(ErrorCode::kGroupIdNotFound));
    return done(std::move(response));
  }
  const bool empty = group->state == GroupState::kEmpty;
  if (!empty && !group->IsConsumerGroup()) {
    response.set_error_code(Code(ErrorCode::kNonEmptyGroup));
    return done(std::move(response));
  }
  response.set_error_code(Code(ErrorCode::kNone));
  std::vector<TopicPartitionKey> removed;
  std::vector<int> eligible;
  for (int i = 0; i < request.partitions_size(); ++i) {
    const auto& tp = request.partitions(i);
    auto* r = response.add_results();
    *r->mutable_partition() = tp;
    if (!empty && group->IsSubscribedToTopic(tp.topic())) {
      r->set_error_code(Code(ErrorCode::kGroupSubscribedToTopic));
      continue;
    }
    r->set_error_code(Code(ErrorCode::kNone));
    eligible.push_back(i);
    const TopicPartitionKey key = KeyOf(tp);
    // A commit still in flight is in the log before our tombstone, so it needs one too.
    const bool pending = group->pending_commits.erase(key) > 0;
    if (group->offsets.erase(key) > 0 || pending) removed.push_back(key);
  }
  // The deletion is applied at once (a later commit then wins, as in the log's order); a failed
  // tombstone write is reported so the client can retry.
  CleanupGroup(*group, removed,
               [response = std::move(response), eligible = std::move(eligible),
                done = std::move(done)](ErrorCode error) mutable {
                 for (int i : eligible) response.mutable_results(i)->set_error_code(Code(error));
                 done(std::move(response));
               });
}

void GroupCoordinator::DeleteGroups(const eddy::v1::DeleteGroupsRequest& request,
                                    DeleteGroupsCallback done) {
  struct Pending {
    eddy::v1::DeleteGroupsResponse response;
    int outstanding = 1;
    DeleteGroupsCallback done;
    void Finish() {
      if (--outstanding == 0) done(std::move(response));
    }
  };
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  for (int i = 0; i < request.group_ids_size(); ++i) {
    const std::string& group_id = request.group_ids(i);
    auto* result = pending->response.add_results();
    result->set_group_id(group_id);
    Group* group = Find(group_id);
    if (group == nullptr || group->state == GroupState::kDead) {
      result->set_error_code(Code(ErrorCode::kGroupIdNotFound));
      continue;
    }
    if (group->state != GroupState::kEmpty) {
      result->set_error_code(Code(ErrorCode::kNonEmptyGroup));
      continue;
    }
    std::vector<TopicPartitionKey> removed;
    for (const auto& [tp, offset] : group->offsets) removed.push_back(tp);
    for (const auto& [tp, count] : group->pending_commits) {
      if (!group->offsets.contains(tp)) removed.push_back(tp);
    }
    group->offsets.clear();
    group->pending_commits.clear();
    ++pending->outstanding;
    CleanupGroup(*group, removed, [pending, i](ErrorCode error) {
      pending->response.mutable_results(i)->set_error_code(Code(error));
      pending->Finish();
    });
  }
  pending->Finish();
}

void GroupCoordinator::CleanupGroup(Group& group, const std::vector<TopicPartitionKey>& removed,
                                    std::function<void(ErrorCode)> done) {
  std::vector<GroupLogRecord> records;
  for (const TopicPartitionKey& tp : removed)
    records.push_back(OffsetTombstone(group.group_id, tp));
  if (group.state == GroupState::kEmpty && !group.HasOffsets()) {
    // An empty group with nothing committed is gone: Dead, and a tombstone for its metadata.
    records.push_back({EncodeKey(GroupMetadataKey{group.group_id}), std::nullopt});
    TransitionTo(group, GroupState::kDead);
    RemoveGroup(group.group_id);
  }
  if (records.empty()) return done(ErrorCode::kNone);
  AppendRecords(std::move(records),
                [done = std::move(done)](GroupCoordinator* self, absl::Status status) {
                  done(self == nullptr ? ErrorCode::kNotCoordinator
                                       : StorageErrorToKafka(status, /*offset_commit=*/false));
                });
}

void GroupCoordinator::ExpireOffsets() {
  const absl::Time now = Now();
  const absl::Duration retention = config_.offsets_retention;
  std::vector<std::string> ids;
  for (const auto& [id, g] : groups_) ids.push_back(id);
  for (const std::string& id : ids) {
    Group* group = Find(id);
    if (group == nullptr) continue;
    // Which offsets may expire, and from when (KIP-211, KIP-496).
    const std::set<std::string>* keep_topics = nullptr;
    bool from_state_change = false;
    if (group->protocol_type && group->state == GroupState::kEmpty) {
      from_state_change = true;
    } else if (group->IsConsumerGroup() && group->subscribed_topics &&
               group->state == GroupState::kStable) {
      keep_topics = &*group->subscribed_topics;
    } else if (group->protocol_type) {
      continue;
    }
    std::vector<TopicPartitionKey> expired;
    for (const auto& [tp, offset] : group->offsets) {
      if (keep_topics != nullptr && keep_topics->contains(tp.first)) continue;
      if (group->pending_commits.contains(tp)) continue;
      bool due;
      if (offset.expire_time) {
        due = now >= *offset.expire_time;
      } else {
        absl::Time base = offset.commit_time;
        if (from_state_change && group->current_state_time != absl::InfinitePast()) {
          base = group->current_state_time;
        }
        due = now - base >= retention;
      }
      if (due) expired.push_back(tp);
    }
    for (const TopicPartitionKey& tp : expired) group->offsets.erase(tp);
    if (expired.empty() && !(group->state == GroupState::kEmpty && !group->HasOffsets())) {
      continue;
    }
    spdlog::info("group {}: {} committed offsets expired", id, expired.size());
    CleanupGroup(*group, expired, [id](ErrorCode error) {
      if (error != ErrorCode::kNone) {
        spdlog::warn("group {}: writing expiry tombstones failed: {}", id, static_cast<int>(error));
      }
    });
  }
}

}  // namespace eddy::coordinator
