// Shared by the registry's parser fuzz targets: an input "A\0B" holds two schemas of one type;
// whatever they are, checking B after A with the backward, forward and full strategies (transitively
// too) must terminate without crashing.
#pragma once

#include <string>
#include <vector>

#include "services/registry/schema.h"

namespace eddy::registry::fuzz {

inline void CheckPair(SchemaType type, const std::string& input) {
  const size_t nul = input.find('\0');
  if (nul == std::string::npos) return;
  auto a = ParseSchema(type, input.substr(0, nul), {});
  auto b = ParseSchema(type, input.substr(nul + 1), {});
  if (!a.ok() || !b.ok()) return;
  const std::vector<PreviousSchema> previous = {{a->get(), 1}, {b->get(), 2}};
  for (auto level : {CompatibilityLevel::kBackward, CompatibilityLevel::kForwardTransitive,
                     CompatibilityLevel::kFullTransitive}) {
    CheckCompatibility(level, **b, previous);
  }
}

}  // namespace eddy::registry::fuzz
