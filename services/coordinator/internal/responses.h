// Small builders shared by the GroupCoordinator's translation units: error responses and the
// consumer-protocol subscription reader.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "libs/kafka/error_codes.h"
#include "proto/eddy/v1/coordinator.pb.h"
#include "services/coordinator/group.h"

namespace eddy::coordinator::internal {

inline int32_t Code(kafka::ErrorCode code) { return static_cast<int32_t>(code); }

// JoinError is a failed JoinGroup answer: generation -1 (Kafka's UNKNOWN_GENERATION_ID), no
// protocol, no leader; `member_id` carries the id MEMBER_ID_REQUIRED hands out.
eddy::v1::JoinGroupResponse JoinError(const std::string& member_id, kafka::ErrorCode code);
eddy::v1::SyncGroupResponse SyncError(kafka::ErrorCode code);

// SubscribedTopics is the union of the members' subscribed topics for a "consumer" group
// (Kafka's computeSubscribedTopics): an empty set for an empty consumer group, nullopt when the
// group is not a consumer group or a subscription does not parse.
std::optional<std::set<std::string>> SubscribedTopics(const Group& group);

}  // namespace eddy::coordinator::internal
