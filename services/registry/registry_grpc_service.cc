#include "services/registry/registry_grpc_service.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "services/registry/registry_errors.h"
#include "services/registry/rest_dispatch.h"

namespace eddy::registry {
namespace {

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      absl::StrCat(ErrorCodeOf(status), ": ", status.message()));
}

void ToProto(const eddy::v1::StoredSchema& stored, eddy::v1::Schema& out) {
  out.set_id(stored.id());
  out.set_type(stored.type());
  out.set_schema(stored.schema());
  *out.mutable_references() = stored.references();
  out.set_metadata_json(stored.metadata_json());
  out.set_rule_set_json(stored.rule_set_json());
}

void ToProto(const SubjectSchema& found, eddy::v1::SubjectVersion& out) {
  out.set_subject(found.subject);
  out.set_version(found.version);
  out.set_deleted(found.deleted);
  if (found.schema != nullptr) ToProto(*found.schema, *out.mutable_schema());
}

absl::StatusOr<SchemaInput> FromProto(const eddy::v1::Schema& schema, int32_t version) {
  SchemaInput input;
  switch (schema.type()) {
    case eddy::v1::SCHEMA_TYPE_UNSPECIFIED:
    case eddy::v1::SCHEMA_TYPE_AVRO:
      input.type = SchemaType::kAvro;
      break;
    case eddy::v1::SCHEMA_TYPE_PROTOBUF:
      input.type = SchemaType::kProtobuf;
      break;
    case eddy::v1::SCHEMA_TYPE_JSON:
      input.type = SchemaType::kJson;
      break;
    default:
      return RegistryError(ErrorCode::kInvalidSchema,
                           absl::StrCat("Invalid schema type ", static_cast<int>(schema.type())));
  }
  input.schema = schema.schema();
  for (const eddy::v1::SchemaReference& ref : schema.references()) {
    input.references.push_back({ref.name(), ref.subject(), ref.version()});
  }
  input.metadata_json = schema.metadata_json();
  input.rule_set_json = schema.rule_set_json();
  input.id = schema.id();
  input.version = version;
  return input;
}

}  // namespace

RegistryGrpcService::RegistryGrpcService(RegistryService& service, const RestRouter& router,
                                         const RegistryQuorum* quorum)
    : service_(service), router_(router), quorum_(quorum) {}

grpc::Status RegistryGrpcService::GetSchemaById(grpc::ServerContext*,
                                                const eddy::v1::GetSchemaByIdRequest* request,
                                                eddy::v1::GetSchemaByIdResponse* response) {
  std::shared_ptr<const eddy::v1::StoredSchema> schema = service_.store().SchemaById(request->id());
  if (schema == nullptr) {
    return ToGrpc(RegistryError(ErrorCode::kSchemaNotFound, SchemaNotFoundMessage(request->id())));
  }
  ToProto(*schema, *response->mutable_schema());
  return grpc::Status::OK;
}

grpc::Status RegistryGrpcService::ListSubjects(grpc::ServerContext*,
                                               const eddy::v1::ListSubjectsRequest* request,
                                               eddy::v1::ListSubjectsResponse* response) {
  for (const std::string& subject : service_.store().Subjects(request->include_deleted())) {
    if (subject.starts_with(request->prefix())) response->add_subjects(subject);
  }
  return grpc::Status::OK;
}

grpc::Status RegistryGrpcService::ListVersions(grpc::ServerContext*,
                                               const eddy::v1::ListVersionsRequest* request,
                                               eddy::v1::ListVersionsResponse* response) {
  absl::StatusOr<std::vector<int32_t>> versions =
      service_.Versions(request->subject(), request->include_deleted(), false);
  if (!versions.ok()) return ToGrpc(versions.status());
  response->mutable_versions()->Add(versions->begin(), versions->end());
  return grpc::Status::OK;
}

grpc::Status RegistryGrpcService::GetVersion(grpc::ServerContext*,
                                             const eddy::v1::GetVersionRequest* request,
                                             eddy::v1::GetVersionResponse* response) {
  absl::StatusOr<SubjectSchema> found =
      service_.GetVersion(request->subject(), request->version(), request->include_deleted());
  if (!found.ok()) return ToGrpc(found.status());
  ToProto(*found, *response->mutable_version());
  return grpc::Status::OK;
}

grpc::Status RegistryGrpcService::ListAllVersions(grpc::ServerContext*,
                                                  const eddy::v1::ListAllVersionsRequest*,
                                                  eddy::v1::ListAllVersionsResponse* response) {
  for (const auto& [version, id] : service_.store().AllVersions()) {
    ToProto(SubjectSchema{version.subject, version.version, version.deleted,
                          service_.store().SchemaById(id)},
            *response->add_versions());
  }
  return grpc::Status::OK;
}

grpc::Status RegistryGrpcService::RegisterSchema(grpc::ServerContext*,
                                                 const eddy::v1::RegisterSchemaRequest* request,
                                                 eddy::v1::RegisterSchemaResponse* response) {
  absl::StatusOr<SchemaInput> input = FromProto(request->schema(), request->version());
  if (!input.ok()) return ToGrpc(input.status());
  absl::StatusOr<Registered> registered =
      service_.Register(request->subject(), *input, request->normalize());
  if (!registered.ok()) return ToGrpc(registered.status());
  response->set_id(registered->id);
  response->set_version(registered->version);
  return grpc::Status::OK;
}

grpc::Status RegistryGrpcService::DeleteVersion(grpc::ServerContext*,
                                                const eddy::v1::DeleteVersionRequest* request,
                                                eddy::v1::DeleteVersionResponse* response) {
  absl::StatusOr<int32_t> deleted =
      service_.DeleteVersion(request->subject(), request->version(), request->permanent());
  if (!deleted.ok()) return ToGrpc(deleted.status());
  response->set_version(*deleted);
  return grpc::Status::OK;
}

grpc::Status RegistryGrpcService::GetConfig(grpc::ServerContext*,
                                            const eddy::v1::GetConfigRequest* request,
                                            eddy::v1::GetConfigResponse* response) {
  response->set_compatibility(
      std::string(CompatibilityLevelName(service_.EffectiveLevel(request->subject()))));
  response->set_subject_level(!request->subject().empty() &&
                              service_.store().Config(request->subject()).has_value());
  return grpc::Status::OK;
}

grpc::Status RegistryGrpcService::SetConfig(grpc::ServerContext*,
                                            const eddy::v1::SetConfigRequest* request,
                                            eddy::v1::SetConfigResponse*) {
  std::optional<CompatibilityLevel> level = ParseCompatibilityLevel(request->compatibility());
  if (!level.has_value()) {
    return ToGrpc(
        RegistryError(ErrorCode::kInvalidCompatibilityLevel,
                      absl::StrCat("Invalid compatibility level ", request->compatibility())));
  }
  eddy::v1::RegistryCommand command;
  command.mutable_set_config()->set_subject(request->subject());
  command.mutable_set_config()->set_compatibility(std::string(CompatibilityLevelName(*level)));
  return ToGrpc(service_.Write(command).status());
}

grpc::Status RegistryGrpcService::GetMode(grpc::ServerContext*,
                                          const eddy::v1::GetModeRequest* request,
                                          eddy::v1::GetModeResponse* response) {
  response->set_mode(std::string(ModeName(service_.EffectiveMode(request->subject()))));
  return grpc::Status::OK;
}

grpc::Status RegistryGrpcService::SetMode(grpc::ServerContext*,
                                          const eddy::v1::SetModeRequest* request,
                                          eddy::v1::SetModeResponse*) {
  std::optional<eddy::v1::RegistryMode> mode = ParseModeName(request->mode());
  if (!mode.has_value()) {
    return ToGrpc(RegistryError(ErrorCode::kInvalidMode,
                                "Invalid mode. Valid values are READWRITE, READONLY, and IMPORT."));
  }
  eddy::v1::RegistryCommand command;
  command.mutable_set_mode()->set_subject(request->subject());
  command.mutable_set_mode()->set_mode(*mode);
  command.mutable_set_mode()->set_force(request->force());
  return ToGrpc(service_.Write(command).status());
}

grpc::Status RegistryGrpcService::ForwardRest(grpc::ServerContext*,
                                              const eddy::v1::ForwardRestRequest* request,
                                              eddy::v1::ForwardRestResponse* response) {
  RestCall call{.method = request->method(),
                .path = request->path(),
                .query = {},
                .body = request->body(),
                .content_type = request->content_type(),
                .accept = {}};
  for (const auto& param : request->query()) call.query.emplace(param.name(), param.value());
  // Never forwarded again: a replica that lost leadership answers 50004 itself.
  RestResponse answer = Dispatch(router_, call, nullptr);
  response->set_status(answer.status);
  response->set_body(std::move(answer.body));
  response->set_applied_index(quorum_ != nullptr ? quorum_->AppliedIndex() : 0);
  return grpc::Status::OK;
}

}  // namespace eddy::registry
