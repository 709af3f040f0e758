// Pre-parse checks that bound how deep a schema text nests, so that the recursive parsers and
// checkers after them (nlohmann's dump, the Avro and JSON Schema walkers, libprotobuf's parser)
// never recurse past kMaxSchemaNesting no matter what a client sends.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace eddy::registry::internal {

// JsonNestingDepth returns the deepest array/object nesting in `text`, scanning strings correctly
// (escapes included). It does not validate; a parser does that afterwards.
int JsonNestingDepth(std::string_view text);

// ParseJsonBounded parses `text` as one JSON document, rejecting invalid JSON and nesting deeper
// than `max_depth` arrays/objects with InvalidArgument. `what` names the document in messages
// ("Avro schema", "JSON schema"). Objects come back with sorted keys (nlohmann::json): parsing an
// order-preserving nlohmann::ordered_json is quadratic in the number of keys of an object, which a
// client must not be able to exploit.
absl::StatusOr<nlohmann::json> ParseJsonBounded(std::string_view text, int max_depth,
                                                std::string_view what);

// MinifyJson drops the whitespace between the tokens of valid JSON `text`, keeping key order,
// numbers and string escapes as written.
std::string MinifyJson(std::string_view text);

// CheckProtoNesting rejects .proto text whose braces, brackets or angle-bracketed option values
// (outside strings and comments) nest deeper than `max_depth`.
absl::Status CheckProtoNesting(std::string_view text, int max_depth);

// QuoteJson returns `s` as a JSON string literal.
std::string QuoteJson(std::string_view s);

}  // namespace eddy::registry::internal
