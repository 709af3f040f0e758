// Printing an Avro Node graph back to JSON in the three forms AvroSchema exposes.
#pragma once

#include <string>
#include <vector>

#include "services/registry/avro_schema.h"

namespace eddy::registry::avro::internal {

enum class AvroForm {
  // Avro Java's Schema.toString(): what Confluent stores and returns.
  kCanonical,
  // The spec's Parsing Canonical Form ("Transforming into Parsing Canonical Form").
  kParsingCanonical,
  // Parsing Canonical Form plus default, order, aliases, enum default and valid logical types.
  kNormalized,
};

// WriteAvro prints `root`. Named types whose full names are in `predefined` (defined by
// references) are printed by name, never inlined; every other named type is inlined at its first
// occurrence and printed by name afterwards.
std::string WriteAvro(const Node& root, AvroForm form, const std::vector<std::string>& predefined);

}  // namespace eddy::registry::avro::internal
