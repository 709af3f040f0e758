// libFuzzer target: a JSON Schema document as a client registers it. Properties: parsing and $ref
// resolution never crash or recurse unboundedly (ASan/UBSan); an accepted schema's canonical string
// parses again to itself; and a schema is compatible with itself. Two schemas separated by a NUL
// byte are also checked against each other.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "services/registry/json_schema.h"

namespace {

// CheckPair: an input "A\0B" holds two schemas; whatever they are, checking B after A with the
// backward, forward and full strategies (transitively too) terminates without crashing.
void CheckPair(const std::string& input) {
  using namespace eddy::registry;
  const size_t nul = input.find('\0');
  if (nul == std::string::npos) return;
  auto a = json::JsonSchema::Parse(input.substr(0, nul), {});
  auto b = json::JsonSchema::Parse(input.substr(nul + 1), {});
  if (!a.ok() || !b.ok()) return;
  const std::vector<PreviousSchema> previous = {{a->get(), 1}, {b->get(), 2}};
  for (auto level : {CompatibilityLevel::kBackward, CompatibilityLevel::kForwardTransitive,
                     CompatibilityLevel::kFullTransitive}) {
    CheckCompatibility(level, **b, previous);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using eddy::registry::json::JsonSchema;
  const std::string text(reinterpret_cast<const char*>(data), size);
  CheckPair(text);
  auto schema = JsonSchema::Parse(text, {});
  if (!schema.ok()) return 0;
  auto again = JsonSchema::Parse((*schema)->CanonicalString(), {});
  if (!again.ok() || (*again)->CanonicalString() != (*schema)->CanonicalString()) __builtin_trap();
  if (!JsonSchema::Parse((*schema)->Normalized(), {}).ok()) __builtin_trap();
  if (!(*schema)->BackwardIncompatibilities(**again, "new", "old").empty()) __builtin_trap();
  return 0;
}
