// /mode and /mode/{subject}: READWRITE, READONLY, IMPORT (GET, PUT with force, DELETE).
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "services/registry/registry_errors.h"
#include "services/registry/rest_json.h"
#include "services/registry/rest_routes.h"

namespace eddy::registry {
namespace {

using eddy::v1::RegistryMode;

absl::StatusOr<RegistryMode> ParseMode(const RestRequest& req) {
  EDDY_ASSIGN_OR_RETURN(Json body, ParseBody(req.body));
  auto it = body.find("mode");
  if (it != body.end() && it->is_string()) {
    if (std::optional<RegistryMode> mode = ParseModeName(it->get<std::string>())) return *mode;
  }
  return RegistryError(ErrorCode::kInvalidMode,
                       "Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.");
}

absl::StatusOr<RestReply> SetMode(RegistryService& service, const std::string& subject,
                                  const RestRequest& req) {
  EDDY_ASSIGN_OR_RETURN(RegistryMode mode, ParseMode(req));
  eddy::v1::RegistryCommand command;
  command.mutable_set_mode()->set_subject(subject);
  command.mutable_set_mode()->set_mode(mode);
  command.mutable_set_mode()->set_force(req.Flag("force"));
  EDDY_RETURN_IF_ERROR(service.Write(command).status());
  return Reply(Json{{"mode", std::string(ModeName(mode))}});
}

}  // namespace

void AddModeRoutes(RestRouter& router, RegistryService& service) {
  router.Add("GET", "/mode", [&service](const RestRequest&) -> absl::StatusOr<RestReply> {
    return Reply(Json{{"mode", std::string(ModeName(service.EffectiveMode("")))}});
  });
  router.AddWrite("PUT", "/mode", [&service](const RestRequest& req) {
    return SetMode(service, "", req);
  });

  router.Add("GET", "/mode/{subject}",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               const std::string& subject = req.params[0];
               if (std::optional<RegistryMode> mode = service.store().Mode(subject)) {
                 return Reply(Json{{"mode", std::string(ModeName(*mode))}});
               }
               if (req.Flag("defaultToGlobal")) {
                 return Reply(Json{{"mode", std::string(ModeName(service.EffectiveMode("")))}});
               }
               return RegistryError(ErrorCode::kSubjectModeNotConfigured,
                                    absl::StrCat("Subject '", subject,
                                                 "' does not have subject-level mode configured"));
             });
  router.AddWrite("PUT", "/mode/{subject}",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               EDDY_RETURN_IF_ERROR(RegistryService::ValidateSubject(req.params[0]));
               return SetMode(service, req.params[0], req);
             });
  router.AddWrite("DELETE", "/mode/{subject}",
             [&service](const RestRequest& req) -> absl::StatusOr<RestReply> {
               const std::string& subject = req.params[0];
               std::optional<RegistryMode> previous = service.store().Mode(subject);
               if (!previous.has_value()) {
                 return RegistryError(ErrorCode::kSubjectNotFound, SubjectNotFoundMessage(subject));
               }
               eddy::v1::RegistryCommand command;
               command.mutable_delete_mode()->set_subject(subject);
               EDDY_RETURN_IF_ERROR(service.Write(command).status());
               return Reply(Json{{"mode", std::string(ModeName(*previous))}});
             });
}

}  // namespace eddy::registry
