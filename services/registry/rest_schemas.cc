// GET /schemas, /schemas/types, /schemas/ids/{id}[/schema|/subjects|/versions].
#include <set>

#include "absl/strings/numbers.h"
#include "libs/common/status_macros.h"
#include "services/registry/registry_errors.h"
#include "services/registry/rest_json.h"
#include "services/registry/rest_routes.h"

namespace eddy::registry {
namespace {

// SchemaInUse returns schema `id` when some subject version (soft-deleted ones included) uses it
// and, if `subject` is given, one of that subject's does; 40403 otherwise, as for an unknown id.
absl::StatusOr<std::shared_ptr<const eddy::v1::StoredSchema>> SchemaInUse(
    RegistryService& service, int32_t id, const std::optional<std::string>& subject) {
  std::shared_ptr<const eddy::v1::StoredSchema> schema = service.store().SchemaById(id);
  bool used = schema != nullptr && service.store().IsSchemaUsed(id);
  if (used && subject.has_value()) {
    used = false;
    for (const SubjectVersion& sv : service.store().VersionsOfSchema(id)) {
      used = used || sv.subject == *subject;
    }
  }
  if (!used) return RegistryError(ErrorCode::kSchemaNotFound, SchemaNotFoundMessage(id));
  return schema;
}

}  // namespace

absl::StatusOr<int32_t> ParseId(std::string_view text) {
  int32_t id = 0;
  if (!absl::SimpleAtoi(absl::string_view(text.data(), text.size()), &id)) {
    return HttpError(404, "HTTP 404 Not Found");
  }
  return id;
}

void AddSchemaRoutes(RestRouter& router, RegistryService& service) {
  router.Add("GET", "/schemas", [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
    const std::string prefix = req.Query("subjectPrefix").value_or("");
    const bool deleted = req.Flag("deleted");
    const bool latest_only = req.Flag("latestOnly");
    int64_t offset = 0;
    int64_t limit = -1;
    if (auto v = req.Query("offset")) (void)absl::SimpleAtoi(*v, &offset);
    if (auto v = req.Query("limit")) (void)absl::SimpleAtoi(*v, &limit);
    std::vector<SubjectSchema> selected;
    for (const auto& [sv, id] : service.store().AllVersions()) {
      if (!sv.subject.starts_with(prefix) || (sv.deleted && !deleted)) continue;
      if (latest_only && !selected.empty() && selected.back().subject == sv.subject) {
        selected.pop_back();
      }
      selected.push_back({sv.subject, sv.version, sv.deleted, service.store().SchemaById(id)});
    }
    Json out = Json::array();
    for (int64_t i = std::max<int64_t>(offset, 0); i < static_cast<int64_t>(selected.size()); ++i) {
      if (limit > 0 && static_cast<int64_t>(out.size()) >= limit) break;
      out.push_back(SubjectSchemaJson(selected[i]));
    }
    return Reply(out);
  });

  router.Add("GET", "/schemas/types", [](const RestRequest&) -> absl::StatusOr<RestReply> {
    return Reply(Json::array({"JSON", "PROTOBUF", "AVRO"}));
  });

  router.Add("GET", "/schemas/ids/{id}",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               EDDY_ASSIGN_OR_RETURN(int32_t id, ParseId(req.params[0]));
               EDDY_ASSIGN_OR_RETURN(auto schema, SchemaInUse(service, id, req.Query("subject")));
               Json out = Json::object();
               AppendSchemaFields(*schema, true, out);
               if (req.Flag("fetchMaxId")) out["maxId"] = service.store().MaxId();
               return Reply(out);
             });

  router.Add("GET", "/schemas/ids/{id}/schema",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               EDDY_ASSIGN_OR_RETURN(int32_t id, ParseId(req.params[0]));
               EDDY_ASSIGN_OR_RETURN(auto schema, SchemaInUse(service, id, req.Query("subject")));
               return RestReply{200, schema->schema()};
             });

  router.Add("GET", "/schemas/ids/{id}/subjects",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               EDDY_ASSIGN_OR_RETURN(int32_t id, ParseId(req.params[0]));
               EDDY_RETURN_IF_ERROR(SchemaInUse(service, id, std::nullopt).status());
               std::set<std::string> subjects;
               for (const SubjectVersion& sv : service.store().VersionsOfSchema(id)) {
                 if (!sv.deleted || req.Flag("deleted")) subjects.insert(sv.subject);
               }
               return Reply(Json(subjects));
             });

  router.Add("GET", "/schemas/ids/{id}/versions",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               EDDY_ASSIGN_OR_RETURN(int32_t id, ParseId(req.params[0]));
               EDDY_RETURN_IF_ERROR(SchemaInUse(service, id, std::nullopt).status());
               Json out = Json::array();
               for (const SubjectVersion& sv : service.store().VersionsOfSchema(id)) {
                 if (sv.deleted && !req.Flag("deleted")) continue;
                 out.push_back({{"subject", sv.subject}, {"version", sv.version}});
               }
               return Reply(out);
             });
}

}  // namespace eddy::registry
