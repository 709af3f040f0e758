// Coordinator shard placement. Group and transaction coordinator state is sharded over the
// partitions of __consumer_offsets and __transaction_state (50 each by default, Kafka's
// offsets.topic.num.partitions and transaction.state.log.num.partitions). The controller gives
// every shard to one live coordinator instance and records each move in the metadata log
// (CoordinatorShardRecord, which bumps the shard's epoch so a deposed owner is fenced).
//
// AssignCoordinatorShards is a pure function of the current owners and the live instances:
// - sticky: a shard stays with its owner while that owner is live;
// - orphaned shards (owner dead or none) go, in shard order, to the least-loaded live instance
//   (ties to the lowest id);
// - then shards move from the most- to the least-loaded instance until loads differ by at most
//   one, so a joining instance takes its share with the fewest moves;
// - with no live instance every shard becomes unowned (-1) rather than stay with a dead owner.
#pragma once

#include <cstdint>
#include <vector>

#include "libs/common/strong_id.h"
#include "services/controller/controller_result.h"
#include "services/controller/metadata_image.h"

namespace eddy::controller {

inline constexpr int32_t kDefaultCoordinatorShards = 50;

struct ShardMove {
  int32_t shard = 0;
  NodeId from{-1};
  NodeId to{-1};
};

// AssignCoordinatorShards returns one record per shard that changes owner.
ControllerResult<std::vector<ShardMove>> AssignCoordinatorShards(
    const MetadataImage& image, eddy::v1::CoordinatorType type, int32_t num_shards,
    const std::vector<NodeId>& live_coordinators);

}  // namespace eddy::controller
