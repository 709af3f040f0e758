// Replica placement for new partitions, as Kafka's AdminUtils.assignReplicasToBrokers does it:
// - Rack-unaware: partition p's first replica is broker (p + start) mod n; further replicas follow
//   at a shift that grows by one every n partitions, so leaders and followers spread evenly.
// - Rack-aware (every broker has a rack): brokers are first arranged rack-alternating
//   (r1, r2, r3, r1, ...); each further replica skips brokers whose rack already holds a replica
//   while some rack holds none, and brokers already holding one while some broker holds none.
// Kafka draws the start index and first shift at random; here they come from a seed, so a placement
// is reproducible (the controller logs the seed in the command that made it).
// When only some brokers have a rack, racks are ignored (Kafka's RackAwareMode.Safe).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/strong_id.h"

namespace eddy::controller {

struct BrokerPlacement {
  BrokerId id;
  std::string rack;  // empty: unknown
};

struct AssignmentOptions {
  // The id of the first partition to place (CreatePartitions continues an existing topic).
  int32_t start_partition = 0;
  // Fixes the start index and first shift (Kafka's fixedStartIndex); tests use it to compare with
  // Kafka's documented placements. Unset: both are drawn from `seed`.
  std::optional<int32_t> fixed_start_index;
  uint64_t seed = 0;
};

// AssignReplicas returns, for partitions start_partition .. start_partition + num_partitions - 1,
// their replica lists (the first one the preferred leader). kInvalidArgument with Kafka's message
// when num_partitions or replication_factor is not positive or replication_factor exceeds the
// number of brokers.
absl::StatusOr<std::vector<std::vector<BrokerId>>> AssignReplicas(
    std::vector<BrokerPlacement> brokers, int32_t num_partitions, int32_t replication_factor,
    const AssignmentOptions& options);

// RackAlternatedBrokers orders brokers rack by rack in turn (racks and the brokers of each rack in
// ascending order), as Kafka's getRackAlternatedBrokerList.
std::vector<BrokerPlacement> RackAlternatedBrokers(std::vector<BrokerPlacement> brokers);

}  // namespace eddy::controller
