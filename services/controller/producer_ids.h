// AllocateProducerIds (KIP-730): hands a broker the next block of producer ids. Blocks never
// overlap and only move forward, because each allocation is a ProducerIdsRecord in the metadata
// log holding the new high-water mark, so a controller failover cannot hand out an id twice.
#pragma once

#include <cstdint>

#include "libs/common/strong_id.h"
#include "services/controller/controller_result.h"
#include "services/controller/metadata_image.h"

namespace eddy::controller {

struct ProducerIdBlock {
  BrokerId assigned_broker{-1};
  ProducerId first_producer_id{-1};
  int64_t size = 0;
};

struct AllocateProducerIdsResult {
  ApiError error;
  ProducerIdBlock block;
};

// AllocateProducerIds returns the block [next, next + options.producer_id_block_size).
// STALE_BROKER_EPOCH for an unknown broker or epoch; UNKNOWN_SERVER_ERROR once ids run out.
ControllerResult<AllocateProducerIdsResult> AllocateProducerIds(const MetadataImage& image,
                                                                const ControllerOptions& options,
                                                                BrokerId broker,
                                                                BrokerEpoch broker_epoch);

}  // namespace eddy::controller
