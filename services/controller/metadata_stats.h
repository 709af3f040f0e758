// Cluster health figures derived from the metadata image, for the controller's metrics and
// GetClusterStatus (issue 5 asks for fenced brokers, offline and under-replicated partitions) and
// for the controlled-shutdown handshake. Pure reads of the image; computing them walks every
// partition, so the driver recomputes after applying a batch, not per request.
#pragma once

#include <cstdint>

#include "libs/common/strong_id.h"
#include "services/controller/metadata_image.h"

namespace eddy::controller {

struct MetadataStats {
  int64_t brokers = 0;
  int64_t fenced_brokers = 0;
  int64_t brokers_in_controlled_shutdown = 0;
  int64_t topics = 0;
  int64_t partitions = 0;
  // No leader: clients cannot produce to or fetch from these.
  int64_t offline_partitions = 0;
  // ISR smaller than the replica set.
  int64_t under_replicated_partitions = 0;
  // ISR smaller than min.insync.replicas: acks=all produce fails with NOT_ENOUGH_REPLICAS.
  int64_t under_min_isr_partitions = 0;
  // Led by a replica other than the preferred one (what preferred-leader rebalancing fixes).
  int64_t preferred_replica_imbalance = 0;
};

MetadataStats ComputeStats(const MetadataImage& image);

// LeadsNoPartitions says whether `broker` leads no partition: a broker in controlled shutdown may
// stop once this holds (Kafka's BrokerHeartbeatManager shouldShutDown).
bool LeadsNoPartitions(const MetadataImage& image, BrokerId broker);

}  // namespace eddy::controller
