#include "services/registry/registry_service.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/status_macros.h"
#include "services/registry/registry_errors.h"

namespace eddy::registry {
namespace {

using eddy::v1::RegistryMode;

// References deeper than this are refused: a reference cycle cannot be registered (each schema
// references versions that existed before it), so only absurd chains reach it.
constexpr int kMaxReferenceDepth = 64;

absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

eddy::v1::SchemaType ToProto(SchemaType type) {
  switch (type) {
    case SchemaType::kAvro: return eddy::v1::SCHEMA_TYPE_AVRO;
    case SchemaType::kProtobuf: return eddy::v1::SCHEMA_TYPE_PROTOBUF;
    case SchemaType::kJson: return eddy::v1::SCHEMA_TYPE_JSON;
  }
  return eddy::v1::SCHEMA_TYPE_AVRO;
}

SchemaType FromProto(eddy::v1::SchemaType type) {
  switch (type) {
    case eddy::v1::SCHEMA_TYPE_PROTOBUF: return SchemaType::kProtobuf;
    case eddy::v1::SCHEMA_TYPE_JSON: return SchemaType::kJson;
    default: return SchemaType::kAvro;
  }
}

std::vector<SchemaReference> FromProto(
    const google::protobuf::RepeatedPtrField<eddy::v1::SchemaReference>& refs) {
  std::vector<SchemaReference> out;
  for (const auto& ref : refs) out.push_back({ref.name(), ref.subject(), ref.version()});
  return out;
}

}  // namespace

std::string_view ModeName(eddy::v1::RegistryMode mode) {
  switch (mode) {
    case eddy::v1::REGISTRY_MODE_READONLY: return "READONLY";
    case eddy::v1::REGISTRY_MODE_IMPORT: return "IMPORT";
    default: return "READWRITE";
  }
}

std::optional<eddy::v1::RegistryMode> ParseModeName(std::string_view name) {
  const std::string upper = absl::AsciiStrToUpper(AbslView(name));
  for (eddy::v1::RegistryMode mode :
       {eddy::v1::REGISTRY_MODE_READWRITE, eddy::v1::REGISTRY_MODE_READONLY,
        eddy::v1::REGISTRY_MODE_IMPORT}) {
    if (ModeName(mode) == upper) return mode;
  }
  return std::nullopt;
}

RegistryService::RegistryService(RegistryStore& store, RegistryWriter& writer,
                                 RegistryServiceOptions options,
                                 std::function<void()> on_incompatible)
    : store_(store),
      writer_(writer),
      options_(options),
      on_incompatible_(std::move(on_incompatible)) {}

absl::StatusOr<CommandResult> RegistryService::Write(const eddy::v1::RegistryCommand& command) {
  absl::MutexLock lock(&register_mu_);
  EDDY_RETURN_IF_ERROR(writer_.Sync());
  return writer_.Write(command);
}

absl::Status RegistryService::ValidateSubject(std::string_view subject) {
  const bool control = std::any_of(subject.begin(), subject.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (subject.empty() || control) {
    return RegistryError(ErrorCode::kInvalidSubject,
                         absl::StrCat("The specified subject '", AbslView(subject),
                                      "' is not a valid."));
  }
  return absl::OkStatus();
}

absl::StatusOr<int32_t> RegistryService::ParseVersion(std::string_view version) {
  if (version == "latest" || version == "-1") return 0;
  int32_t number = 0;
  if (!absl::SimpleAtoi(AbslView(version), &number) || number < 1) {
    return RegistryError(ErrorCode::kInvalidVersion, InvalidVersionMessage(version));
  }
  return number;
}

CompatibilityLevel RegistryService::EffectiveLevel(std::string_view subject) const {
  for (std::string_view scope : {subject, std::string_view()}) {
    if (std::optional<std::string> name = store_.Config(scope)) {
      if (auto level = ParseCompatibilityLevel(*name)) return *level;
    }
  }
  return kDefaultCompatibility;
}

RegistryMode RegistryService::EffectiveMode(std::string_view subject) const {
  if (auto mode = store_.Mode(subject)) return *mode;
  if (auto mode = store_.Mode("")) return *mode;
  return eddy::v1::REGISTRY_MODE_READWRITE;
}

absl::Status RegistryService::CheckWritable(std::string_view subject) const {
  if (EffectiveMode(subject) == eddy::v1::REGISTRY_MODE_READONLY) {
    return RegistryError(ErrorCode::kOperationNotPermitted,
                         absl::StrCat("Subject ", AbslView(subject), " is in read-only mode"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ResolvedReference>> RegistryService::Resolve(
    const std::vector<SchemaReference>& references, int depth) const {
  if (depth > kMaxReferenceDepth) {
    return RegistryError(ErrorCode::kInvalidSchema, "Invalid schema: references nest too deeply");
  }
  std::vector<ResolvedReference> out;
  for (const SchemaReference& ref : references) {
    if (ref.name.empty() || ref.subject.empty()) {
      return RegistryError(ErrorCode::kInvalidSchema,
                           "Invalid schema: a reference needs a name and a subject");
    }
    absl::StatusOr<SubjectSchema> target =
        GetVersion(ref.subject, ref.version <= 0 ? "latest" : absl::StrCat(ref.version), false);
    if (!target.ok()) {
      return RegistryError(ErrorCode::kInvalidSchema,
                           absl::StrCat("Invalid schema: reference '", ref.name, "' to subject '",
                                        ref.subject, "' version ", ref.version,
                                        " cannot be resolved: ", target.status().message()));
    }
    ResolvedReference resolved;
    resolved.name = ref.name;
    resolved.type = FromProto(target->schema->type());
    resolved.schema = target->schema->schema();
    EDDY_ASSIGN_OR_RETURN(resolved.references,
                          Resolve(FromProto(target->schema->references()), depth + 1));
    out.push_back(std::move(resolved));
  }
  return out;
}

absl::StatusOr<RegistryService::Prepared> RegistryService::Prepare(const SchemaInput& input,
                                                                   bool normalize) const {
  if (input.schema.empty()) return RegistryError(ErrorCode::kInvalidSchema, "Empty schema");
  if (static_cast<int64_t>(input.schema.size()) > options_.max_schema_bytes) {
    return RegistryError(ErrorCode::kSchemaTooLarge,
                         absl::StrCat("Schema too large: ", input.schema.size(),
                                      " bytes exceeds the limit of ", options_.max_schema_bytes));
  }
  EDDY_ASSIGN_OR_RETURN(std::vector<ResolvedReference> resolved, Resolve(input.references, 0));
  absl::StatusOr<std::unique_ptr<ParsedSchema>> parsed =
      ParseSchema(input.type, input.schema, resolved);
  if (!parsed.ok()) {
    return RegistryError(ErrorCode::kInvalidSchema,
                         absl::StrCat("Invalid schema of type ",
                                      AbslView(SchemaTypeName(input.type)), ", details: ",
                                      parsed.status().message()));
  }
  Prepared prepared;
  prepared.record.set_type(ToProto(input.type));
  prepared.record.set_schema(normalize ? (*parsed)->Normalized() : (*parsed)->CanonicalString());
  for (const SchemaReference& ref : input.references) {
    auto* out = prepared.record.add_references();
    out->set_name(ref.name);
    out->set_subject(ref.subject);
    out->set_version(ref.version);
  }
  prepared.record.set_metadata_json(input.metadata_json);
  prepared.record.set_rule_set_json(input.rule_set_json);
  prepared.parsed = std::move(*parsed);
  return prepared;
}

absl::StatusOr<std::shared_ptr<const ParsedSchema>> RegistryService::ParsedById(int32_t id) const {
  {
    absl::MutexLock lock(&cache_mu_);
    if (auto it = parsed_.find(id); it != parsed_.end()) return it->second;
  }
  std::shared_ptr<const eddy::v1::StoredSchema> record = store_.SchemaById(id);
  if (record == nullptr) {
    return RegistryError(ErrorCode::kSchemaNotFound, SchemaNotFoundMessage(id));
  }
  EDDY_ASSIGN_OR_RETURN(std::vector<ResolvedReference> resolved,
                        Resolve(FromProto(record->references()), 0));
  absl::StatusOr<std::unique_ptr<ParsedSchema>> parsed =
      ParseSchema(FromProto(record->type()), record->schema(), resolved);
  if (!parsed.ok()) {
    return RegistryError(ErrorCode::kStoreError,
                         absl::StrCat("Stored schema ", id, " no longer parses: ",
                                      parsed.status().message()));
  }
  std::shared_ptr<const ParsedSchema> shared = std::move(*parsed);
  absl::MutexLock lock(&cache_mu_);
  return parsed_.emplace(id, std::move(shared)).first->second;
}

absl::StatusOr<std::vector<std::pair<int32_t, std::shared_ptr<const ParsedSchema>>>>
RegistryService::LiveVersions(const std::string& subject) const {
  std::vector<std::pair<int32_t, std::shared_ptr<const ParsedSchema>>> out;
  for (const VersionInfo& info : store_.Versions(subject)) {
    if (info.deleted) continue;
    EDDY_ASSIGN_OR_RETURN(std::shared_ptr<const ParsedSchema> parsed, ParsedById(info.schema_id));
    out.emplace_back(info.version, std::move(parsed));
  }
  return out;
}

absl::StatusOr<Registered> RegistryService::Register(const std::string& subject,
                                                     const SchemaInput& input, bool normalize) {
  EDDY_RETURN_IF_ERROR(ValidateSubject(subject));
  EDDY_RETURN_IF_ERROR(CheckWritable(subject));
  const bool importing = EffectiveMode(subject) == eddy::v1::REGISTRY_MODE_IMPORT;
  if ((input.id > 0 || input.version > 0) && !importing) {
    return RegistryError(ErrorCode::kOperationNotPermitted,
                         absl::StrCat("Subject ", subject,
                                      " is not in import mode; an id or version cannot be set"));
  }
  EDDY_ASSIGN_OR_RETURN(Prepared prepared, Prepare(input, normalize));

  absl::MutexLock lock(&register_mu_);
  // Checks below read the store: it must hold every write committed so far (a new leader).
  EDDY_RETURN_IF_ERROR(writer_.Sync());
  if (std::optional<int32_t> id = store_.FindSchemaId(prepared.record)) {
    for (const VersionInfo& info : store_.Versions(subject)) {
      if (!info.deleted && info.schema_id == *id && (input.id == 0 || input.id == *id)) {
        return Registered{*id, info.version};
      }
    }
  }
  if (!importing) {
    EDDY_ASSIGN_OR_RETURN(auto live, LiveVersions(subject));
    std::vector<PreviousSchema> previous;
    for (const auto& [version, parsed] : live) previous.push_back({parsed.get(), version});
    std::vector<std::string> messages =
        CheckCompatibility(EffectiveLevel(subject), *prepared.parsed, previous);
    if (!messages.empty()) {
      if (on_incompatible_) on_incompatible_();
      return RegistryError(
          ErrorCode::kIncompatibleSchema,
          absl::StrCat("Schema being registered is incompatible with an earlier schema for "
                       "subject \"",
                       subject, "\", details: [", absl::StrJoin(messages, ", "), "]"));
    }
  }
  eddy::v1::RegistryCommand command;
  auto* reg = command.mutable_register_schema();
  reg->set_subject(subject);
  *reg->mutable_schema() = std::move(prepared.record);
  reg->mutable_schema()->set_id(input.id);
  reg->set_version(input.version);
  EDDY_ASSIGN_OR_RETURN(CommandResult result, writer_.Write(command));
  return Registered{result.id, result.version};
}

absl::StatusOr<SubjectSchema> RegistryService::Lookup(const std::string& subject,
                                                      const SchemaInput& input, bool normalize,
                                                      bool include_deleted) const {
  const std::vector<VersionInfo> versions = store_.Versions(subject);
  const bool any = std::any_of(versions.begin(), versions.end(), [&](const VersionInfo& v) {
    return include_deleted || !v.deleted;
  });
  if (!any) return RegistryError(ErrorCode::kSubjectNotFound, SubjectNotFoundMessage(subject));
  EDDY_ASSIGN_OR_RETURN(Prepared prepared, Prepare(input, normalize));
  if (std::optional<int32_t> id = store_.FindSchemaId(prepared.record)) {
    // Newest first: a schema registered, deleted and registered again answers its live version.
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
      if (it->schema_id == *id && (include_deleted || !it->deleted)) {
        return SubjectSchema{subject, it->version, it->deleted, store_.SchemaById(*id)};
      }
    }
  }
  return RegistryError(ErrorCode::kSchemaNotFound, "Schema not found");
}

absl::StatusOr<SubjectSchema> RegistryService::GetVersion(const std::string& subject,
                                                          std::string_view version,
                                                          bool include_deleted) const {
  EDDY_ASSIGN_OR_RETURN(int32_t number, ParseVersion(version));
  const std::vector<VersionInfo> versions = store_.Versions(subject);
  const VersionInfo* found = nullptr;
  bool any = false;
  for (const VersionInfo& info : versions) {
    if (info.deleted && !include_deleted) continue;
    any = true;
    if (number == 0 || info.version == number) found = &info;
  }
  if (!any) return RegistryError(ErrorCode::kSubjectNotFound, SubjectNotFoundMessage(subject));
  if (found == nullptr) {
    return RegistryError(ErrorCode::kVersionNotFound, VersionNotFoundMessage(number));
  }
  return SubjectSchema{subject, found->version, found->deleted, store_.SchemaById(found->schema_id)};
}

absl::StatusOr<std::vector<int32_t>> RegistryService::Versions(const std::string& subject,
                                                               bool include_deleted,
                                                               bool deleted_only) const {
  std::vector<int32_t> out;
  bool exists = false;
  for (const VersionInfo& info : store_.Versions(subject)) {
    exists = exists || !info.deleted || include_deleted || deleted_only;
    if (deleted_only ? info.deleted : (include_deleted || !info.deleted)) {
      out.push_back(info.version);
    }
  }
  if (!exists) return RegistryError(ErrorCode::kSubjectNotFound, SubjectNotFoundMessage(subject));
  return out;
}

absl::StatusOr<std::vector<std::string>> RegistryService::TestCompatibility(
    const std::string& subject, std::optional<std::string_view> version, const SchemaInput& input,
    bool normalize) {
  EDDY_ASSIGN_OR_RETURN(Prepared prepared, Prepare(input, normalize));
  const CompatibilityLevel level = EffectiveLevel(subject);
  std::vector<std::pair<int32_t, std::shared_ptr<const ParsedSchema>>> against;
  if (version.has_value()) {
    EDDY_ASSIGN_OR_RETURN(SubjectSchema target, GetVersion(subject, *version, false));
    EDDY_ASSIGN_OR_RETURN(auto parsed, ParsedById(target.schema->id()));
    against.emplace_back(target.version, std::move(parsed));
  } else {
    EDDY_ASSIGN_OR_RETURN(against, LiveVersions(subject));
  }
  std::vector<PreviousSchema> previous;
  for (const auto& [number, parsed] : against) previous.push_back({parsed.get(), number});
  return CheckCompatibility(level, *prepared.parsed, previous);
}

absl::StatusOr<int32_t> RegistryService::DeleteVersion(const std::string& subject,
                                                       std::string_view version, bool permanent) {
  EDDY_RETURN_IF_ERROR(CheckWritable(subject));
  EDDY_ASSIGN_OR_RETURN(int32_t number, ParseVersion(version));
  if (number == 0) {
    // "latest" names the newest version a delete may apply to: the newest live one, or for a
    // permanent delete the newest soft-deleted one.
    EDDY_ASSIGN_OR_RETURN(SubjectSchema latest, GetVersion(subject, "latest", permanent));
    number = latest.version;
  }
  eddy::v1::RegistryCommand command;
  command.mutable_delete_version()->set_subject(subject);
  command.mutable_delete_version()->set_version(number);
  command.mutable_delete_version()->set_permanent(permanent);
  EDDY_ASSIGN_OR_RETURN(CommandResult result, Write(command));
  return result.version;
}

absl::StatusOr<std::vector<int32_t>> RegistryService::DeleteSubject(const std::string& subject,
                                                                    bool permanent) {
  EDDY_RETURN_IF_ERROR(CheckWritable(subject));
  eddy::v1::RegistryCommand command;
  command.mutable_delete_subject()->set_subject(subject);
  command.mutable_delete_subject()->set_permanent(permanent);
  EDDY_ASSIGN_OR_RETURN(CommandResult result, Write(command));
  return std::move(result.versions);
}

}  // namespace eddy::registry
