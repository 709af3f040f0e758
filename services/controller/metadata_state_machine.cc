#include "services/controller/metadata_state_machine.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "libs/common/status_macros.h"
#include "services/controller/metadata_records.h"

namespace eddy::controller {
namespace {

using eddy::v1::MetadataRecord;

absl::Status CheckPartition(const PartitionState& p) {
  std::set<BrokerId> replicas(p.replicas.begin(), p.replicas.end());
  if (p.replicas.empty() || replicas.size() != p.replicas.size()) {
    return absl::FailedPreconditionError(
        absl::StrCat("replicas must be non-empty and distinct: ", FormatBrokerIds(p.replicas)));
  }
  std::set<BrokerId> isr;
  for (BrokerId id : p.isr) {
    if (!replicas.contains(id) || !isr.insert(id).second) {
      return absl::FailedPreconditionError(absl::StrCat("ISR ", FormatBrokerIds(p.isr),
                                                        " is not a set of replicas ",
                                                        FormatBrokerIds(p.replicas)));
    }
  }
  for (BrokerId id : p.elr) {
    if (!replicas.contains(id) || isr.contains(id)) {
      return absl::FailedPreconditionError(
          absl::StrCat("ELR ", FormatBrokerIds(p.elr), " must be replicas outside the ISR"));
    }
  }
  if (p.HasLeader() && !isr.contains(p.leader)) {
    return absl::FailedPreconditionError(
        absl::StrCat("leader ", p.leader.value(), " is not in ISR ", FormatBrokerIds(p.isr)));
  }
  return absl::OkStatus();
}

}  // namespace

// Applier holds one record type's replay logic each; every method validates before it mutates.
struct MetadataStateMachine::Applier {
  MetadataImage& image;
  LogIndex index;

  eddy::v1::BrokerRegistration* Broker(int32_t id) {
    auto it = image.brokers_.find(BrokerId(id));
    return it == image.brokers_.end() ? nullptr : &it->second;
  }

  absl::StatusOr<eddy::v1::BrokerRegistration*> CurrentBroker(int32_t id, int64_t epoch,
                                                              const char* what) {
    eddy::v1::BrokerRegistration* broker = Broker(id);
    if (broker == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(what, " for unregistered broker ", id));
    }
    // A transition decided for an older registration no longer applies to this one.
    return broker->broker_epoch() == epoch ? broker : nullptr;
  }

  absl::Status Register(const eddy::v1::RegisterBrokerRecord& r) {
    if (r.broker_id() < 0) {
      return absl::InvalidArgumentError(absl::StrCat("negative broker id ", r.broker_id()));
    }
    eddy::v1::BrokerRegistration reg;
    reg.set_broker_id(r.broker_id());
    reg.set_incarnation_id(r.incarnation_id());
    reg.set_broker_epoch(index.value());
    reg.set_rack(r.rack());
    *reg.mutable_endpoints() = r.endpoints();
    reg.set_fenced(true);
    reg.set_version(r.version());
    image.brokers_[BrokerId(r.broker_id())] = std::move(reg);
    return absl::OkStatus();
  }

  absl::Status Unregister(const eddy::v1::UnregisterBrokerRecord& r) {
    EDDY_ASSIGN_OR_RETURN(auto* broker,
                          CurrentBroker(r.broker_id(), r.broker_epoch(), "unregister"));
    if (broker != nullptr) image.brokers_.erase(BrokerId(r.broker_id()));
    return absl::OkStatus();
  }

  absl::Status Fence(const eddy::v1::FenceBrokerRecord& r) {
    EDDY_ASSIGN_OR_RETURN(auto* broker, CurrentBroker(r.broker_id(), r.broker_epoch(), "fence"));
    if (broker != nullptr) {
      broker->set_fenced(true);
      broker->set_in_controlled_shutdown(false);
    }
    return absl::OkStatus();
  }

  absl::Status Unfence(const eddy::v1::UnfenceBrokerRecord& r) {
    EDDY_ASSIGN_OR_RETURN(auto* broker, CurrentBroker(r.broker_id(), r.broker_epoch(), "unfence"));
    if (broker != nullptr) broker->set_fenced(false);
    return absl::OkStatus();
  }

  absl::Status ControlledShutdown(const eddy::v1::BrokerControlledShutdownRecord& r) {
    EDDY_ASSIGN_OR_RETURN(auto* broker,
                          CurrentBroker(r.broker_id(), r.broker_epoch(), "controlled shutdown"));
    if (broker != nullptr) broker->set_in_controlled_shutdown(true);
    return absl::OkStatus();
  }

  absl::Status Topic(const eddy::v1::TopicRecord& r) {
    EDDY_ASSIGN_OR_RETURN(common::Uuid id, TopicIdFromProto(r.topic_id()));
    if (id.IsZero() || r.name().empty()) {
      return absl::InvalidArgumentError("topic record needs a name and a non-zero id");
    }
    if (image.topics_.contains(id) || image.topics_by_name_.contains(r.name())) {
      return absl::FailedPreconditionError(
          absl::StrCat("topic ", r.name(), " (", id.ToString(), ") already exists"));
    }
    image.topics_by_name_.emplace(r.name(), id);
    image.topics_.emplace(id, TopicState{.name = r.name(), .id = id, .partitions = {}});
    return absl::OkStatus();
  }

  absl::StatusOr<TopicState*> FindTopic(const eddy::v1::TopicId& proto_id) {
    EDDY_ASSIGN_OR_RETURN(common::Uuid id, TopicIdFromProto(proto_id));
    auto it = image.topics_.find(id);
    if (it == image.topics_.end()) {
      return absl::FailedPreconditionError(absl::StrCat("unknown topic id ", id.ToString()));
    }
    return &it->second;
  }

  absl::Status Partition(const eddy::v1::PartitionRecord& r) {
    EDDY_ASSIGN_OR_RETURN(TopicState * topic, FindTopic(r.topic_id()));
    // Partitions are numbered densely: a record creates the next one or replaces an existing one.
    if (r.partition() < 0 || r.partition() > static_cast<int32_t>(topic->partitions.size())) {
      return absl::FailedPreconditionError(
          absl::StrCat("partition ", r.partition(), " of ", topic->name, " is out of sequence"));
    }
    PartitionState state = PartitionFromRecord(r);
    EDDY_RETURN_IF_ERROR(CheckPartition(state));
    topic->partitions[r.partition()] = std::move(state);
    return absl::OkStatus();
  }

  absl::Status PartitionChange(const eddy::v1::PartitionChangeRecord& r) {
    EDDY_ASSIGN_OR_RETURN(TopicState * topic, FindTopic(r.topic_id()));
    auto it = topic->partitions.find(r.partition());
    if (it == topic->partitions.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("unknown partition ", topic->name, "-", r.partition()));
    }
    PartitionState next = it->second;
    if (r.has_replicas()) next.replicas = BrokerIdsFromProto(r.replicas().ids());
    if (r.has_isr()) next.isr = BrokerIdsFromProto(r.isr().ids());
    if (r.has_eligible_leader_replicas()) {
      next.elr = BrokerIdsFromProto(r.eligible_leader_replicas().ids());
    }
    if (r.has_last_known_elr()) next.last_known_elr = BrokerIdsFromProto(r.last_known_elr().ids());
    if (r.has_leader()) {
      next.leader = BrokerId(r.leader());
      ++next.leader_epoch;
    }
    ++next.partition_epoch;
    EDDY_RETURN_IF_ERROR(CheckPartition(next));
    it->second = std::move(next);
    return absl::OkStatus();
  }

  absl::Status RemoveTopic(const eddy::v1::RemoveTopicRecord& r) {
    EDDY_ASSIGN_OR_RETURN(TopicState * topic, FindTopic(r.topic_id()));
    image.configs_.erase(ConfigResource{eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, topic->name});
    image.topics_by_name_.erase(topic->name);
    image.topics_.erase(topic->id);
    return absl::OkStatus();
  }

  absl::Status Config(const eddy::v1::ConfigRecord& r) {
    if (r.resource_type() == eddy::v1::CONFIG_RESOURCE_TYPE_UNSPECIFIED || r.name().empty()) {
      return absl::InvalidArgumentError("config record needs a resource type and a name");
    }
    ConfigResource resource{r.resource_type(), r.resource_name()};
    if (r.has_value()) {
      image.configs_[resource][r.name()] = r.value();
      return absl::OkStatus();
    }
    auto it = image.configs_.find(resource);
    if (it != image.configs_.end()) {
      it->second.erase(r.name());
      if (it->second.empty()) image.configs_.erase(it);
    }
    return absl::OkStatus();
  }

  absl::Status ProducerIds(const eddy::v1::ProducerIdsRecord& r) {
    if (r.next_producer_id() <= image.next_producer_id_.value()) {
      return absl::FailedPreconditionError(absl::StrCat("producer ids must only grow: next ",
                                                        r.next_producer_id(), " <= current ",
                                                        image.next_producer_id_.value()));
    }
    image.next_producer_id_ = ProducerId(r.next_producer_id());
    return absl::OkStatus();
  }

  absl::Status CoordinatorShard(const eddy::v1::CoordinatorShardRecord& r) {
    if (r.coordinator_type() == eddy::v1::COORDINATOR_TYPE_UNSPECIFIED || r.shard() < 0) {
      return absl::InvalidArgumentError("coordinator shard record needs a type and a shard >= 0");
    }
    CoordinatorShardOwner& owner =
        image.coordinator_shards_[CoordinatorShardKey{r.coordinator_type(), r.shard()}];
    owner.owner = NodeId(r.owner());
    ++owner.epoch;
    return absl::OkStatus();
  }

  absl::Status Acl(const eddy::v1::AccessControlEntryRecord& r) {
    EDDY_ASSIGN_OR_RETURN(common::Uuid id, TopicIdFromProto(r.id()));
    image.acls_[id] = r;
    return absl::OkStatus();
  }

  absl::Status RemoveAcl(const eddy::v1::RemoveAccessControlEntryRecord& r) {
    EDDY_ASSIGN_OR_RETURN(common::Uuid id, TopicIdFromProto(r.id()));
    if (image.acls_.erase(id) == 0) {
      return absl::FailedPreconditionError(absl::StrCat("unknown ACL ", id.ToString()));
    }
    return absl::OkStatus();
  }

  absl::Status Scram(const eddy::v1::UserScramCredentialRecord& r) {
    if (r.name().empty()) return absl::InvalidArgumentError("SCRAM credential without a user");
    image.scram_credentials_[ScramKey(r.name(), r.mechanism())] = r;
    return absl::OkStatus();
  }

  absl::Status RemoveScram(const eddy::v1::RemoveUserScramCredentialRecord& r) {
    if (image.scram_credentials_.erase(ScramKey(r.name(), r.mechanism())) == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("unknown SCRAM credential ", r.name(), "/", r.mechanism()));
    }
    return absl::OkStatus();
  }
};

absl::Status MetadataStateMachine::Apply(const MetadataRecord& record, LogIndex index) {
  if (index < image_.last_applied_index_) {
    return absl::InvalidArgumentError(absl::StrCat("record at index ", index.value(),
                                                   " precedes the last applied index ",
                                                   image_.last_applied_index_.value()));
  }
  if (record.version() == 0 || record.version() > kMetadataRecordVersion) {
    return absl::FailedPreconditionError(absl::StrCat("metadata record version ", record.version(),
                                                      " is not supported (1..",
                                                      kMetadataRecordVersion, ")"));
  }
  EDDY_RETURN_IF_ERROR(ApplyRecord(record, index));
  image_.last_applied_index_ = index;
  return absl::OkStatus();
}

absl::Status MetadataStateMachine::ApplyRecord(const MetadataRecord& record, LogIndex index) {
  Applier a{image_, index};
  switch (record.record_case()) {
    case MetadataRecord::kRegisterBroker:
      return a.Register(record.register_broker());
    case MetadataRecord::kUnregisterBroker:
      return a.Unregister(record.unregister_broker());
    case MetadataRecord::kFenceBroker:
      return a.Fence(record.fence_broker());
    case MetadataRecord::kUnfenceBroker:
      return a.Unfence(record.unfence_broker());
    case MetadataRecord::kControlledShutdown:
      return a.ControlledShutdown(record.controlled_shutdown());
    case MetadataRecord::kTopic:
      return a.Topic(record.topic());
    case MetadataRecord::kPartition:
      return a.Partition(record.partition());
    case MetadataRecord::kPartitionChange:
      return a.PartitionChange(record.partition_change());
    case MetadataRecord::kRemoveTopic:
      return a.RemoveTopic(record.remove_topic());
    case MetadataRecord::kConfig:
      return a.Config(record.config());
    case MetadataRecord::kProducerIds:
      return a.ProducerIds(record.producer_ids());
    case MetadataRecord::kCoordinatorShard:
      return a.CoordinatorShard(record.coordinator_shard());
    case MetadataRecord::kAcl:
      return a.Acl(record.acl());
    case MetadataRecord::kRemoveAcl:
      return a.RemoveAcl(record.remove_acl());
    case MetadataRecord::kScramCredential:
      return a.Scram(record.scram_credential());
    case MetadataRecord::kRemoveScramCredential:
      return a.RemoveScram(record.remove_scram_credential());
    case MetadataRecord::kLeaderChange:
      image_.controller_leader_ = record.leader_change();
      return absl::OkStatus();
    case MetadataRecord::kClusterId:
      // Written once: a second, different id would rename the cluster under its members.
      if (record.cluster_id().cluster_id().empty() ||
          (!image_.cluster_id_.empty() && image_.cluster_id_ != record.cluster_id().cluster_id())) {
        return absl::FailedPreconditionError(absl::StrCat(
            "cluster id record \"", record.cluster_id().cluster_id(), "\" for a cluster with id \"",
            image_.cluster_id_, "\""));
      }
      image_.cluster_id_ = record.cluster_id().cluster_id();
      return absl::OkStatus();
    case MetadataRecord::RECORD_NOT_SET:
      break;
  }
  // A record type this build does not know (written by a newer controller) arrives as unset.
  return absl::FailedPreconditionError("metadata record of an unknown type");
}

absl::Status MetadataStateMachine::ApplyBatch(const eddy::v1::MetadataRecordBatch& batch,
                                              LogIndex index) {
  // An entry is applied once: replaying it (say, after restoring a snapshot that already holds
  // it) would bump epochs twice and diverge from the other controllers.
  if (index <= image_.last_applied_index_) {
    return absl::InvalidArgumentError(absl::StrCat("entry ", index.value(),
                                                   " is not after the last applied index ",
                                                   image_.last_applied_index_.value()));
  }
  for (const MetadataRecord& record : batch.records()) {
    EDDY_RETURN_IF_ERROR(Apply(record, index));
  }
  image_.last_applied_index_ = index;
  return absl::OkStatus();
}

absl::Status MetadataStateMachine::ApplyEntry(std::string_view data, LogIndex index) {
  eddy::v1::MetadataRecordBatch batch;
  if (!batch.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return absl::DataLossError(absl::StrCat("metadata log entry ", index.value(),
                                            " is not a MetadataRecordBatch"));
  }
  return ApplyBatch(batch, index);
}

std::string MetadataStateMachine::Snapshot() const {
  eddy::v1::MetadataSnapshot snap;
  snap.set_version(kMetadataRecordVersion);
  snap.set_last_applied_index(image_.last_applied_index_.value());
  for (const auto& [id, broker] : image_.brokers_) *snap.add_brokers() = broker;
  // Topics in id order; partitions after all topics, so Restore can check every reference.
  for (const auto& [id, topic] : image_.topics_) {
    eddy::v1::TopicRecord* t = snap.add_topics();
    t->set_name(topic.name);
    *t->mutable_topic_id() = TopicIdToProto(id);
    for (const auto& [index, partition] : topic.partitions) {
      *snap.add_partitions() = PartitionToRecord(id, index, partition);
    }
  }
  for (const auto& [resource, configs] : image_.configs_) {
    for (const auto& [name, value] : configs) {
      eddy::v1::ConfigRecord* c = snap.add_configs();
      c->set_resource_type(resource.type);
      c->set_resource_name(resource.name);
      c->set_name(name);
      c->set_value(value);
    }
  }
  snap.set_next_producer_id(image_.next_producer_id_.value());
  for (const auto& [key, owner] : image_.coordinator_shards_) {
    eddy::v1::CoordinatorShardState* s = snap.add_coordinator_shards();
    s->set_coordinator_type(key.type);
    s->set_shard(key.shard);
    s->set_owner(owner.owner.value());
    s->set_epoch(owner.epoch);
  }
  for (const auto& [id, acl] : image_.acls_) *snap.add_acls() = acl;
  for (const auto& [key, credential] : image_.scram_credentials_) {
    *snap.add_scram_credentials() = credential;
  }
  *snap.mutable_leader() = image_.controller_leader_;
  snap.set_cluster_id(image_.cluster_id_);

  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  snap.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

absl::Status MetadataStateMachine::Restore(std::string_view bytes) {
  eddy::v1::MetadataSnapshot snap;
  if (!snap.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("metadata snapshot does not parse");
  }
  if (snap.version() == 0 || snap.version() > kMetadataRecordVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("metadata snapshot version ", snap.version(), " is not supported"));
  }
  MetadataImage image;
  Applier a{image, LogIndex(snap.last_applied_index())};
  for (const eddy::v1::BrokerRegistration& broker : snap.brokers()) {
    image.brokers_[BrokerId(broker.broker_id())] = broker;
  }
  for (const eddy::v1::TopicRecord& topic : snap.topics()) EDDY_RETURN_IF_ERROR(a.Topic(topic));
  for (const eddy::v1::PartitionRecord& p : snap.partitions()) EDDY_RETURN_IF_ERROR(a.Partition(p));
  for (const eddy::v1::ConfigRecord& config : snap.configs()) {
    EDDY_RETURN_IF_ERROR(a.Config(config));
  }
  image.next_producer_id_ = ProducerId(snap.next_producer_id());
  for (const eddy::v1::CoordinatorShardState& s : snap.coordinator_shards()) {
    image.coordinator_shards_[CoordinatorShardKey{s.coordinator_type(), s.shard()}] =
        CoordinatorShardOwner{NodeId(s.owner()), s.epoch()};
  }
  for (const eddy::v1::AccessControlEntryRecord& acl : snap.acls()) {
    EDDY_RETURN_IF_ERROR(a.Acl(acl));
  }
  for (const eddy::v1::UserScramCredentialRecord& s : snap.scram_credentials()) {
    EDDY_RETURN_IF_ERROR(a.Scram(s));
  }
  image.controller_leader_ = snap.leader();
  image.cluster_id_ = snap.cluster_id();
  image.last_applied_index_ = LogIndex(snap.last_applied_index());
  image_ = std::move(image);
  return absl::OkStatus();
}

}  // namespace eddy::controller
