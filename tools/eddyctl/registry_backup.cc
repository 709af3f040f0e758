#include "tools/eddyctl/registry_backup.h"

#include <grpcpp/client_context.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace eddy::eddyctl {
namespace {

using Json = nlohmann::json;

constexpr char kFormat[] = "eddy-registry-export/1";
constexpr absl::Duration kCallTimeout = absl::Seconds(30);

// Call runs one unary RPC with a deadline and turns its failure into a Status naming it.
template <typename Request, typename Response, typename Method>
absl::Status Call(std::string_view what, Method method, const Request& request,
                  Response* response) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kCallTimeout));
  const grpc::Status status = method(&context, request, response);
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(std::string(what), ": ", status.error_message()));
}

std::string_view TypeName(eddy::v1::SchemaType type) {
  switch (type) {
    case eddy::v1::SCHEMA_TYPE_PROTOBUF:
      return "PROTOBUF";
    case eddy::v1::SCHEMA_TYPE_JSON:
      return "JSON";
    default:
      return "AVRO";
  }
}

std::optional<eddy::v1::SchemaType> ParseType(std::string_view name) {
  if (name == "AVRO") return eddy::v1::SCHEMA_TYPE_AVRO;
  if (name == "PROTOBUF") return eddy::v1::SCHEMA_TYPE_PROTOBUF;
  if (name == "JSON") return eddy::v1::SCHEMA_TYPE_JSON;
  return std::nullopt;
}

absl::Status Malformed(std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("not an eddy registry export (", kFormat, "): ", std::string(why)));
}

}  // namespace

absl::StatusOr<Json> ExportRegistry(eddy::v1::Registry::StubInterface& stub) {
  eddy::v1::ListAllVersionsResponse all;
  absl::Status status = Call(
      "ListAllVersions",
      [&](grpc::ClientContext* c, const auto& req, auto* resp) {
        return stub.ListAllVersions(c, req, resp);
      },
      eddy::v1::ListAllVersionsRequest(), &all);
  if (!status.ok()) return status;
  std::vector<const eddy::v1::SubjectVersion*> versions;
  for (const eddy::v1::SubjectVersion& version : all.versions()) versions.push_back(&version);
  std::stable_sort(versions.begin(), versions.end(), [](const auto* a, const auto* b) {
    return std::make_tuple(a->schema().id(), a->subject(), a->version()) <
           std::make_tuple(b->schema().id(), b->subject(), b->version());
  });
  Json schemas = Json::array();
  std::vector<std::string> subjects;
  for (const eddy::v1::SubjectVersion* version : versions) {
    const eddy::v1::Schema& schema = version->schema();
    Json entry = {{"subject", version->subject()},
                  {"version", version->version()},
                  {"id", schema.id()},
                  {"schemaType", std::string(TypeName(schema.type()))},
                  {"schema", schema.schema()},
                  {"references", Json::array()},
                  {"deleted", version->deleted()}};
    for (const eddy::v1::SchemaReference& ref : schema.references()) {
      entry["references"].push_back(
          {{"name", ref.name()}, {"subject", ref.subject()}, {"version", ref.version()}});
    }
    if (!schema.metadata_json().empty()) entry["metadata"] = Json::parse(schema.metadata_json());
    if (!schema.rule_set_json().empty()) entry["ruleSet"] = Json::parse(schema.rule_set_json());
    schemas.push_back(std::move(entry));
    if (std::find(subjects.begin(), subjects.end(), version->subject()) == subjects.end()) {
      subjects.push_back(version->subject());
    }
  }

  auto get_config = [&](const std::string& subject) -> absl::StatusOr<eddy::v1::GetConfigResponse> {
    eddy::v1::GetConfigRequest request;
    request.set_subject(subject);
    eddy::v1::GetConfigResponse response;
    absl::Status status = Call(
        "GetConfig",
        [&](grpc::ClientContext* c, const auto& req, auto* resp) {
          return stub.GetConfig(c, req, resp);
        },
        request, &response);
    if (!status.ok()) return status;
    return response;
  };
  absl::StatusOr<eddy::v1::GetConfigResponse> global = get_config("");
  if (!global.ok()) return global.status();
  Json subject_levels = Json::object();
  for (const std::string& subject : subjects) {
    absl::StatusOr<eddy::v1::GetConfigResponse> level = get_config(subject);
    if (!level.ok()) return level.status();
    if (level->subject_level()) subject_levels[subject] = level->compatibility();
  }
  return Json{{"format", kFormat},
              {"compatibility", global->compatibility()},
              {"subjectCompatibility", std::move(subject_levels)},
              {"schemas", std::move(schemas)}};
}

absl::StatusOr<ImportSummary> ImportRegistry(eddy::v1::Registry::StubInterface& stub,
                                             const Json& document, bool force) {
  if (!document.is_object() || document.value("format", "") != kFormat) {
    return Malformed("missing or unknown \"format\"");
  }
  if (!document.contains("schemas") || !document["schemas"].is_array()) {
    return Malformed("\"schemas\" must be an array");
  }
  // Validate every entry before writing anything.
  std::vector<eddy::v1::RegisterSchemaRequest> registrations;
  std::vector<std::pair<std::string, int>> deleted;
  for (const Json& entry : document["schemas"]) {
    if (!entry.is_object() || !entry.value("subject", Json()).is_string() ||
        !entry.value("version", Json()).is_number_integer() ||
        !entry.value("id", Json()).is_number_integer() ||
        !entry.value("schema", Json()).is_string()) {
      return Malformed("each schema needs a string subject and schema, an integer id and version");
    }
    eddy::v1::RegisterSchemaRequest request;
    request.set_subject(entry["subject"].get<std::string>());
    request.set_version(entry["version"].get<int>());
    eddy::v1::Schema* schema = request.mutable_schema();
    schema->set_id(entry["id"].get<int>());
    std::optional<eddy::v1::SchemaType> type = ParseType(entry.value("schemaType", "AVRO"));
    if (!type.has_value()) return Malformed("unknown schemaType");
    schema->set_type(*type);
    schema->set_schema(entry["schema"].get<std::string>());
    for (const Json& ref : entry.value("references", Json::array())) {
      if (!ref.is_object() || !ref.value("name", Json()).is_string() ||
          !ref.value("subject", Json()).is_string() ||
          !ref.value("version", Json()).is_number_integer()) {
        return Malformed("a reference needs a string name and subject and an integer version");
      }
      eddy::v1::SchemaReference* out = schema->add_references();
      out->set_name(ref["name"].get<std::string>());
      out->set_subject(ref["subject"].get<std::string>());
      out->set_version(ref["version"].get<int>());
    }
    if (entry.contains("metadata") && !entry["metadata"].is_null()) {
      schema->set_metadata_json(entry["metadata"].dump());
    }
    if (entry.contains("ruleSet") && !entry["ruleSet"].is_null()) {
      schema->set_rule_set_json(entry["ruleSet"].dump());
    }
    if (entry.value("deleted", false)) deleted.emplace_back(request.subject(), request.version());
    registrations.push_back(std::move(request));
  }

  const Json subject_levels = document.value("subjectCompatibility", Json::object());
  if (!subject_levels.is_object()) return Malformed("\"subjectCompatibility\" must be an object");
  for (const auto& [subject, level] : subject_levels.items()) {
    if (!level.is_string()) return Malformed("subjectCompatibility values must be strings");
  }

  auto set_mode = [&](std::string_view mode, bool force_mode) {
    eddy::v1::SetModeRequest request;
    request.set_mode(std::string(mode));
    request.set_force(force_mode);
    eddy::v1::SetModeResponse response;
    return Call(
        "SetMode",
        [&](grpc::ClientContext* c, const auto& req, auto* resp) {
          return stub.SetMode(c, req, resp);
        },
        request, &response);
  };
  if (absl::Status status = set_mode("IMPORT", force); !status.ok()) return status;
  ImportSummary summary;
  for (const eddy::v1::RegisterSchemaRequest& request : registrations) {
    eddy::v1::RegisterSchemaResponse response;
    absl::Status status = Call(
        absl::StrCat("RegisterSchema ", request.subject(), " version ", request.version()),
        [&](grpc::ClientContext* c, const auto& req, auto* resp) {
          return stub.RegisterSchema(c, req, resp);
        },
        request, &response);
    if (!status.ok()) return status;
    ++summary.versions;
  }
  for (const auto& [subject, version] : deleted) {
    eddy::v1::DeleteVersionRequest request;
    request.set_subject(subject);
    request.set_version(std::to_string(version));
    eddy::v1::DeleteVersionResponse response;
    absl::Status status = Call(
        absl::StrCat("DeleteVersion ", subject, " version ", version),
        [&](grpc::ClientContext* c, const auto& req, auto* resp) {
          return stub.DeleteVersion(c, req, resp);
        },
        request, &response);
    if (!status.ok()) return status;
    ++summary.deleted;
  }
  auto set_config = [&](const std::string& subject, const std::string& level) {
    eddy::v1::SetConfigRequest request;
    request.set_subject(subject);
    request.set_compatibility(level);
    eddy::v1::SetConfigResponse response;
    return Call(
        absl::StrCat("SetConfig ", subject.empty() ? "(global)" : subject),
        [&](grpc::ClientContext* c, const auto& req, auto* resp) {
          return stub.SetConfig(c, req, resp);
        },
        request, &response);
  };
  if (document.contains("compatibility") && document["compatibility"].is_string()) {
    absl::Status status = set_config("", document["compatibility"].get<std::string>());
    if (!status.ok()) return status;
  }
  for (const auto& [subject, level] : subject_levels.items()) {
    absl::Status status = set_config(subject, level.get<std::string>());
    if (!status.ok()) return status;
  }
  if (absl::Status status = set_mode("READWRITE", false); !status.ok()) return status;
  return summary;
}

}  // namespace eddy::eddyctl
