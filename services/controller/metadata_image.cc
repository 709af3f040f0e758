#include "services/controller/metadata_image.h"

namespace eddy::controller {

const eddy::v1::BrokerRegistration* MetadataImage::FindBroker(BrokerId id) const {
  auto it = brokers_.find(id);
  return it == brokers_.end() ? nullptr : &it->second;
}

bool MetadataImage::IsUnfenced(BrokerId id) const {
  const eddy::v1::BrokerRegistration* broker = FindBroker(id);
  return broker != nullptr && !broker->fenced();
}

bool MetadataImage::IsUsable(BrokerId id) const {
  const eddy::v1::BrokerRegistration* broker = FindBroker(id);
  return broker != nullptr && !broker->fenced() && !broker->in_controlled_shutdown();
}

std::vector<BrokerId> MetadataImage::UsableBrokers() const {
  std::vector<BrokerId> out;
  for (const auto& [id, broker] : brokers_) {
    if (!broker.fenced() && !broker.in_controlled_shutdown()) out.push_back(id);
  }
  return out;
}

const TopicState* MetadataImage::FindTopic(const common::Uuid& id) const {
  auto it = topics_.find(id);
  return it == topics_.end() ? nullptr : &it->second;
}

const TopicState* MetadataImage::FindTopicByName(std::string_view name) const {
  auto it = topics_by_name_.find(name);
  return it == topics_by_name_.end() ? nullptr : FindTopic(it->second);
}

const PartitionState* MetadataImage::FindPartition(const common::Uuid& id,
                                                   int32_t partition) const {
  const TopicState* topic = FindTopic(id);
  if (topic == nullptr) return nullptr;
  auto it = topic->partitions.find(partition);
  return it == topic->partitions.end() ? nullptr : &it->second;
}

std::optional<std::string> MetadataImage::ConfigValue(const ConfigResource& resource,
                                                      std::string_view name) const {
  auto it = configs_.find(resource);
  if (it == configs_.end()) return std::nullopt;
  auto value = it->second.find(name);
  if (value == it->second.end()) return std::nullopt;
  return value->second;
}

}  // namespace eddy::controller
