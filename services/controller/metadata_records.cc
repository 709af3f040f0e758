#include "services/controller/metadata_records.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace eddy::controller {

eddy::v1::TopicId TopicIdToProto(const common::Uuid& id) {
  eddy::v1::TopicId out;
  out.set_value(std::string(id.bytes().begin(), id.bytes().end()));
  return out;
}

absl::StatusOr<common::Uuid> TopicIdFromProto(const eddy::v1::TopicId& id) {
  if (id.value().size() != 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("topic id must be 16 bytes, got ", id.value().size()));
  }
  std::array<uint8_t, 16> bytes;
  std::copy(id.value().begin(), id.value().end(), bytes.begin());
  return common::Uuid::FromBytes(bytes);
}

std::vector<BrokerId> BrokerIdsFromProto(const google::protobuf::RepeatedField<int32_t>& ids) {
  std::vector<BrokerId> out;
  out.reserve(ids.size());
  for (int32_t id : ids) out.emplace_back(id);
  return out;
}

void BrokerIdsToProto(const std::vector<BrokerId>& ids,
                      google::protobuf::RepeatedField<int32_t>* out) {
  out->Clear();
  out->Reserve(static_cast<int>(ids.size()));
  for (BrokerId id : ids) out->Add(id.value());
}

eddy::v1::BrokerIdList BrokerIdListToProto(const std::vector<BrokerId>& ids) {
  eddy::v1::BrokerIdList out;
  BrokerIdsToProto(ids, out.mutable_ids());
  return out;
}

bool Contains(const std::vector<BrokerId>& ids, BrokerId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string FormatBrokerIds(const std::vector<BrokerId>& ids) {
  return absl::StrCat(
      "[",
      absl::StrJoin(ids, ", ",
                    [](std::string* out, BrokerId id) { absl::StrAppend(out, id.value()); }),
      "]");
}

eddy::v1::PartitionRecord PartitionToRecord(const common::Uuid& topic_id, int32_t partition,
                                            const PartitionState& state) {
  eddy::v1::PartitionRecord record;
  *record.mutable_topic_id() = TopicIdToProto(topic_id);
  record.set_partition(partition);
  BrokerIdsToProto(state.replicas, record.mutable_replicas());
  BrokerIdsToProto(state.isr, record.mutable_isr());
  BrokerIdsToProto(state.elr, record.mutable_eligible_leader_replicas());
  BrokerIdsToProto(state.last_known_elr, record.mutable_last_known_elr());
  record.set_leader(state.leader.value());
  record.set_leader_epoch(state.leader_epoch.value());
  record.set_partition_epoch(state.partition_epoch.value());
  return record;
}

PartitionState PartitionFromRecord(const eddy::v1::PartitionRecord& record) {
  PartitionState state;
  state.replicas = BrokerIdsFromProto(record.replicas());
  state.isr = BrokerIdsFromProto(record.isr());
  state.elr = BrokerIdsFromProto(record.eligible_leader_replicas());
  state.last_known_elr = BrokerIdsFromProto(record.last_known_elr());
  state.leader = BrokerId(record.leader());
  state.leader_epoch = LeaderEpoch(record.leader_epoch());
  state.partition_epoch = PartitionEpoch(record.partition_epoch());
  return state;
}

#define EDDY_CONTROLLER_DEFINE_WRAP(Type, field)         \
  eddy::v1::MetadataRecord Wrap(eddy::v1::Type record) { \
    eddy::v1::MetadataRecord out;                        \
    out.set_version(kMetadataRecordVersion);             \
    *out.mutable_##field() = std::move(record);          \
    return out;                                          \
  }

EDDY_CONTROLLER_DEFINE_WRAP(RegisterBrokerRecord, register_broker)
EDDY_CONTROLLER_DEFINE_WRAP(UnregisterBrokerRecord, unregister_broker)
EDDY_CONTROLLER_DEFINE_WRAP(FenceBrokerRecord, fence_broker)
EDDY_CONTROLLER_DEFINE_WRAP(UnfenceBrokerRecord, unfence_broker)
EDDY_CONTROLLER_DEFINE_WRAP(BrokerControlledShutdownRecord, controlled_shutdown)
EDDY_CONTROLLER_DEFINE_WRAP(TopicRecord, topic)
EDDY_CONTROLLER_DEFINE_WRAP(PartitionRecord, partition)
EDDY_CONTROLLER_DEFINE_WRAP(PartitionChangeRecord, partition_change)
EDDY_CONTROLLER_DEFINE_WRAP(RemoveTopicRecord, remove_topic)
EDDY_CONTROLLER_DEFINE_WRAP(ConfigRecord, config)
EDDY_CONTROLLER_DEFINE_WRAP(ProducerIdsRecord, producer_ids)
EDDY_CONTROLLER_DEFINE_WRAP(CoordinatorShardRecord, coordinator_shard)
EDDY_CONTROLLER_DEFINE_WRAP(AccessControlEntryRecord, acl)
EDDY_CONTROLLER_DEFINE_WRAP(RemoveAccessControlEntryRecord, remove_acl)
EDDY_CONTROLLER_DEFINE_WRAP(UserScramCredentialRecord, scram_credential)
EDDY_CONTROLLER_DEFINE_WRAP(RemoveUserScramCredentialRecord, remove_scram_credential)
EDDY_CONTROLLER_DEFINE_WRAP(LeaderChangeRecord, leader_change)
EDDY_CONTROLLER_DEFINE_WRAP(ClusterIdRecord, cluster_id)

#undef EDDY_CONTROLLER_DEFINE_WRAP

}  // namespace eddy::controller
