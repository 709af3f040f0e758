#include "services/controller/metadata_watch.h"

#include "services/controller/metadata_records.h"
#include "services/controller/topic_configs.h"
#include "services/controller/topic_names.h"

namespace eddy::controller {
namespace {

eddy::v1::MemberStatus MemberOf(const eddy::v1::BrokerRegistration& broker) {
  eddy::v1::MemberStatus m;
  m.set_role(eddy::v1::MEMBER_ROLE_BROKER);
  m.set_member_id(broker.broker_id());
  m.set_incarnation_id(broker.incarnation_id());
  m.set_member_epoch(broker.broker_epoch());
  m.set_state(broker.fenced()                   ? eddy::v1::MEMBER_STATE_FENCED
              : broker.in_controlled_shutdown() ? eddy::v1::MEMBER_STATE_SHUTTING_DOWN
                                                : eddy::v1::MEMBER_STATE_ACTIVE);
  m.set_rack(broker.rack());
  *m.mutable_endpoints() = broker.endpoints();
  m.set_version(broker.version());
  return m;
}

eddy::v1::TopicMetadata TopicOf(const MetadataImage& image, const TopicState& topic) {
  eddy::v1::TopicMetadata t;
  t.set_name(topic.name);
  *t.mutable_topic_id() = TopicIdToProto(topic.id);
  t.set_internal(IsInternalTopic(topic.name));
  for (const auto& [index, p] : topic.partitions) {
    eddy::v1::PartitionMetadata* pm = t.add_partitions();
    pm->set_partition(index);
    BrokerIdsToProto(p.replicas, pm->mutable_replicas());
    BrokerIdsToProto(p.isr, pm->mutable_isr());
    BrokerIdsToProto(p.elr, pm->mutable_eligible_leader_replicas());
    pm->set_leader(p.leader.value());
    pm->set_leader_epoch(p.leader_epoch.value());
    pm->set_partition_epoch(p.partition_epoch.value());
  }
  for (const ConfigDef& def : TopicConfigDefs()) {
    std::string value = EffectiveTopicConfig(image, topic.name, def.name);
    if (value != def.default_value) (*t.mutable_configs())[std::string(def.name)] = value;
  }
  return t;
}

eddy::v1::CoordinatorShardState ShardOf(const CoordinatorShardKey& key,
                                        const CoordinatorShardOwner& owner) {
  eddy::v1::CoordinatorShardState shard;
  shard.set_coordinator_type(key.type);
  shard.set_shard(key.shard);
  shard.set_owner(owner.owner.value());
  shard.set_epoch(owner.epoch);
  return shard;
}

}  // namespace

eddy::v1::MetadataDelta WatchSnapshot(const MetadataImage& image) {
  eddy::v1::MetadataDelta delta;
  delta.set_offset(image.last_applied_index().value());
  delta.set_snapshot(true);
  for (const auto& [id, broker] : image.brokers()) *delta.add_members() = MemberOf(broker);
  for (const auto& [name, id] : image.topics_by_name()) {
    *delta.add_topics() = TopicOf(image, *image.FindTopic(id));
  }
  for (const auto& [key, owner] : image.coordinator_shards()) {
    *delta.add_coordinator_shards() = ShardOf(key, owner);
  }
  return delta;
}

void WatchDeltaBuilder::Collect(const MetadataImage& before,
                                const eddy::v1::MetadataRecord& record) {
  auto topic_id = [](const eddy::v1::TopicId& id) {
    absl::StatusOr<common::Uuid> uuid = TopicIdFromProto(id);
    return uuid.ok() ? *uuid : common::Uuid();
  };
  switch (record.record_case()) {
    case eddy::v1::MetadataRecord::kRegisterBroker:
      brokers_.insert(BrokerId(record.register_broker().broker_id()));
      break;
    case eddy::v1::MetadataRecord::kUnregisterBroker:
      brokers_.insert(BrokerId(record.unregister_broker().broker_id()));
      break;
    case eddy::v1::MetadataRecord::kFenceBroker:
      brokers_.insert(BrokerId(record.fence_broker().broker_id()));
      break;
    case eddy::v1::MetadataRecord::kUnfenceBroker:
      brokers_.insert(BrokerId(record.unfence_broker().broker_id()));
      break;
    case eddy::v1::MetadataRecord::kControlledShutdown:
      brokers_.insert(BrokerId(record.controlled_shutdown().broker_id()));
      break;
    case eddy::v1::MetadataRecord::kTopic:
      topics_.insert(topic_id(record.topic().topic_id()));
      deleted_topics_.erase(record.topic().name());
      break;
    case eddy::v1::MetadataRecord::kPartition:
      topics_.insert(topic_id(record.partition().topic_id()));
      break;
    case eddy::v1::MetadataRecord::kPartitionChange:
      topics_.insert(topic_id(record.partition_change().topic_id()));
      break;
    case eddy::v1::MetadataRecord::kRemoveTopic: {
      const common::Uuid id = topic_id(record.remove_topic().topic_id());
      if (const TopicState* topic = before.FindTopic(id)) deleted_topics_.insert(topic->name);
      topics_.erase(id);
      break;
    }
    case eddy::v1::MetadataRecord::kConfig: {
      const eddy::v1::ConfigRecord& config = record.config();
      if (config.resource_type() == eddy::v1::CONFIG_RESOURCE_TYPE_CLUSTER) all_topics_ = true;
      if (config.resource_type() == eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC) {
        if (const TopicState* topic = before.FindTopicByName(config.resource_name())) {
          topics_.insert(topic->id);
        }
      }
      break;
    }
    case eddy::v1::MetadataRecord::kCoordinatorShard:
      shards_.insert(CoordinatorShardKey{record.coordinator_shard().coordinator_type(),
                                         record.coordinator_shard().shard()});
      break;
    default:
      // Producer ids, ACLs, credentials and leader changes are not part of
      // the topic/broker metadata a watch carries.
      break;
  }
}

eddy::v1::MetadataDelta WatchDeltaBuilder::Build(const MetadataImage& after, LogIndex index) const {
  eddy::v1::MetadataDelta delta;
  delta.set_offset(index.value());
  for (BrokerId id : brokers_) {
    if (const eddy::v1::BrokerRegistration* broker = after.FindBroker(id)) {
      *delta.add_members() = MemberOf(*broker);
    } else {
      eddy::v1::MemberStatus* gone = delta.add_members();
      gone->set_role(eddy::v1::MEMBER_ROLE_BROKER);
      gone->set_member_id(id.value());
      gone->set_state(eddy::v1::MEMBER_STATE_UNSPECIFIED);
    }
  }
  if (all_topics_) {
    for (const auto& [name, id] : after.topics_by_name()) {
      *delta.add_topics() = TopicOf(after, *after.FindTopic(id));
    }
  } else {
    for (const common::Uuid& id : topics_) {
      if (const TopicState* topic = after.FindTopic(id)) {
        *delta.add_topics() = TopicOf(after, *topic);
      }
    }
  }
  for (const std::string& name : deleted_topics_) {
    if (after.FindTopicByName(name) == nullptr) delta.add_deleted_topics(name);
  }
  for (const CoordinatorShardKey& key : shards_) {
    auto it = after.coordinator_shards().find(key);
    if (it != after.coordinator_shards().end()) {
      *delta.add_coordinator_shards() = ShardOf(key, it->second);
    }
  }
  return delta;
}

}  // namespace eddy::controller
