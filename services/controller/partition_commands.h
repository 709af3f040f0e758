// Partition leadership commands: AlterPartition (ISR changes asked for by a partition's leader,
// KIP-497), ElectLeaders (preferred or unclean, KIP-460) and the preferred-leader rebalancing
// decision (Kafka's auto.leader.rebalance.enable with leader.imbalance.per.broker.percentage).
// Each returns the records to append and per-partition Kafka error codes, computed against the
// image (see controller_result.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/eddy/v1/controller.pb.h"
#include "services/controller/controller_result.h"
#include "services/controller/metadata_image.h"

namespace eddy::controller {

struct AlterPartitionResult {
  ApiError error;
  // The partition after the change (or as it is, on error when it exists), for the response.
  PartitionState partition;
};

// AlterPartition applies a leader's ISR change. Checks, in Kafka 3.x's order: the sender's broker
// epoch (STALE_BROKER_EPOCH), the topic and partition (UNKNOWN_TOPIC_ID /
// UNKNOWN_TOPIC_OR_PARTITION), the leader epoch (FENCED_LEADER_EPOCH), that the sender leads
// (NOT_LEADER_OR_FOLLOWER), the partition epoch (INVALID_UPDATE_VERSION), that the new ISR holds
// distinct replicas including the leader (INVALID_REQUEST) and that every member is unfenced and
// not shutting down (INELIGIBLE_REPLICA, KIP-903). The topic is named by id when
// request.partition.topic_id is set.
ControllerResult<AlterPartitionResult> AlterPartition(
    const MetadataImage& image, const eddy::v1::AlterPartitionRequest& request);

// ElectionType values are Kafka's ElectionType codes.
enum class ElectionType : int8_t { kPreferred = 0, kUnclean = 1 };

struct TopicPartitions {
  std::string topic;
  std::vector<int32_t> partitions;
};

struct ElectLeadersRequest {
  ElectionType type = ElectionType::kPreferred;
  // Unset: every partition of every topic (Kafka's null topicPartitions).
  std::optional<std::vector<TopicPartitions>> topic_partitions;
};

struct PartitionResult {
  std::string topic;
  int32_t partition = 0;
  ApiError error;
};

// ElectLeaders runs KRaft's electLeader per partition: ELECTION_NOT_NEEDED when the preferred
// replica already leads (PREFERRED) or a leader exists (UNCLEAN); PREFERRED_LEADER_NOT_AVAILABLE /
// ELIGIBLE_LEADERS_NOT_AVAILABLE when no election is possible.
ControllerResult<std::vector<PartitionResult>> ElectLeaders(const MetadataImage& image,
                                                            const ElectLeadersRequest& request);

struct RebalanceOptions {
  // A broker is imbalanced when more than this share of the partitions it prefers are led by
  // someone else (Kafka's leader.imbalance.per.broker.percentage).
  int32_t imbalance_percentage = 10;
  // At most this many elections per call, so one rebalance is a bounded log append.
  size_t max_elections = 1000;
};

// RebalancePreferredLeaders returns preferred elections for the partitions of imbalanced brokers
// whose preferred replica can lead now (in ISR, usable).
ControllerResult<std::vector<PartitionResult>> RebalancePreferredLeaders(
    const MetadataImage& image, const RebalanceOptions& options);

}  // namespace eddy::controller
