// Uuid is Kafka's 128-bit identifier (topic ids, KIP-516; cluster and directory ids) with Kafka's
// string form: the 16 big-endian bytes in URL-safe base64 without padding, always 22 characters
// (e.g. "AAAAAAAAAAAAAAAAAAAAAQ" for the metadata topic id). Invariant: Parse(u.ToString()) == u.
// Random() follows org.apache.kafka.common.Uuid.randomUuid(): a version-4 UUID that is never the
// zero id, never the metadata topic id, and whose string never starts with '-' (it would look like
// a command-line flag).
#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace eddy::common {

class Uuid {
 public:
  // The zero id (Kafka's Uuid.ZERO_UUID).
  constexpr Uuid() = default;

  // Random returns a fresh random id as Kafka's Uuid.randomUuid() would. Thread-safe.
  static Uuid Random();
  static Uuid Zero() { return Uuid(); }
  // MetadataTopicId is Kafka's Uuid.METADATA_TOPIC_ID (msb 0, lsb 1).
  static Uuid MetadataTopicId() { return FromMsbLsb(0, 1); }

  static Uuid FromBytes(const std::array<uint8_t, 16>& bytes);
  static Uuid FromMsbLsb(uint64_t msb, uint64_t lsb);

  // Parse accepts exactly Kafka's form: 22 URL-safe base64 characters without padding that encode
  // 16 bytes (the unused low 4 bits of the last character must be zero). Otherwise InvalidArgument.
  static absl::StatusOr<Uuid> Parse(std::string_view base64url);

  // ToString returns Kafka's 22-character form.
  std::string ToString() const;

  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  // Msb/Lsb are the big-endian halves, as Java's getMostSignificantBits/getLeastSignificantBits.
  uint64_t Msb() const;
  uint64_t Lsb() const;
  bool IsZero() const { return *this == Uuid(); }

  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend auto operator<=>(const Uuid&, const Uuid&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const Uuid& u) {
    return H::combine(std::move(h), u.bytes_);
  }

  friend std::ostream& operator<<(std::ostream& os, const Uuid& u) { return os << u.ToString(); }

 private:
  std::array<uint8_t, 16> bytes_{};
};

}  // namespace eddy::common
