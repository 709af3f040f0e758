#include "services/registry/rest_json.h"

#include "absl/strings/str_cat.h"
#include "services/registry/internal/text_limits.h"
#include "services/registry/registry_errors.h"

namespace eddy::registry {
namespace {

absl::Status ShapeError(std::string_view message) { return HttpError(422, message); }

// OptionalObject reads `metadata` / `ruleSet`: absent or null is "", an object its compact JSON.
absl::StatusOr<std::string> OptionalObject(const Json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_object()) {
    return ShapeError(absl::StrCat("Unrecognized field type for \"", field, "\": expected an object"));
  }
  return it->dump();
}

absl::StatusOr<int32_t> OptionalInt(const Json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return 0;
  if (!it->is_number_integer()) {
    return ShapeError(absl::StrCat("Cannot deserialize value of type `int` from \"", field, "\""));
  }
  const int64_t value = it->get<int64_t>();
  if (value < 0 || value > INT32_MAX) {
    return ShapeError(absl::StrCat("Numeric value of \"", field, "\" out of range of int"));
  }
  return static_cast<int32_t>(value);
}

}  // namespace

absl::StatusOr<Json> ParseBody(std::string_view body) {
  if (internal::JsonNestingDepth(body) > kMaxJsonNesting) {
    return HttpError(400, absl::StrCat("Document nesting depth exceeds the maximum allowed (",
                                       kMaxJsonNesting, ")"));
  }
  Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return HttpError(400, "Unexpected character in the request body: it is not valid JSON");
  }
  if (!parsed.is_object()) {
    return ShapeError("Cannot deserialize the request body: expected a JSON object");
  }
  return parsed;
}

absl::StatusOr<SchemaInput> ParseSchemaInput(const Json& body) {
  SchemaInput input;
  if (auto it = body.find("schema"); it != body.end() && !it->is_null()) {
    if (!it->is_string()) return ShapeError("Cannot deserialize value of type `String` from \"schema\"");
    input.schema = it->get<std::string>();
  }
  if (auto it = body.find("schemaType"); it != body.end() && !it->is_null()) {
    if (!it->is_string()) {
      return ShapeError("Cannot deserialize value of type `String` from \"schemaType\"");
    }
    std::optional<SchemaType> type = ParseSchemaType(it->get<std::string>());
    if (!type.has_value()) {
      return RegistryError(ErrorCode::kInvalidSchema,
                           absl::StrCat("Invalid schema type ", it->get<std::string>()));
    }
    input.type = *type;
  }
  if (auto it = body.find("references"); it != body.end() && !it->is_null()) {
    if (!it->is_array()) return ShapeError("Cannot deserialize \"references\": expected an array");
    for (const Json& ref : *it) {
      if (!ref.is_object()) return ShapeError("Cannot deserialize a reference: expected an object");
      SchemaReference out;
      auto name = ref.find("name");
      auto subject = ref.find("subject");
      if (name != ref.end() && name->is_string()) out.name = name->get<std::string>();
      if (subject != ref.end() && subject->is_string()) out.subject = subject->get<std::string>();
      absl::StatusOr<int32_t> version = OptionalInt(ref, "version");
      if (!version.ok()) return version.status();
      out.version = *version;
      input.references.push_back(std::move(out));
    }
  }
  absl::StatusOr<std::string> metadata = OptionalObject(body, "metadata");
  if (!metadata.ok()) return metadata.status();
  input.metadata_json = std::move(*metadata);
  absl::StatusOr<std::string> rule_set = OptionalObject(body, "ruleSet");
  if (!rule_set.ok()) return rule_set.status();
  input.rule_set_json = std::move(*rule_set);
  absl::StatusOr<int32_t> id = OptionalInt(body, "id");
  if (!id.ok()) return id.status();
  input.id = *id;
  absl::StatusOr<int32_t> version = OptionalInt(body, "version");
  if (!version.ok()) return version.status();
  input.version = *version;
  return input;
}

SchemaType SchemaTypeOf(const eddy::v1::StoredSchema& schema) {
  switch (schema.type()) {
    case eddy::v1::SCHEMA_TYPE_PROTOBUF: return SchemaType::kProtobuf;
    case eddy::v1::SCHEMA_TYPE_JSON: return SchemaType::kJson;
    default: return SchemaType::kAvro;
  }
}

void AppendSchemaFields(const eddy::v1::StoredSchema& schema, bool with_text, Json& out) {
  if (SchemaTypeOf(schema) != SchemaType::kAvro) {
    out["schemaType"] = std::string(SchemaTypeName(SchemaTypeOf(schema)));
  }
  if (schema.references_size() > 0) {
    Json refs = Json::array();
    for (const auto& ref : schema.references()) {
      refs.push_back({{"name", ref.name()}, {"subject", ref.subject()}, {"version", ref.version()}});
    }
    out["references"] = std::move(refs);
  }
  if (!schema.metadata_json().empty()) {
    out["metadata"] = Json::parse(schema.metadata_json(), nullptr, false);
  }
  if (!schema.rule_set_json().empty()) {
    out["ruleSet"] = Json::parse(schema.rule_set_json(), nullptr, false);
  }
  if (with_text) out["schema"] = schema.schema();
}

Json SubjectSchemaJson(const SubjectSchema& schema) {
  Json out = {{"subject", schema.subject}, {"version", schema.version}, {"id", schema.schema->id()}};
  AppendSchemaFields(*schema.schema, true, out);
  return out;
}

RestReply Reply(const Json& body, int status) {
  return RestReply{status, body.dump(-1, ' ', false, Json::error_handler_t::replace)};
}

std::string ErrorBody(int code, std::string_view message) {
  Json body = {{"error_code", code}, {"message", std::string(message)}};
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace eddy::registry
