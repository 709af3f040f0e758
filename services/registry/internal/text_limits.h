// Pre-parse checks that bound how deep a schema text nests, so that the recursive parsers and
// checkers after them (nlohmann's dump, the Avro and JSON Schema walkers, libprotobuf's parser)
// never recurse past kMaxSchemaNesting no matter what a client sends.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace eddy::registry::internal {

// ParseJsonBounded parses `text` as one JSON document (key order preserved), rejecting invalid
// JSON and nesting deeper than `max_depth` arrays/objects with InvalidArgument. `what` names the
// document in messages ("Avro schema", "JSON schema").
absl::StatusOr<nlohmann::ordered_json> ParseJsonBounded(std::string_view text, int max_depth,
                                                        std::string_view what);

// CheckProtoNesting rejects .proto text whose braces, brackets or angle-bracketed option values
// (outside strings and comments) nest deeper than `max_depth`.
absl::Status CheckProtoNesting(std::string_view text, int max_depth);

// QuoteJson returns `s` as a JSON string literal.
std::string QuoteJson(std::string_view s);

}  // namespace eddy::registry::internal
