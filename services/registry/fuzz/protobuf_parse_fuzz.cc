// libFuzzer target: a .proto text as a client registers it. Properties: parsing never crashes,
// aborts or recurses unboundedly (ASan/UBSan); an accepted schema's canonical string and normalized
// form parse again; and a schema is compatible with itself. Two schemas separated by a NUL byte
// are also checked against each other.
#include <cstddef>
#include <cstdint>
#include <string>

#include "services/registry/fuzz/check_pair.h"
#include "services/registry/protobuf_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using eddy::registry::protobuf::ProtobufSchema;
  const std::string text(reinterpret_cast<const char*>(data), size);
  eddy::registry::fuzz::CheckPair(eddy::registry::SchemaType::kProtobuf, text);
  auto schema = ProtobufSchema::Parse(text, {});
  if (!schema.ok()) return 0;
  auto again = ProtobufSchema::Parse((*schema)->CanonicalString(), {});
  if (!again.ok()) __builtin_trap();
  if (!ProtobufSchema::Parse((*schema)->Normalized(), {}).ok()) __builtin_trap();
  if (!(*schema)->BackwardIncompatibilities(**schema, "new", "old").empty()) __builtin_trap();
  return 0;
}
