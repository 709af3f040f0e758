#include "services/registry/registry_errors.h"

#include <optional>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace eddy::registry {
namespace {

constexpr char kErrorCodePayload[] = "type.eddy.dev/registry.error_code";

absl::Status WithCode(absl::StatusCode canonical, int code, std::string_view message) {
  absl::Status status(canonical, absl::string_view(message.data(), message.size()));
  status.SetPayload(kErrorCodePayload, absl::Cord(absl::StrCat(code)));
  return status;
}

absl::StatusCode CanonicalCode(ErrorCode code) {
  const int http = static_cast<int>(code) / 100;
  switch (http) {
    case 404: return absl::StatusCode::kNotFound;
    case 409: return absl::StatusCode::kFailedPrecondition;
    case 422: return absl::StatusCode::kInvalidArgument;
    default: break;
  }
  switch (code) {
    case ErrorCode::kOperationTimeout: return absl::StatusCode::kDeadlineExceeded;
    case ErrorCode::kRequestForwardingFailed:
    case ErrorCode::kUnknownLeader: return absl::StatusCode::kUnavailable;
    default: return absl::StatusCode::kInternal;
  }
}

}  // namespace

absl::Status RegistryError(ErrorCode code, std::string_view message) {
  return WithCode(CanonicalCode(code), static_cast<int>(code), message);
}

absl::Status HttpError(int http_status, std::string_view message) {
  return WithCode(http_status == 404 ? absl::StatusCode::kNotFound
                                     : absl::StatusCode::kInvalidArgument,
                  http_status, message);
}

int ErrorCodeOf(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorCodePayload);
  int code = 0;
  if (payload.has_value() && absl::SimpleAtoi(std::string(*payload), &code)) return code;
  return static_cast<int>(ErrorCode::kStoreError);
}

int HttpStatusFor(int error_code) {
  if (error_code == static_cast<int>(ErrorCode::kSchemaTooLarge)) return 500;
  if (error_code >= 10000) return error_code / 100;
  return error_code;
}

std::string SubjectNotFoundMessage(std::string_view subject) {
  return absl::StrCat("Subject '", absl::string_view(subject.data(), subject.size()),
                      "' not found.");
}

std::string VersionNotFoundMessage(int version) {
  return absl::StrCat("Version ", version, " not found.");
}

std::string SchemaNotFoundMessage(int id) { return absl::StrCat("Schema ", id, " not found"); }

std::string InvalidVersionMessage(std::string_view version) {
  return absl::StrCat("The specified version '", absl::string_view(version.data(), version.size()),
                      "' is not a valid version id. Allowed values are between [1, 2^31-1] and "
                      "the string \"latest\"");
}

}  // namespace eddy::registry
