// Confluent Schema Registry error codes carried in absl::Status. The store and the service return
// Status values made by RegistryError(); the REST layer answers them as Confluent does, with the
// HTTP status HttpStatusFor() gives and the body {"error_code": <code>, "message": <message>}.
// The codes and messages follow io.confluent.kafka.schemaregistry.rest.exceptions.Errors (7.x).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace eddy::registry {

enum class ErrorCode : int {
  kSubjectNotFound = 40401,
  kVersionNotFound = 40402,
  kSchemaNotFound = 40403,
  kSubjectSoftDeleted = 40404,
  kSubjectNotSoftDeleted = 40405,
  kVersionSoftDeleted = 40406,
  kVersionNotSoftDeleted = 40407,
  kSubjectCompatibilityNotConfigured = 40408,
  kSubjectModeNotConfigured = 40409,
  kIncompatibleSchema = 40901,
  kInvalidSchema = 42201,
  kInvalidVersion = 42202,
  kInvalidCompatibilityLevel = 42203,
  kInvalidMode = 42204,
  kOperationNotPermitted = 42205,
  kReferenceExists = 42206,
  kIdDoesNotMatch = 42207,
  kInvalidSubject = 42208,
  kSchemaTooLarge = 42209,
  kStoreError = 50001,
  kOperationTimeout = 50002,
  kRequestForwardingFailed = 50003,
  kUnknownLeader = 50004,
};

// RegistryError returns a Status whose canonical code suits `code` (NotFound for 404xx,
// FailedPrecondition for 409xx, InvalidArgument for 422xx, Internal/Unavailable for 500xx) and
// whose payload carries `code`, so it survives being passed up unchanged.
absl::Status RegistryError(ErrorCode code, std::string_view message);

// HttpError is RegistryError for the plain HTTP errors Confluent's REST framework answers with
// error_code equal to the HTTP status (400 malformed JSON, 404 unknown route, 405, 406, 415, 422
// for JSON of the wrong shape).
absl::Status HttpError(int http_status, std::string_view message);

// ErrorCodeOf returns the Confluent code of `status`: its payload when made by RegistryError, else
// 50001 (a store or internal failure). REQUIRES: !status.ok().
int ErrorCodeOf(const absl::Status& status);

// HttpStatusFor returns the HTTP status Confluent answers with for `error_code`: the first three
// digits for the five-digit codes (42209 excepted: Confluent raises it as a server error, 500), and
// the code itself for plain HTTP codes (400, 404, 405, 415, 422, ...).
int HttpStatusFor(int error_code);

// Messages shared by several routes, spelled as Confluent spells them.
std::string SubjectNotFoundMessage(std::string_view subject);
std::string VersionNotFoundMessage(int version);
std::string SchemaNotFoundMessage(int id);
std::string InvalidVersionMessage(std::string_view version);

}  // namespace eddy::registry
