// MetadataImage is the cluster metadata as of one position of the controller's Raft log: brokers,
// topics and partitions, dynamic configs, producer-id allocation, coordinator shard owners, ACLs
// and SCRAM credentials. It is what the replicated log means: MetadataStateMachine builds it by
// applying records (proto/eddy/v1/metadata.proto) in log order, and controller commands read it to
// decide which records to append. Readers only get const access; only the state machine mutates it.
//
// Invariants (kept by MetadataStateMachine, which refuses records that would break them):
// - topic names and topic ids are both unique, and topics_by_name() indexes exactly topics();
// - every partition of a topic is numbered 0..n-1;
// - a partition's leader is -1 or a member of its ISR; ISR and ELR are disjoint subsets of its
//   replicas.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "libs/common/strong_id.h"
#include "libs/common/uuid.h"
#include "proto/eddy/v1/metadata.pb.h"

namespace eddy::controller {

// kNoLeader is the leader id of a partition without a leader (Kafka's LeaderAndIsr.NoLeader).
inline constexpr BrokerId kNoLeader{-1};

// BrokerEpoch identifies one registration of a broker: as in KRaft, it is the log index of the
// registration's record, so every new registration has a larger one.
using BrokerEpoch = LogIndex;

// PartitionState is one partition's replica placement and leadership.
struct PartitionState {
  std::vector<BrokerId> replicas;  // replicas[0] is the preferred leader
  std::vector<BrokerId> isr;
  std::vector<BrokerId> elr;             // eligible leader replicas (KIP-966)
  std::vector<BrokerId> last_known_elr;  // KIP-966
  BrokerId leader = kNoLeader;
  LeaderEpoch leader_epoch{0};
  PartitionEpoch partition_epoch{0};

  bool HasLeader() const { return leader != kNoLeader; }
  BrokerId PreferredLeader() const { return replicas.empty() ? kNoLeader : replicas.front(); }
  friend bool operator==(const PartitionState&, const PartitionState&) = default;
};

struct TopicState {
  std::string name;
  common::Uuid id;
  std::map<int32_t, PartitionState> partitions;
  friend bool operator==(const TopicState&, const TopicState&) = default;
};

// ConfigResource names the owner of a set of dynamic configs. The cluster default has an empty
// name; a broker's name is its decimal id.
struct ConfigResource {
  eddy::v1::ConfigResourceType type = eddy::v1::CONFIG_RESOURCE_TYPE_UNSPECIFIED;
  std::string name;
  friend auto operator<=>(const ConfigResource&, const ConfigResource&) = default;
};

using ConfigMap = std::map<std::string, std::string, std::less<>>;

struct CoordinatorShardKey {
  eddy::v1::CoordinatorType type = eddy::v1::COORDINATOR_TYPE_UNSPECIFIED;
  int32_t shard = 0;
  friend auto operator<=>(const CoordinatorShardKey&, const CoordinatorShardKey&) = default;
};

struct CoordinatorShardOwner {
  NodeId owner{-1};
  int64_t epoch = 0;
  friend bool operator==(const CoordinatorShardOwner&, const CoordinatorShardOwner&) = default;
};

// ScramKey is (user name, mechanism code).
using ScramKey = std::pair<std::string, int32_t>;

class MetadataImage {
 public:
  // The log index of the last record applied (0 for an empty image).
  LogIndex last_applied_index() const { return last_applied_index_; }

  const std::map<BrokerId, eddy::v1::BrokerRegistration>& brokers() const { return brokers_; }
  const eddy::v1::BrokerRegistration* FindBroker(BrokerId id) const;
  // IsUnfenced: registered and not fenced (it may be in controlled shutdown).
  bool IsUnfenced(BrokerId id) const;
  // IsUsable: unfenced and not in controlled shutdown, so it may lead, join an ISR or receive new
  // replicas (KRaft's "active" broker).
  bool IsUsable(BrokerId id) const;
  // UsableBrokers lists usable brokers in id order.
  std::vector<BrokerId> UsableBrokers() const;

  const std::map<common::Uuid, TopicState>& topics() const { return topics_; }
  const std::map<std::string, common::Uuid, std::less<>>& topics_by_name() const {
    return topics_by_name_;
  }
  const TopicState* FindTopic(const common::Uuid& id) const;
  const TopicState* FindTopicByName(std::string_view name) const;
  const PartitionState* FindPartition(const common::Uuid& id, int32_t partition) const;

  const std::map<ConfigResource, ConfigMap>& configs() const { return configs_; }
  // ConfigValue returns the dynamic value of `name` set on `resource`, if any.
  std::optional<std::string> ConfigValue(const ConfigResource& resource,
                                         std::string_view name) const;

  // The first producer id not yet handed out.
  ProducerId next_producer_id() const { return next_producer_id_; }

  const std::map<CoordinatorShardKey, CoordinatorShardOwner>& coordinator_shards() const {
    return coordinator_shards_;
  }
  const std::map<common::Uuid, eddy::v1::AccessControlEntryRecord>& acls() const { return acls_; }
  const std::map<ScramKey, eddy::v1::UserScramCredentialRecord>& scram_credentials() const {
    return scram_credentials_;
  }
  // The last LeaderChangeRecord applied: who the active controller is and since which term.
  const eddy::v1::LeaderChangeRecord& controller_leader() const { return controller_leader_; }
  // The cluster's id; empty until the first active controller has written it.
  const std::string& cluster_id() const { return cluster_id_; }

 private:
  friend class MetadataStateMachine;

  LogIndex last_applied_index_{0};
  std::map<BrokerId, eddy::v1::BrokerRegistration> brokers_;
  std::map<common::Uuid, TopicState> topics_;
  std::map<std::string, common::Uuid, std::less<>> topics_by_name_;
  std::map<ConfigResource, ConfigMap> configs_;
  ProducerId next_producer_id_{0};
  std::map<CoordinatorShardKey, CoordinatorShardOwner> coordinator_shards_;
  std::map<common::Uuid, eddy::v1::AccessControlEntryRecord> acls_;
  std::map<ScramKey, eddy::v1::UserScramCredentialRecord> scram_credentials_;
  eddy::v1::LeaderChangeRecord controller_leader_;
  std::string cluster_id_;
};

}  // namespace eddy::controller
