// __consumer_offsets, the internal topic whose partitions are the group coordinator's shards
// (coordinator_shards.h). As in Kafka, the controller creates it with offsets.topic.num.partitions
// partitions, offsets.topic.replication.factor replicas and the settings Kafka gives it
// (cleanup.policy=compact, compression.type=producer, segment.bytes=offsets.topic.segment.bytes),
// and only once that many brokers are usable: Kafka refuses to create it with fewer replicas than
// configured. Kafka creates it on the first FindCoordinator; Eddy's active controller creates it
// on its tick once a coordinator is live and brokers suffice, so coordinators get their shards
// before any client asks, and a cluster without coordinators (most broker tests) has no such topic.
#pragma once

#include <cstdint>
#include <random>

#include "services/controller/controller_result.h"
#include "services/controller/metadata_image.h"
#include "services/controller/topic_names.h"

namespace eddy::controller {

// GroupCoordinatorShards is the number of group coordinator shards: __consumer_offsets' partition
// count, 0 while the topic does not exist.
int32_t GroupCoordinatorShards(const MetadataImage& image);

// CreateOffsetsTopic returns the records creating __consumer_offsets, or none when it exists or
// fewer than options.offsets_topic_replication_factor brokers are usable (the response then says
// why: COORDINATOR_NOT_AVAILABLE, or the CreateTopics error for a bad setting).
ControllerResult<ApiError> CreateOffsetsTopic(const MetadataImage& image,
                                              const ControllerOptions& options,
                                              std::mt19937_64& random);

}  // namespace eddy::controller
