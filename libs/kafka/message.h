// The contract every generated Kafka message struct (libs/kafka/messages/<api>.h) follows, and the
// helpers it shares. A message struct holds plain values (std::string for STRING/BYTES/RECORDS,
// std::optional where a version allows null, std::vector for arrays, nested structs) plus the
// tagged fields it did not recognise. For any version in [kMinVersion, kMaxVersion]:
//   Decode(reader, v)  replaces the struct with what `reader` holds; malformed input yields
//                      InvalidArgument "<Message> v<v>: <field path>: <what>", never an over-read;
//   Encode(writer, v)  appends exactly EncodedSize(v) bytes;
//   decode(encode(x)) == x for every x whose fields are representable in v.
// Fields that do not exist in v are neither read nor written: they keep their default on decode;
// on encode a non-default value is dropped if the field is "ignorable" and is an InvalidArgument
// error otherwise (Kafka's UnsupportedVersionException). Tagged fields equal to their default are
// omitted, as Kafka does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/common/uuid.h"
#include "libs/kafka/reader.h"
#include "libs/kafka/tagged_fields.h"
#include "libs/kafka/writer.h"

namespace eddy::kafka {

// kNeverFlexible is kFirstFlexibleVersion of a message that has no flexible version.
inline constexpr int16_t kNeverFlexible = std::numeric_limits<int16_t>::max();

// DecodeFull decodes a whole buffer as message M at `version`; trailing bytes are an error.
template <typename M>
absl::StatusOr<M> DecodeFull(std::span<const uint8_t> bytes, int16_t version) {
  Reader reader(bytes);
  M m;
  if (absl::Status s = m.Decode(reader, version); !s.ok()) return s;
  if (reader.remaining() != 0) {
    return Malformed(M::kName, std::to_string(reader.remaining()) + " trailing bytes");
  }
  return m;
}

// EncodeToString returns message `m` encoded at `version`.
template <typename M>
absl::StatusOr<std::string> EncodeToString(const M& m, int16_t version) {
  std::string out;
  out.reserve(m.EncodedSize(version));
  Writer writer(&out);
  if (absl::Status s = m.Encode(writer, version); !s.ok()) return s;
  return out;
}

namespace internal {

absl::Status UnsupportedVersion(std::string_view message, int16_t version);
// NotInVersion is the error for a non-default, non-ignorable field written at a version lacking it.
absl::Status NotInVersion(std::string_view field, int16_t version);
std::string VersionPrefix(std::string_view message, int16_t version);

// The generated Decode/Encode/EncodedSize forward here. Serde is shared by all three Io kinds;
// Writer and Sizer never modify the struct, which is why the const_casts are safe.
template <typename M>
absl::Status DecodeMessage(M& m, Reader& reader, int16_t version) {
  if (version < M::kMinVersion || version > M::kMaxVersion) {
    return UnsupportedVersion(M::kName, version);
  }
  m = M();
  absl::Status s = m.Serde(reader, version);
  if (!s.ok()) return PrefixError(std::move(s), VersionPrefix(M::kName, version));
  return s;
}

template <typename M>
absl::Status EncodeMessage(const M& m, Writer& writer, int16_t version) {
  if (version < M::kMinVersion || version > M::kMaxVersion) {
    return UnsupportedVersion(M::kName, version);
  }
  absl::Status s = const_cast<M&>(m).Serde(writer, version);
  if (!s.ok()) return PrefixError(std::move(s), VersionPrefix(M::kName, version));
  return s;
}

template <typename M>
size_t MessageSize(const M& m, int16_t version) {
  Sizer sizer;
  const_cast<M&>(m).Serde(sizer, version).IgnoreError();
  return sizer.size();
}

}  // namespace internal
}  // namespace eddy::kafka
