// libFuzzer target: a .proto text as a client registers it. Properties: parsing never crashes,
// aborts or recurses unboundedly (ASan/UBSan); an accepted schema's canonical string and normalized
// form parse again; and a schema is compatible with itself. Two schemas separated by a NUL byte
// are also checked against each other.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "services/registry/protobuf_schema.h"

namespace {

// CheckPair: an input "A\0B" holds two schemas; whatever they are, checking B after A with the
// backward, forward and full strategies (transitively too) terminates without crashing.
void CheckPair(const std::string& input) {
  using namespace eddy::registry;
  const size_t nul = input.find('\0');
  if (nul == std::string::npos) return;
  auto a = protobuf::ProtobufSchema::Parse(input.substr(0, nul), {});
  auto b = protobuf::ProtobufSchema::Parse(input.substr(nul + 1), {});
  if (!a.ok() || !b.ok()) return;
  const std::vector<PreviousSchema> previous = {{a->get(), 1}, {b->get(), 2}};
  for (auto level : {CompatibilityLevel::kBackward, CompatibilityLevel::kForwardTransitive,
                     CompatibilityLevel::kFullTransitive}) {
    CheckCompatibility(level, **b, previous);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using eddy::registry::protobuf::ProtobufSchema;
  const std::string text(reinterpret_cast<const char*>(data), size);
  CheckPair(text);
  auto schema = ProtobufSchema::Parse(text, {});
  if (!schema.ok()) return 0;
  auto again = ProtobufSchema::Parse((*schema)->CanonicalString(), {});
  if (!again.ok()) __builtin_trap();
  if (!ProtobufSchema::Parse((*schema)->Normalized(), {}).ok()) __builtin_trap();
  if (!(*schema)->BackwardIncompatibilities(**schema, "new", "old").empty()) __builtin_trap();
  return 0;
}
