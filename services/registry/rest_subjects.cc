// /subjects: list, lookup, register, versions, delete, referencedby.
#include "libs/common/status_macros.h"
#include "services/registry/registry_errors.h"
#include "services/registry/rest_json.h"
#include "services/registry/rest_routes.h"

namespace eddy::registry {

void AddSubjectRoutes(RestRouter& router, RegistryService& service) {
  router.Add("GET", "/subjects", [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
    const std::string prefix = req.Query("subjectPrefix").value_or("");
    const bool deleted_only = req.Flag("deletedOnly");
    const bool deleted = req.Flag("deleted") || deleted_only;
    const std::vector<std::string> live = service.store().Subjects(false);
    Json out = Json::array();
    for (const std::string& subject : service.store().Subjects(deleted)) {
      if (!subject.starts_with(prefix)) continue;
      const bool is_live = std::binary_search(live.begin(), live.end(), subject);
      if (deleted_only && is_live) continue;
      out.push_back(subject);
    }
    return Reply(out);
  });

  router.Add("POST", "/subjects/{subject}",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               EDDY_ASSIGN_OR_RETURN(Json body, ParseBody(req.body));
               EDDY_ASSIGN_OR_RETURN(SchemaInput input, ParseSchemaInput(body));
               EDDY_ASSIGN_OR_RETURN(SubjectSchema found,
                                     service.Lookup(req.params[0], input, req.Flag("normalize"),
                                                    req.Flag("deleted")));
               return Reply(SubjectSchemaJson(found));
             });

  router.AddWrite("DELETE", "/subjects/{subject}",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               EDDY_ASSIGN_OR_RETURN(std::vector<int32_t> versions,
                                     service.DeleteSubject(req.params[0], req.Flag("permanent")));
               return Reply(Json(versions));
             });

  router.Add("GET", "/subjects/{subject}/versions",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               EDDY_ASSIGN_OR_RETURN(std::vector<int32_t> versions,
                                     service.Versions(req.params[0], req.Flag("deleted"),
                                                      req.Flag("deletedOnly")));
               return Reply(Json(versions));
             });

  router.AddWrite("POST", "/subjects/{subject}/versions",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               EDDY_ASSIGN_OR_RETURN(Json body, ParseBody(req.body));
               EDDY_ASSIGN_OR_RETURN(SchemaInput input, ParseSchemaInput(body));
               EDDY_ASSIGN_OR_RETURN(Registered registered,
                                     service.Register(req.params[0], input, req.Flag("normalize")));
               return Reply(Json{{"id", registered.id}});
             });

  router.Add("GET", "/subjects/{subject}/versions/{version}",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               EDDY_ASSIGN_OR_RETURN(SubjectSchema found,
                                     service.GetVersion(req.params[0], req.params[1],
                                                        req.Flag("deleted")));
               return Reply(SubjectSchemaJson(found));
             });

  router.Add("GET", "/subjects/{subject}/versions/{version}/schema",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               EDDY_ASSIGN_OR_RETURN(SubjectSchema found,
                                     service.GetVersion(req.params[0], req.params[1],
                                                        req.Flag("deleted")));
               return RestReply{200, found.schema->schema()};
             });

  router.AddWrite("DELETE", "/subjects/{subject}/versions/{version}",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               EDDY_ASSIGN_OR_RETURN(int32_t version,
                                     service.DeleteVersion(req.params[0], req.params[1],
                                                           req.Flag("permanent")));
               return Reply(Json(version));
             });

  router.Add("GET", "/subjects/{subject}/versions/{version}/referencedby",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               EDDY_ASSIGN_OR_RETURN(SubjectSchema found,
                                     service.GetVersion(req.params[0], req.params[1], true));
               return Reply(Json(service.store().ReferencedBy(found.subject, found.version)));
             });
}

}  // namespace eddy::registry
