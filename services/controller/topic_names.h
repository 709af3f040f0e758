// Kafka's topic name rules (org.apache.kafka.common.internals.Topic): a legal name is 1..249
// characters from [a-zA-Z0-9._-] and is neither "." nor "..". Because '.' and '_' map to the same
// metric name, two topics whose names differ only in those characters collide, and Kafka refuses to
// create the second one. Kafka's internal topics (__consumer_offsets, __transaction_state) are
// created by the cluster itself and cannot be deleted by clients.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace eddy::controller {

// kMaxTopicNameLength is Kafka's Topic.MAX_NAME_LENGTH.
inline constexpr size_t kMaxTopicNameLength = 249;

inline constexpr char kOffsetsTopic[] = "__consumer_offsets";
inline constexpr char kTransactionStateTopic[] = "__transaction_state";

// IsInternalTopic: one of Kafka's internal topics (Topic.isInternal).
bool IsInternalTopic(std::string_view name);

// TopicNameError returns why `name` is not a legal topic name, with Kafka's message for
// INVALID_TOPIC_EXCEPTION, or nullopt when it is legal.
std::optional<std::string> TopicNameError(std::string_view name);

// HasCollisionChars says whether `name` contains '.' or '_'.
bool HasCollisionChars(std::string_view name);

// UnifyCollisionChars maps '.' to '_', so colliding names map to the same string.
std::string UnifyCollisionChars(std::string_view name);

}  // namespace eddy::controller
