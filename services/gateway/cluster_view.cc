#include "services/gateway/cluster_view.h"

#include <algorithm>
#include <array>

#include "libs/kafka/partitioner.h"
#include "libs/rpc/leader_hint.h"

namespace eddy::gateway {

common::Uuid TopicUuid(const eddy::v1::TopicId& id) {
  std::array<uint8_t, 16> bytes{};
  if (id.value().size() == bytes.size()) {
    std::copy(id.value().begin(), id.value().end(), bytes.begin());
  }
  return common::Uuid::FromBytes(bytes);
}

eddy::v1::TopicId TopicIdOf(const common::Uuid& id) {
  eddy::v1::TopicId out;
  out.set_value(std::string(id.bytes().begin(), id.bytes().end()));
  return out;
}

namespace {

const eddy::v1::Endpoint* FindEndpoint(const eddy::v1::MemberStatus& member,
                                       std::string_view name) {
  for (const auto& endpoint : member.endpoints()) {
    if (endpoint.name() == name) return &endpoint;
  }
  return nullptr;
}

TopicView TopicFrom(const eddy::v1::TopicMetadata& topic) {
  TopicView view;
  view.name = topic.name();
  view.id = TopicUuid(topic.topic_id());
  view.internal = topic.internal();
  for (const auto& [key, value] : topic.configs()) view.configs.emplace(key, value);
  int32_t count = 0;
  for (const auto& p : topic.partitions()) count = std::max(count, p.partition() + 1);
  view.partitions.resize(count);
  for (int32_t i = 0; i < count; ++i) view.partitions[i].partition = i;
  for (const auto& p : topic.partitions()) {
    if (p.partition() < 0) continue;
    PartitionView& pv = view.partitions[p.partition()];
    pv.leader = p.leader();
    pv.leader_epoch = p.leader_epoch();
    pv.replication_factor = p.replicas_size();
    pv.isr_size = p.isr_size();
  }
  return view;
}

}  // namespace

void ClusterView::ApplyDelta(const eddy::v1::MetadataDelta& delta) {
  if (delta.snapshot()) {
    topics_.clear();
    brokers_.clear();
    group_shard_owners_.clear();
    has_snapshot_ = true;
  }
  offset_ = delta.offset();
  for (const auto& member : delta.members()) {
    if (member.role() != eddy::v1::MEMBER_ROLE_BROKER) continue;
    if (member.state() == eddy::v1::MEMBER_STATE_UNSPECIFIED) {
      brokers_.erase(member.member_id());
      continue;
    }
    BrokerView& broker = brokers_[member.member_id()];
    broker.id = member.member_id();
    broker.active = member.state() == eddy::v1::MEMBER_STATE_ACTIVE;
    broker.epoch = member.member_epoch();
    if (const eddy::v1::Endpoint* grpc = FindEndpoint(member, "grpc")) {
      broker.grpc_target = rpc::TargetOf(*grpc);
    }
  }
  for (const eddy::v1::CoordinatorShardState& shard : delta.coordinator_shards()) {
    if (shard.coordinator_type() != eddy::v1::COORDINATOR_TYPE_GROUP) continue;
    group_shard_owners_[shard.shard()] = {.owner = shard.owner(), .epoch = shard.epoch()};
  }
  for (const std::string& name : delta.deleted_topics()) topics_.erase(name);
  for (const auto& topic : delta.topics()) {
    TopicView view = TopicFrom(topic);
    topics_.insert_or_assign(view.name, std::move(view));
  }
  Reindex();
}

void ClusterView::SetMembers(const eddy::v1::GetClusterStatusResponse& status) {
  cluster_id_ = status.cluster_id();
  registered_gateways_.clear();
  coordinators_.clear();
  for (const auto& member : status.members()) {
    if (member.role() == eddy::v1::MEMBER_ROLE_COORDINATOR &&
        member.state() == eddy::v1::MEMBER_STATE_ACTIVE) {
      if (const eddy::v1::Endpoint* grpc = FindEndpoint(member, "grpc")) {
        coordinators_[member.member_id()] = {.id = member.member_id(),
                                                  .grpc_target = rpc::TargetOf(*grpc)};
      }
      continue;
    }
    if (member.role() != eddy::v1::MEMBER_ROLE_GATEWAY ||
        member.state() != eddy::v1::MEMBER_STATE_ACTIVE) {
      continue;
    }
    const eddy::v1::Endpoint* kafka = FindEndpoint(member, "kafka");
    if (kafka == nullptr) continue;
    GatewayNode node{.node_id = member.member_id(), .host = kafka->host(), .port = kafka->port()};
    if (!member.rack().empty()) node.rack = member.rack();
    registered_gateways_.push_back(std::move(node));
  }
  RebuildLocal();
}

void ClusterView::SetLocalGateway(GatewayNode self) {
  local_ = std::move(self);
  RebuildLocal();
}

void ClusterView::RebuildLocal() {
  gateways_ = registered_gateways_;
  if (local_.has_value()) {
    auto same = [&](const GatewayNode& g) { return g.node_id == local_->node_id; };
    if (std::find_if(gateways_.begin(), gateways_.end(), same) == gateways_.end()) {
      gateways_.push_back(*local_);
    }
  }
  std::sort(gateways_.begin(), gateways_.end(),
            [](const GatewayNode& a, const GatewayNode& b) { return a.node_id < b.node_id; });
}

void ClusterView::Reindex() {
  names_by_id_.clear();
  for (const auto& [name, topic] : topics_) names_by_id_[topic.id] = name;
}

const TopicView* ClusterView::FindTopic(std::string_view name) const {
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : &it->second;
}

const TopicView* ClusterView::FindTopicById(const common::Uuid& id) const {
  auto it = names_by_id_.find(id);
  return it == names_by_id_.end() ? nullptr : FindTopic(it->second);
}

const BrokerView* ClusterView::FindBroker(int32_t id) const {
  auto it = brokers_.find(id);
  return it == brokers_.end() ? nullptr : &it->second;
}

const GatewayNode* ClusterView::FindGateway(int32_t node_id) const {
  for (const GatewayNode& g : gateways_) {
    if (g.node_id == node_id) return &g;
  }
  return nullptr;
}

const CoordinatorNode* ClusterView::FindCoordinator(int32_t id) const {
  auto it = coordinators_.find(id);
  return it == coordinators_.end() ? nullptr : &it->second;
}

const GroupShardOwner* ClusterView::GroupShardOwnerOf(int32_t shard) const {
  auto it = group_shard_owners_.find(shard);
  return it == group_shard_owners_.end() || it->second.owner < 0 ? nullptr : &it->second;
}

PresentedPartition ClusterView::Present(const TopicView& topic,
                                        const PartitionView& partition) const {
  PresentedPartition out;
  const size_t n = gateways_.size();
  if (n == 0) return out;
  const size_t first =
      (static_cast<size_t>(kafka::ToPositive(kafka::Murmur2(topic.name))) +
       static_cast<size_t>(partition.partition)) % n;
  const size_t replicas = std::min<size_t>(std::max(partition.replication_factor, 1), n);
  const size_t isr = std::min<size_t>(std::max(partition.isr_size, 1), replicas);
  for (size_t i = 0; i < replicas; ++i) {
    const int32_t id = gateways_[(first + i) % n].node_id;
    out.replicas.push_back(id);
    if (i < isr) out.isr.push_back(id);
  }
  if (partition.leader >= 0) out.leader = out.replicas.front();
  return out;
}

}  // namespace eddy::gateway
