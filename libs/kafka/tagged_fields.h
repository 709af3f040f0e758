// Tagged fields (KIP-482) shared by the protocol Reader, Writer and Sizer. In a flexible version
// every struct ends with a section `UNSIGNED_VARINT count, count × (UNSIGNED_VARINT tag,
// UNSIGNED_VARINT size, size bytes)`. Tags this codebase does not know are kept as raw bytes so a
// message re-encodes byte for byte; on write, known and unknown tags are merged in ascending order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace eddy::kafka {

// RawTaggedField is one tagged field whose tag the decoder did not know, kept verbatim.
struct RawTaggedField {
  uint32_t tag = 0;
  std::string data;

  friend bool operator==(const RawTaggedField&, const RawTaggedField&) = default;
};

// UnknownTaggedFields holds a struct's unknown tagged fields in the order they were read
// (ascending, as the protocol requires of writers).
using UnknownTaggedFields = std::vector<RawTaggedField>;

// KnownTag describes one tagged field a generated struct knows: whether the field exists in the
// version being coded (`active`) and whether its value differs from its default (`present`, only
// consulted when writing: Kafka omits tagged fields equal to their default).
struct KnownTag {
  uint32_t tag;
  bool active;
  bool present;
};

}  // namespace eddy::kafka
