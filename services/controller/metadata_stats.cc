#include "services/controller/metadata_stats.h"

#include "services/controller/topic_configs.h"

namespace eddy::controller {

MetadataStats ComputeStats(const MetadataImage& image) {
  MetadataStats stats;
  for (const auto& [id, broker] : image.brokers()) {
    ++stats.brokers;
    if (broker.fenced()) ++stats.fenced_brokers;
    if (broker.in_controlled_shutdown()) ++stats.brokers_in_controlled_shutdown;
  }
  for (const auto& [id, topic] : image.topics()) {
    ++stats.topics;
    const auto min_isr = static_cast<size_t>(MinInsyncReplicas(image, topic.name));
    for (const auto& [index, p] : topic.partitions) {
      ++stats.partitions;
      if (!p.HasLeader()) ++stats.offline_partitions;
      if (p.isr.size() < p.replicas.size()) ++stats.under_replicated_partitions;
      if (p.isr.size() < min_isr) ++stats.under_min_isr_partitions;
      if (p.leader != p.PreferredLeader()) ++stats.preferred_replica_imbalance;
    }
  }
  return stats;
}

bool LeadsNoPartitions(const MetadataImage& image, BrokerId broker) {
  for (const auto& [id, topic] : image.topics()) {
    for (const auto& [index, p] : topic.partitions) {
      if (p.leader == broker) return false;
    }
  }
  return true;
}

}  // namespace eddy::controller
