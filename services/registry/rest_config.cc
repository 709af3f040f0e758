// /config and /config/{subject}: compatibility levels (GET, PUT, DELETE, defaultToGlobal).
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "services/registry/registry_errors.h"
#include "services/registry/rest_json.h"
#include "services/registry/rest_routes.h"

namespace eddy::registry {
namespace {

// ParseLevel reads {"compatibility": "..."}; Confluent accepts any letter case.
absl::StatusOr<CompatibilityLevel> ParseLevel(const RestRequest& req) {
  EDDY_ASSIGN_OR_RETURN(Json body, ParseBody(req.body));
  auto it = body.find("compatibility");
  std::optional<CompatibilityLevel> level;
  if (it != body.end() && it->is_string()) {
    level = ParseCompatibilityLevel(absl::AsciiStrToUpper(it->get<std::string>()));
  }
  if (!level.has_value()) {
    return RegistryError(ErrorCode::kInvalidCompatibilityLevel,
                         "Invalid compatibility level. Valid values are none, backward, forward, "
                         "full, backward_transitive, forward_transitive, and full_transitive");
  }
  return *level;
}

absl::StatusOr<RestReply> SetLevel(RegistryService& service, const std::string& subject,
                                   const RestRequest& req) {
  EDDY_ASSIGN_OR_RETURN(CompatibilityLevel level, ParseLevel(req));
  eddy::v1::RegistryCommand command;
  command.mutable_set_config()->set_subject(subject);
  command.mutable_set_config()->set_compatibility(std::string(CompatibilityLevelName(level)));
  EDDY_RETURN_IF_ERROR(service.Write(command).status());
  return Reply(Json{{"compatibility", std::string(CompatibilityLevelName(level))}});
}

Json LevelJson(std::string_view name) {
  return Json{{"compatibilityLevel", std::string(name)}};
}

}  // namespace

void AddConfigRoutes(RestRouter& router, RegistryService& service) {
  router.Add("GET", "/config", [&service](const RestRequest&) -> absl::StatusOr<RestReply> {
    return Reply(LevelJson(CompatibilityLevelName(service.EffectiveLevel(""))));
  });
  router.AddWrite("PUT", "/config", [&service](const RestRequest& req) {
    return SetLevel(service, "", req);
  });
  router.AddWrite("DELETE", "/config", [&service](const RestRequest&) -> absl::StatusOr<RestReply> {
    const CompatibilityLevel previous = service.EffectiveLevel("");
    eddy::v1::RegistryCommand command;
    command.mutable_delete_config();
    EDDY_RETURN_IF_ERROR(service.Write(command).status());
    return Reply(LevelJson(CompatibilityLevelName(previous)));
  });

  router.Add("GET", "/config/{subject}",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               const std::string& subject = req.params[0];
               if (std::optional<std::string> level = service.store().Config(subject)) {
                 return Reply(LevelJson(*level));
               }
               if (req.Flag("defaultToGlobal")) {
                 return Reply(LevelJson(CompatibilityLevelName(service.EffectiveLevel(""))));
               }
               return RegistryError(ErrorCode::kSubjectCompatibilityNotConfigured,
                                    absl::StrCat("Subject '", subject,
                                                 "' does not have subject-level compatibility "
                                                 "configured"));
             });
  router.AddWrite("PUT", "/config/{subject}",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               EDDY_RETURN_IF_ERROR(RegistryService::ValidateSubject(req.params[0]));
               return SetLevel(service, req.params[0], req);
             });
  router.AddWrite("DELETE", "/config/{subject}",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               const std::string& subject = req.params[0];
               if (!service.store().Config(subject).has_value()) {
                 return RegistryError(ErrorCode::kSubjectNotFound, SubjectNotFoundMessage(subject));
               }
               eddy::v1::RegistryCommand command;
               command.mutable_delete_config()->set_subject(subject);
               EDDY_ASSIGN_OR_RETURN(CommandResult result, service.Write(command));
               return Reply(LevelJson(result.previous));
             });
}

}  // namespace eddy::registry
