// libFuzzer target: a JSON Schema document as a client registers it. Properties: parsing and $ref
// resolution never crash or recurse unboundedly (ASan/UBSan); an accepted schema's canonical string
// parses again to itself; and a schema is compatible with itself. Two schemas separated by a NUL
// byte are also checked against each other.
#include <cstddef>
#include <cstdint>
#include <string>

#include "services/registry/fuzz/check_pair.h"
#include "services/registry/json_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using eddy::registry::json::JsonSchema;
  const std::string text(reinterpret_cast<const char*>(data), size);
  eddy::registry::fuzz::CheckPair(eddy::registry::SchemaType::kJson, text);
  auto schema = JsonSchema::Parse(text, {});
  if (!schema.ok()) return 0;
  auto again = JsonSchema::Parse((*schema)->CanonicalString(), {});
  if (!again.ok() || (*again)->CanonicalString() != (*schema)->CanonicalString()) __builtin_trap();
  if (!JsonSchema::Parse((*schema)->Normalized(), {}).ok()) __builtin_trap();
  if (!(*schema)->BackwardIncompatibilities(**again, "new", "old").empty()) __builtin_trap();
  return 0;
}
