// GET /, /contexts, /v1/metadata/id, /v1/metadata/version; and AddAllRoutes.
#include "services/registry/rest_json.h"
#include "services/registry/rest_routes.h"

namespace eddy::registry {

void AddMetadataRoutes(RestRouter& router, std::string cluster_id, std::string version) {
  router.Add("GET", "/", [](const RestRequest&) -> absl::StatusOr<RestReply> {
    return Reply(Json::object());
  });
  // Only the default context exists: subjects are not context-qualified yet.
  router.Add("GET", "/contexts", [](const RestRequest&) -> absl::StatusOr<RestReply> {
    return Reply(Json::array({"."}));
  });
  router.Add("GET", "/v1/metadata/id",
             [cluster_id](const RestRequest&) -> absl::StatusOr<RestReply> {
               Json clusters = {{"kafka-cluster", cluster_id},
                                {"schema-registry-cluster", "schema-registry"}};
               return Reply(Json{{"scope", {{"path", Json::array()}, {"clusters", clusters}}}});
             });
  router.Add("GET", "/v1/metadata/version",
             [version](const RestRequest&) -> absl::StatusOr<RestReply> {
               return Reply(Json{{"version", version}, {"commitId", "eddy"}});
             });
}

void AddAllRoutes(RestRouter& router, RegistryService& service, std::string cluster_id,
                  std::string version) {
  AddSchemaRoutes(router, service);
  AddSubjectRoutes(router, service);
  AddCompatibilityRoutes(router, service);
  AddConfigRoutes(router, service);
  AddModeRoutes(router, service);
  AddMetadataRoutes(router, std::move(cluster_id), std::move(version));
}

}  // namespace eddy::registry
