// ClusterView: the gateway's immutable picture of the cluster as Kafka clients are shown it. Built
// from the controller's WatchMetadata stream (topics, partitions, leaders, brokers, group shard
// owners) and its member list (live gateways with their "kafka" endpoints, live coordinators with
// their "grpc" endpoints). Clients see the gateways as the cluster's
// brokers: each partition is presented as led by one gateway, spread deterministically over the
// live gateways, so client connections spread across the fleet while the gateway that receives a
// request forwards it to the real partition leader (a broker).
//
// Invariant: gateways() is sorted by node id and never empty once the local gateway is set;
// every gateway in it can be reached by clients at host:port.
// Thread-safety: immutable once published; share as std::shared_ptr<const ClusterView>.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "libs/common/uuid.h"
#include "proto/eddy/v1/controller.pb.h"

namespace eddy::gateway {

// TopicUuid converts a proto topic id (all zero when malformed); TopicIdOf the other way.
common::Uuid TopicUuid(const eddy::v1::TopicId& id);
eddy::v1::TopicId TopicIdOf(const common::Uuid& id);

// GatewayNode is a gateway as clients see it: a Kafka "broker".
struct GatewayNode {
  int32_t node_id = 0;
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;

  friend bool operator==(const GatewayNode&, const GatewayNode&) = default;
};

struct PartitionView {
  int32_t partition = 0;
  int32_t leader = -1;  // broker id of the real leader; -1: none
  int32_t leader_epoch = -1;
  int32_t replication_factor = 0;
  int32_t isr_size = 0;
};

struct TopicView {
  std::string name;
  common::Uuid id;
  bool internal = false;
  std::vector<PartitionView> partitions;  // index == partition number
  std::map<std::string, std::string> configs;
};

// BrokerView is a broker's data-path address.
struct BrokerView {
  int32_t id = 0;
  std::string grpc_target;  // host:port of its "grpc" endpoint
  bool active = false;      // registered and not fenced
  int64_t epoch = 0;        // broker epoch (its registration record's offset)
};

// CoordinatorNode is a group coordinator instance's gRPC address.
struct CoordinatorNode {
  int32_t id = 0;
  std::string grpc_target;  // host:port of its "grpc" endpoint
};

// GroupShardOwner is the coordinator the controller assigned a __consumer_offsets shard to.
struct GroupShardOwner {
  int32_t owner = -1;  // coordinator member id; -1: unowned
  int64_t epoch = 0;
};

// kGroupMetadataTopic is Kafka's internal topic whose partitions are the group shards.
inline constexpr std::string_view kGroupMetadataTopic = "__consumer_offsets";

// PresentedPartition is how a partition appears in Metadata: node ids are gateways.
struct PresentedPartition {
  int32_t leader = -1;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
};

class ClusterView {
 public:
  ClusterView() = default;

  // ApplyDelta applies one WatchMetadata message (a snapshot replaces topics and brokers).
  void ApplyDelta(const eddy::v1::MetadataDelta& delta);
  // SetMembers replaces the live gateways, cluster id and controller id from a cluster status.
  void SetMembers(const eddy::v1::GetClusterStatusResponse& status);
  // SetLocalGateway makes sure this gateway is listed even before its registration shows up.
  void SetLocalGateway(GatewayNode self);

  int64_t offset() const { return offset_; }
  bool has_snapshot() const { return has_snapshot_; }
  const std::string& cluster_id() const { return cluster_id_; }
  // The gateway clients are told is the controller (Kafka's controller_id): the lowest id.
  int32_t controller_gateway() const { return gateways_.empty() ? -1 : gateways_.front().node_id; }
  const std::vector<GatewayNode>& gateways() const { return gateways_; }
  const std::map<std::string, TopicView, std::less<>>& topics() const { return topics_; }
  const TopicView* FindTopic(std::string_view name) const;
  const TopicView* FindTopicById(const common::Uuid& id) const;
  const BrokerView* FindBroker(int32_t id) const;
  const std::map<int32_t, BrokerView>& brokers() const { return brokers_; }
  const GatewayNode* FindGateway(int32_t node_id) const;
  // FindCoordinator returns live coordinator `id` (from the member list: coordinators hold no
  // metadata records), or nullptr.
  const CoordinatorNode* FindCoordinator(int32_t id) const;
  // GroupShardOwnerOf returns the owner of group shard `shard` (from the metadata's
  // coordinator_shards), or nullptr while unassigned.
  const GroupShardOwner* GroupShardOwnerOf(int32_t shard) const;

  // Present returns the gateway node ids shown for `partition` of `topic`: the leader is gateway
  // (hash(topic) + partition) mod N, replicas and ISR the following min(size, N) gateways.
  PresentedPartition Present(const TopicView& topic, const PartitionView& partition) const;

 private:
  void RebuildLocal();
  void Reindex();

  int64_t offset_ = 0;
  bool has_snapshot_ = false;
  std::string cluster_id_;
  std::vector<GatewayNode> registered_gateways_;
  std::map<int32_t, CoordinatorNode> coordinators_;
  std::map<int32_t, GroupShardOwner> group_shard_owners_;
  std::optional<GatewayNode> local_;
  std::vector<GatewayNode> gateways_;
  std::map<int32_t, BrokerView> brokers_;
  std::map<std::string, TopicView, std::less<>> topics_;
  absl::flat_hash_map<common::Uuid, std::string> names_by_id_;
};

}  // namespace eddy::gateway
