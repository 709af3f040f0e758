// POST /compatibility/subjects/{subject}/versions[/{version}]?verbose=&normalize=
#include "libs/common/status_macros.h"
#include "services/registry/registry_errors.h"
#include "services/registry/rest_json.h"
#include "services/registry/rest_routes.h"

namespace eddy::registry {
namespace {

absl::StatusOr<RestReply> Check(RegistryService& service, const RestRequest& req,
                                std::optional<std::string_view> version) {
  if (version.has_value()) {
    // An invalid version is reported before the body is looked at, as in Confluent.
    EDDY_RETURN_IF_ERROR(RegistryService::ParseVersion(*version).status());
  }
  EDDY_ASSIGN_OR_RETURN(Json body, ParseBody(req.body));
  EDDY_ASSIGN_OR_RETURN(SchemaInput input, ParseSchemaInput(body));
  EDDY_ASSIGN_OR_RETURN(std::vector<std::string> messages,
                        service.TestCompatibility(req.params[0], version, input,
                                                  req.Flag("normalize")));
  Json out = {{"is_compatible", messages.empty()}};
  if (req.Flag("verbose")) out["messages"] = messages;
  return Reply(out);
}

}  // namespace

void AddCompatibilityRoutes(RestRouter& router, RegistryService& service) {
  router.Add("POST", "/compatibility/subjects/{subject}/versions/{version}",
             [&service](const RestRequest& req) {
               return Check(service, req, std::string_view(req.params[1]));
             });
  router.Add("POST", "/compatibility/subjects/{subject}/versions",
             [&service](const RestRequest& req) { return Check(service, req, std::nullopt); });
}

}  // namespace eddy::registry
