// Group records: the key/value formats of the __consumer_offsets partitions a coordinator shard
// persists, laid out as Kafka's (group-coordinator module: OffsetCommitKey/Value,
// GroupMetadataKey/Value), so a shard's log reads like Kafka's and tools that decode Kafka's
// offsets topic decode ours. Every key and value starts with an INT16 version:
//   key v0/v1 OffsetCommitKey   {group STRING, topic STRING, partition INT32}
//   key v2    GroupMetadataKey  {group STRING}
//   OffsetCommitValue v0 {offset INT64, metadata STRING, commit_timestamp INT64}
//                     v1 + expire_timestamp INT64 (only written when the commit set a retention)
//                     v2 = v0;  v3 = v0 + leader_epoch INT32 after offset;  v4 = v3 flexible
//   GroupMetadataValue v0 {protocol_type STRING, generation INT32, protocol NULLABLE_STRING,
//                          leader NULLABLE_STRING, members [member_id, client_id, client_host,
//                          session_timeout INT32, subscription BYTES, assignment BYTES]}
//                      v1 + member rebalance_timeout (before session_timeout)
//                      v2 + current_state_timestamp INT64 (after leader)
//                      v3 + member group_instance_id NULLABLE_STRING (after member_id)
//                      v4 = v3 flexible
// A null value is a tombstone: the group or the committed offset was deleted. We write key v1/v2,
// OffsetCommitValue v3 (v1 when the commit carried an explicit retention) and GroupMetadataValue
// v3, as Kafka 3.x does; every version above decodes. Decoding never over-reads and returns
// InvalidArgument on malformed or unknown-version input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kafka/tagged_fields.h"

namespace eddy::coordinator {

struct OffsetCommitKey {
  std::string group;
  std::string topic;
  int32_t partition = 0;
  friend bool operator==(const OffsetCommitKey&, const OffsetCommitKey&) = default;
};

struct GroupMetadataKey {
  std::string group;
  friend bool operator==(const GroupMetadataKey&, const GroupMetadataKey&) = default;
};

using GroupRecordKey = std::variant<OffsetCommitKey, GroupMetadataKey>;

struct OffsetCommitValue {
  int64_t offset = 0;
  int32_t leader_epoch = -1;  // -1: unknown (v3+ only)
  std::string metadata;
  int64_t commit_timestamp_ms = 0;
  int64_t expire_timestamp_ms = -1;  // -1: none (v1 only)
  kafka::UnknownTaggedFields unknown_tags;
  friend bool operator==(const OffsetCommitValue&, const OffsetCommitValue&) = default;
};

struct GroupMemberValue {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  std::string subscription;  // the member's metadata for the group's selected protocol
  std::string assignment;
  kafka::UnknownTaggedFields unknown_tags;
  friend bool operator==(const GroupMemberValue&, const GroupMemberValue&) = default;
};

struct GroupMetadataValue {
  std::string protocol_type;
  int32_t generation = 0;
  std::optional<std::string> protocol;
  std::optional<std::string> leader;
  int64_t current_state_timestamp_ms = -1;
  std::vector<GroupMemberValue> members;
  kafka::UnknownTaggedFields unknown_tags;
  friend bool operator==(const GroupMetadataValue&, const GroupMetadataValue&) = default;
};

inline constexpr int16_t kOffsetCommitKeyVersion = 1;
inline constexpr int16_t kGroupMetadataKeyVersion = 2;
inline constexpr int16_t kOffsetCommitValueVersion = 3;
inline constexpr int16_t kOffsetCommitValueWithExpiryVersion = 1;
inline constexpr int16_t kGroupMetadataValueVersion = 3;

std::string EncodeKey(const OffsetCommitKey& key);
std::string EncodeKey(const GroupMetadataKey& key);
absl::StatusOr<GroupRecordKey> DecodeKey(std::string_view bytes);

// EncodeOffsetCommitValue writes v1 when expire_timestamp_ms >= 0, else `version` (0..4).
absl::StatusOr<std::string> EncodeOffsetCommitValue(const OffsetCommitValue& value,
                                                    int16_t version = kOffsetCommitValueVersion);
absl::StatusOr<OffsetCommitValue> DecodeOffsetCommitValue(std::string_view bytes);

absl::StatusOr<std::string> EncodeGroupMetadataValue(const GroupMetadataValue& value,
                                                     int16_t version = kGroupMetadataValueVersion);
absl::StatusOr<GroupMetadataValue> DecodeGroupMetadataValue(std::string_view bytes);

// GroupLogRecord is one record of a shard's log: a key and a value, or no value (tombstone).
struct GroupLogRecord {
  std::string key;
  std::optional<std::string> value;
  friend bool operator==(const GroupLogRecord&, const GroupLogRecord&) = default;
};

}  // namespace eddy::coordinator
