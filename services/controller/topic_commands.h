// Topic admin commands: CreateTopics (with validate-only), DeleteTopics (by name or id) and
// CreatePartitions, with Kafka's checks and error codes (KRaft's ReplicationControlManager and
// ControllerApis). Requests and responses are the controller API's protos, so the gRPC adapter
// passes them through; errors are per topic, as Kafka reports them.
//
// Randomness (topic ids, placement start index) comes from the caller's generator, so a command is
// a deterministic function of (image, options, request, generator state) and tests pin it.
#pragma once

#include <random>

#include "proto/eddy/v1/controller.pb.h"
#include "services/controller/controller_result.h"
#include "services/controller/metadata_image.h"

namespace eddy::controller {

// CreateTopics creates each valid topic: a TopicRecord, one PartitionRecord per partition (replicas
// placed rack-aware over usable brokers, or as assigned explicitly; ISR = usable replicas; the
// first of them leads) and a ConfigRecord per config. Errors: INVALID_REQUEST (duplicate name in
// the request, assignments with explicit counts), INVALID_TOPIC_EXCEPTION (illegal name, '.'/'_'
// collision), TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR (including more
// replicas than usable brokers), INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG. More partitions than
// options.max_partitions_per_topic is INVALID_PARTITIONS (an Eddy bound; Kafka has none). With
// validate_only the results are computed but no records are returned.
ControllerResult<eddy::v1::CreateTopicsResponse> CreateTopics(
    const MetadataImage& image, const ControllerOptions& options,
    const eddy::v1::CreateTopicsRequest& request, std::mt19937_64& random);

// DeleteTopics removes topics named by name (UNKNOWN_TOPIC_OR_PARTITION) or by id
// (UNKNOWN_TOPIC_ID); a name or id listed twice gets INVALID_REQUEST.
ControllerResult<eddy::v1::DeleteTopicsResponse> DeleteTopics(
    const MetadataImage& image, const eddy::v1::DeleteTopicsRequest& request);

// CreatePartitions grows topics to `count` partitions (INVALID_PARTITIONS unless it increases),
// placing the new ones like CreateTopics with the topic's replication factor, or as assigned
// (INVALID_REPLICA_ASSIGNMENT when the assignments do not match the new partitions).
ControllerResult<eddy::v1::CreatePartitionsResponse> CreatePartitions(
    const MetadataImage& image, const ControllerOptions& options,
    const eddy::v1::CreatePartitionsRequest& request, std::mt19937_64& random);

}  // namespace eddy::controller
