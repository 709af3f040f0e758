// JSON for the registry's REST routes: reading request bodies the way Confluent's Jackson setup
// does (malformed JSON → 400, JSON of the wrong shape → 422, unknown fields ignored) and writing
// the response objects with Confluent's field names and order (fields that are empty for AVRO or
// absent, like schemaType and references, are left out as Confluent leaves them out).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "services/registry/registry_service.h"
#include "services/registry/rest_router.h"

namespace eddy::registry {

using Json = nlohmann::ordered_json;

// kMaxJsonNesting bounds a request body's nesting, as Jackson's default StreamReadConstraints do;
// deeper bodies are 400 before any tree is built.
inline constexpr int kMaxJsonNesting = 1000;

// ParseBody parses a request body that must be a JSON object.
absl::StatusOr<Json> ParseBody(std::string_view body);

// ParseSchemaInput reads a RegisterSchemaRequest: schema, schemaType, references, metadata,
// ruleSet, id, version.
absl::StatusOr<SchemaInput> ParseSchemaInput(const Json& body);

// SchemaTypeOf maps the stored type to the schema core's type.
SchemaType SchemaTypeOf(const eddy::v1::StoredSchema& schema);

// AppendSchemaFields adds schemaType (unless AVRO), references (unless none), metadata and
// ruleSet (when set) to `out`. With `with_text` it also adds "schema" after schemaType, the
// order Confluent's Schema object serializes in.
void AppendSchemaFields(const eddy::v1::StoredSchema& schema, bool with_text, Json& out);

// SubjectSchemaJson is Confluent's Schema object: subject, version, id, [schemaType],
// [references], [metadata], [ruleSet], schema.
Json SubjectSchemaJson(const SubjectSchema& schema);

// Reply serializes `body` with status 200 (or `status`).
RestReply Reply(const Json& body, int status = 200);

// ErrorBody is {"error_code": code, "message": message}.
std::string ErrorBody(int code, std::string_view message);

}  // namespace eddy::registry
