#include "services/coordinator/group_records.h"

#include <type_traits>

#include "libs/common/status_macros.h"
#include "libs/kafka/reader.h"
#include "libs/kafka/writer.h"

namespace eddy::coordinator {
namespace {

constexpr int16_t kMaxOffsetCommitValueVersion = 4;
constexpr int16_t kMaxGroupMetadataValueVersion = 4;
constexpr int16_t kFlexibleVersion = 4;  // both values turn flexible at v4

// One Serde per record drives a kafka::Reader (decode) or kafka::Writer (encode), so each layout
// is written down once.
template <typename IO>
absl::Status NoKnownTags(IO& io, std::conditional_t<IO::kDecoding, kafka::UnknownTaggedFields&,
                                                    const kafka::UnknownTaggedFields&>
                                     unknown) {
  return io.Tags(unknown, {}, [](auto&, uint32_t) { return absl::OkStatus(); });
}

template <typename IO>
absl::Status SerdeOffsetCommitKey(IO& io, OffsetCommitKey& key) {
  EDDY_RETURN_IF_ERROR(io.String(key.group, false, "group"));
  EDDY_RETURN_IF_ERROR(io.String(key.topic, false, "topic"));
  return io.Int32(key.partition, "partition");
}

template <typename IO>
absl::Status SerdeOffsetCommitValue(IO& io, OffsetCommitValue& v, int16_t version) {
  const bool flexible = version >= kFlexibleVersion;
  EDDY_RETURN_IF_ERROR(io.Int64(v.offset, "offset"));
  if (version >= 3) EDDY_RETURN_IF_ERROR(io.Int32(v.leader_epoch, "leader_epoch"));
  EDDY_RETURN_IF_ERROR(io.String(v.metadata, flexible, "metadata"));
  EDDY_RETURN_IF_ERROR(io.Int64(v.commit_timestamp_ms, "commit_timestamp"));
  if (version == 1) EDDY_RETURN_IF_ERROR(io.Int64(v.expire_timestamp_ms, "expire_timestamp"));
  if (flexible) return NoKnownTags(io, v.unknown_tags);
  return absl::OkStatus();
}

template <typename IO>
absl::Status SerdeGroupMember(IO& io, GroupMemberValue& m, int16_t version) {
  const bool flexible = version >= kFlexibleVersion;
  EDDY_RETURN_IF_ERROR(io.String(m.member_id, flexible, "member_id"));
  if (version >= 3) {
    EDDY_RETURN_IF_ERROR(
        io.NullableString(m.group_instance_id, flexible, true, "group_instance_id"));
  }
  EDDY_RETURN_IF_ERROR(io.String(m.client_id, flexible, "client_id"));
  EDDY_RETURN_IF_ERROR(io.String(m.client_host, flexible, "client_host"));
  if (version >= 1) EDDY_RETURN_IF_ERROR(io.Int32(m.rebalance_timeout_ms, "rebalance_timeout"));
  EDDY_RETURN_IF_ERROR(io.Int32(m.session_timeout_ms, "session_timeout"));
  EDDY_RETURN_IF_ERROR(io.Bytes(m.subscription, flexible, "subscription"));
  EDDY_RETURN_IF_ERROR(io.Bytes(m.assignment, flexible, "assignment"));
  if (flexible) return NoKnownTags(io, m.unknown_tags);
  return absl::OkStatus();
}

template <typename IO>
absl::Status SerdeGroupMetadataValue(IO& io, GroupMetadataValue& v, int16_t version) {
  const bool flexible = version >= kFlexibleVersion;
  EDDY_RETURN_IF_ERROR(io.String(v.protocol_type, flexible, "protocol_type"));
  EDDY_RETURN_IF_ERROR(io.Int32(v.generation, "generation"));
  EDDY_RETURN_IF_ERROR(io.NullableString(v.protocol, flexible, true, "protocol"));
  EDDY_RETURN_IF_ERROR(io.NullableString(v.leader, flexible, true, "leader"));
  if (version >= 2) {
    EDDY_RETURN_IF_ERROR(io.Int64(v.current_state_timestamp_ms, "current_state_timestamp"));
  }
  EDDY_RETURN_IF_ERROR(io.Array(v.members, flexible, "members", [version](auto& sub, auto& m) {
    return SerdeGroupMember(sub, m, version);
  }));
  if (flexible) return NoKnownTags(io, v.unknown_tags);
  return absl::OkStatus();
}

absl::Status ReadVersion(kafka::Reader& reader, int16_t max, const char* what, int16_t& version) {
  EDDY_RETURN_IF_ERROR(reader.Int16(version, "version"));
  if (version < 0 || version > max) {
    return kafka::Malformed(what, "unknown version " + std::to_string(version));
  }
  return absl::OkStatus();
}

}  // namespace

std::string EncodeKey(const OffsetCommitKey& key) {
  std::string out;
  kafka::Writer writer(&out);
  OffsetCommitKey copy = key;
  writer.Int16(kOffsetCommitKeyVersion, "version").IgnoreError();
  // Strings longer than the wire allows cannot reach here: group ids and topic names are
  // validated by the request decoders, so the status is always OK.
  SerdeOffsetCommitKey(writer, copy).IgnoreError();
  return out;
}

std::string EncodeKey(const GroupMetadataKey& key) {
  std::string out;
  kafka::Writer writer(&out);
  writer.Int16(kGroupMetadataKeyVersion, "version").IgnoreError();
  writer.String(key.group, false, "group").IgnoreError();
  return out;
}

absl::StatusOr<GroupRecordKey> DecodeKey(std::string_view bytes) {
  kafka::Reader reader(bytes.data(), bytes.size());
  int16_t version = 0;
  EDDY_RETURN_IF_ERROR(ReadVersion(reader, 2, "group record key", version));
  if (version == 2) {
    GroupMetadataKey key;
    EDDY_RETURN_IF_ERROR(reader.String(key.group, false, "group"));
    return key;
  }
  OffsetCommitKey key;
  EDDY_RETURN_IF_ERROR(SerdeOffsetCommitKey(reader, key));
  return key;
}

absl::StatusOr<std::string> EncodeOffsetCommitValue(const OffsetCommitValue& value,
                                                    int16_t version) {
  if (value.expire_timestamp_ms >= 0) version = kOffsetCommitValueWithExpiryVersion;
  if (version < 0 || version > kMaxOffsetCommitValueVersion) {
    return absl::InvalidArgumentError("OffsetCommitValue: unknown version");
  }
  std::string out;
  kafka::Writer writer(&out);
  OffsetCommitValue copy = value;
  EDDY_RETURN_IF_ERROR(writer.Int16(version, "version"));
  EDDY_RETURN_IF_ERROR(SerdeOffsetCommitValue(writer, copy, version));
  return out;
}

absl::StatusOr<OffsetCommitValue> DecodeOffsetCommitValue(std::string_view bytes) {
  kafka::Reader reader(bytes.data(), bytes.size());
  int16_t version = 0;
  EDDY_RETURN_IF_ERROR(
      ReadVersion(reader, kMaxOffsetCommitValueVersion, "OffsetCommitValue", version));
  OffsetCommitValue value;
  EDDY_RETURN_IF_ERROR(
      kafka::PrefixError(SerdeOffsetCommitValue(reader, value, version), "OffsetCommitValue: "));
  return value;
}

absl::StatusOr<std::string> EncodeGroupMetadataValue(const GroupMetadataValue& value,
                                                     int16_t version) {
  if (version < 0 || version > kMaxGroupMetadataValueVersion) {
    return absl::InvalidArgumentError("GroupMetadataValue: unknown version");
  }
  std::string out;
  kafka::Writer writer(&out);
  GroupMetadataValue copy = value;
  EDDY_RETURN_IF_ERROR(writer.Int16(version, "version"));
  EDDY_RETURN_IF_ERROR(SerdeGroupMetadataValue(writer, copy, version));
  return out;
}

absl::StatusOr<GroupMetadataValue> DecodeGroupMetadataValue(std::string_view bytes) {
  kafka::Reader reader(bytes.data(), bytes.size());
  int16_t version = 0;
  EDDY_RETURN_IF_ERROR(
      ReadVersion(reader, kMaxGroupMetadataValueVersion, "GroupMetadataValue", version));
  GroupMetadataValue value;
  EDDY_RETURN_IF_ERROR(
      kafka::PrefixError(SerdeGroupMetadataValue(reader, value, version), "GroupMetadataValue: "));
  return value;
}

}  // namespace eddy::coordinator
