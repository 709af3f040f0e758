// libFuzzer target: an Avro schema text as a client registers it. Properties: parsing never
// crashes, over-reads or recurses unboundedly (ASan/UBSan); an accepted schema's canonical string,
// normalized form and Parsing Canonical Form parse again, the canonical string to itself; and a
// schema is compatible with itself. Two schemas separated by a NUL byte are also checked against
// each other.
#include <cstddef>
#include <cstdint>
#include <string>

#include "services/registry/fuzz/check_pair.h"
#include "services/registry/avro_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using eddy::registry::avro::AvroSchema;
  const std::string text(reinterpret_cast<const char*>(data), size);
  eddy::registry::fuzz::CheckPair(eddy::registry::SchemaType::kAvro, text);
  auto schema = AvroSchema::Parse(text, {});
  if (!schema.ok()) return 0;
  auto again = AvroSchema::Parse((*schema)->CanonicalString(), {});
  if (!again.ok() || (*again)->CanonicalString() != (*schema)->CanonicalString()) __builtin_trap();
  if (!AvroSchema::Parse((*schema)->Normalized(), {}).ok()) __builtin_trap();
  if (!AvroSchema::Parse((*schema)->ParsingCanonicalForm(), {}).ok()) __builtin_trap();
  if (!(*schema)->BackwardIncompatibilities(**again, "new", "old").empty()) __builtin_trap();
  return 0;
}
