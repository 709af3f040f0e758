#include "services/registry/registry_store.h"

#include <algorithm>
#include <cstring>
#include <tuple>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"
#include "services/registry/registry_errors.h"

namespace eddy::registry {
namespace {

using eddy::v1::RegistryMode;
using eddy::v1::StoredSchema;
using eddy::v1::StoredVersion;

// Key layout. Ids and versions are big-endian so RocksDB's order is numeric order.
constexpr char kSchemaPrefix[] = "id/";
constexpr char kVersionPrefix[] = "sv/";
constexpr char kConfigPrefix[] = "cfg/";
constexpr char kModePrefix[] = "mode/";
constexpr char kCounterKey[] = "meta/next-id";
constexpr char kAppliedKey[] = "meta/applied";

void AppendBigEndian(std::string& out, int32_t value) {
  const auto v = static_cast<uint32_t>(value);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

int32_t ReadBigEndian(std::string_view bytes) {
  uint32_t v = 0;
  for (char c : bytes.substr(0, 4)) v = (v << 8) | static_cast<uint8_t>(c);
  return static_cast<int32_t>(v);
}

std::string SchemaKey(int32_t id) {
  std::string key(kSchemaPrefix);
  AppendBigEndian(key, id);
  return key;
}

// Subjects never contain NUL (the service rejects control characters), so "\0" ends the subject.
std::string VersionKey(std::string_view subject, int32_t version) {
  std::string key(kVersionPrefix);
  key.append(subject);
  key.push_back('\0');
  AppendBigEndian(key, version);
  return key;
}

std::string Identity(const StoredSchema& schema) {
  StoredSchema copy = schema;
  copy.set_id(0);
  std::string out;
  copy.SerializeToString(&out);
  return out;
}

absl::Status StoreError(std::string_view what, const rocksdb::Status& status) {
  return RegistryError(ErrorCode::kStoreError,
                       absl::StrCat("Error in the backend data store: ",
                                    absl::string_view(what.data(), what.size()), ": ",
                                    status.ToString()));
}

template <typename Message>
absl::Status Decode(std::string_view key, const rocksdb::Slice& value, Message& out) {
  if (!out.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError(absl::StrCat("registry store: cannot decode the record at key \"",
                                            absl::CEscape(absl::string_view(key.data(), key.size())),
                                            "\""));
  }
  return absl::OkStatus();
}

}  // namespace

// Plan is a command's effect: the batch to make durable and the same changes for memory.
struct RegistryStore::Plan {
  rocksdb::WriteBatch batch;
  std::optional<StoredSchema> new_schema;
  std::optional<int32_t> next_id;
  std::vector<std::tuple<std::string, int32_t, StoredVersion>> put_versions;
  std::vector<std::pair<std::string, int32_t>> erase_versions;
  std::vector<std::pair<std::string, std::optional<std::string>>> configs;
  std::vector<std::pair<std::string, std::optional<RegistryMode>>> modes;
  std::optional<int64_t> applied;
  CommandResult result;

  void SetApplied(int64_t index) {
    eddy::v1::StoredApplied record;
    record.set_index(index);
    batch.Put(std::string(kAppliedKey), record.SerializeAsString());
    applied = index;
  }
  void AddSchema(const StoredSchema& schema) {
    batch.Put(SchemaKey(schema.id()), schema.SerializeAsString());
    new_schema = schema;
  }
  void SetNextId(int32_t id) {
    eddy::v1::StoredCounter counter;
    counter.set_next_id(id);
    batch.Put(std::string(kCounterKey), counter.SerializeAsString());
    next_id = id;
  }
  void PutVersion(const std::string& subject, int32_t version, bool deleted, int32_t schema_id) {
    StoredVersion record;
    record.set_schema_id(schema_id);
    record.set_deleted(deleted);
    batch.Put(VersionKey(subject, version), record.SerializeAsString());
    put_versions.emplace_back(subject, version, record);
  }
  void EraseVersion(const std::string& subject, int32_t version) {
    batch.Delete(VersionKey(subject, version));
    erase_versions.emplace_back(subject, version);
  }
};

RegistryStore::RegistryStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

RegistryStore::~RegistryStore() = default;

absl::StatusOr<std::unique_ptr<RegistryStore>> RegistryStore::Open(const std::string& path) {
  rocksdb::Options options;
  options.create_if_missing = true;
  // The registry is small and read from memory; keep RocksDB's own footprint small too.
  options.max_open_files = 64;
  options.keep_log_file_num = 4;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, path, &raw);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("registry store: cannot open RocksDB at ", path, ": ", status.ToString()));
  }
  std::unique_ptr<RegistryStore> store(new RegistryStore(std::unique_ptr<rocksdb::DB>(raw)));
  absl::MutexLock lock(&store->mu_);
  EDDY_RETURN_IF_ERROR(store->Load());
  return store;
}

absl::Status RegistryStore::Load() {
  schemas_.clear();
  ids_by_identity_.clear();
  subjects_.clear();
  uses_.clear();
  configs_.clear();
  modes_.clear();
  next_id_ = 1;
  applied_index_ = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    if (key.starts_with(kSchemaPrefix)) {
      StoredSchema schema;
      EDDY_RETURN_IF_ERROR(Decode(key, it->value(), schema));
      PutSchema(std::move(schema));
    } else if (key.starts_with(kVersionPrefix)) {
      const std::string_view rest = key.substr(std::strlen(kVersionPrefix));
      const size_t nul = rest.find('\0');
      if (nul == std::string_view::npos || rest.size() != nul + 5) {
        return absl::DataLossError(absl::StrCat("registry store: malformed version key \"",
                                                absl::CEscape(absl::string_view(key.data(), key.size())), "\""));
      }
      StoredVersion record;
      EDDY_RETURN_IF_ERROR(Decode(key, it->value(), record));
      PutVersion(std::string(rest.substr(0, nul)), ReadBigEndian(rest.substr(nul + 1)), record);
    } else if (key.starts_with(kConfigPrefix)) {
      eddy::v1::StoredConfig record;
      EDDY_RETURN_IF_ERROR(Decode(key, it->value(), record));
      configs_[std::string(key.substr(std::strlen(kConfigPrefix)))] = record.compatibility();
    } else if (key.starts_with(kModePrefix)) {
      eddy::v1::StoredMode record;
      EDDY_RETURN_IF_ERROR(Decode(key, it->value(), record));
      modes_[std::string(key.substr(std::strlen(kModePrefix)))] = record.mode();
    } else if (key == kCounterKey) {
      eddy::v1::StoredCounter record;
      EDDY_RETURN_IF_ERROR(Decode(key, it->value(), record));
      next_id_ = record.next_id();
    } else if (key == kAppliedKey) {
      eddy::v1::StoredApplied record;
      EDDY_RETURN_IF_ERROR(Decode(key, it->value(), record));
      applied_index_ = record.index();
    } else {
      return absl::DataLossError(absl::StrCat("registry store: unknown key \"",
                                              absl::CEscape(absl::string_view(key.data(), key.size())), "\""));
    }
  }
  if (!it->status().ok()) return StoreError("scan", it->status());
  for (const auto& [id, schema] : schemas_) next_id_ = std::max(next_id_, id + 1);
  return absl::OkStatus();
}

absl::StatusOr<CommandResult> RegistryStore::ApplyEncoded(std::string_view bytes, int64_t index) {
  eddy::v1::RegistryCommand command;
  if (!command.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        absl::StrCat("registry store: log entry ", index, " is not a RegistryCommand"));
  }
  return ApplyAt(command, index);
}

absl::StatusOr<CommandResult> RegistryStore::Apply(const eddy::v1::RegistryCommand& command) {
  return ApplyAt(command, std::nullopt);
}

int64_t RegistryStore::AppliedIndex() const {
  absl::ReaderMutexLock lock(&mu_);
  return applied_index_;
}

absl::StatusOr<std::string> RegistryStore::Snapshot() const {
  // Writers hold apply_mu_ from planning to commit; holding it here makes the scan one state.
  absl::MutexLock writer(&apply_mu_);
  eddy::v1::StoreSnapshot snapshot;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    eddy::v1::StoreSnapshot::Record* record = snapshot.add_records();
    record->set_key(it->key().data(), it->key().size());
    record->set_value(it->value().data(), it->value().size());
  }
  if (!it->status().ok()) return StoreError("snapshot scan", it->status());
  return snapshot.SerializeAsString();
}

absl::Status RegistryStore::Restore(std::string_view data, int64_t index) {
  eddy::v1::StoreSnapshot snapshot;
  if (!snapshot.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return absl::DataLossError(
        absl::StrCat("registry store: the snapshot at log entry ", index, " does not decode"));
  }
  absl::MutexLock writer(&apply_mu_);
  rocksdb::WriteBatch batch;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) batch.Delete(it->key());
    if (!it->status().ok()) return StoreError("restore scan", it->status());
  }
  for (const eddy::v1::StoreSnapshot::Record& record : snapshot.records()) {
    batch.Put(record.key(), record.value());
  }
  eddy::v1::StoredApplied applied;
  applied.set_index(index);
  batch.Put(std::string(kAppliedKey), applied.SerializeAsString());
  rocksdb::WriteOptions options;
  options.sync = true;
  if (rocksdb::Status status = db_->Write(options, &batch); !status.ok()) {
    return StoreError("restore", status);
  }
  absl::MutexLock lock(&mu_);
  return Load();
}

absl::StatusOr<CommandResult> RegistryStore::ApplyAt(const eddy::v1::RegistryCommand& command,
                                                     std::optional<int64_t> index) {
  absl::MutexLock writer(&apply_mu_);
  Plan plan;
  {
    absl::ReaderMutexLock lock(&mu_);
    switch (command.command_case()) {
      case eddy::v1::RegistryCommand::kRegisterSchema:
        EDDY_RETURN_IF_ERROR(PlanRegister(command.register_schema(), plan));
        break;
      case eddy::v1::RegistryCommand::kDeleteVersion:
        EDDY_RETURN_IF_ERROR(PlanDeleteVersion(command.delete_version(), plan));
        break;
      case eddy::v1::RegistryCommand::kDeleteSubject:
        EDDY_RETURN_IF_ERROR(PlanDeleteSubject(command.delete_subject(), plan));
        break;
      case eddy::v1::RegistryCommand::kSetConfig:
        PlanConfig(command.set_config().subject(),
                           command.set_config().compatibility(), plan);
        break;
      case eddy::v1::RegistryCommand::kDeleteConfig:
        PlanConfig(command.delete_config().subject(), std::nullopt, plan);
        break;
      case eddy::v1::RegistryCommand::kSetMode:
        EDDY_RETURN_IF_ERROR(PlanSetMode(command.set_mode(), plan));
        break;
      case eddy::v1::RegistryCommand::kDeleteMode: {
        const std::string& subject = command.delete_mode().subject();
        if (auto it = modes_.find(subject); it != modes_.end()) {
          plan.result.previous = eddy::v1::RegistryMode_Name(it->second);
        }
        plan.batch.Delete(absl::StrCat(kModePrefix, subject));
        plan.modes.emplace_back(subject, std::nullopt);
        break;
      }
      case eddy::v1::RegistryCommand::COMMAND_NOT_SET:
        return absl::InvalidArgumentError("registry store: empty RegistryCommand");
    }
  }
  if (index.has_value()) plan.SetApplied(*index);
  EDDY_RETURN_IF_ERROR(Commit(plan));
  return std::move(plan.result);
}

absl::Status RegistryStore::Commit(Plan& plan) {
  if (plan.batch.Count() > 0) {
    rocksdb::WriteOptions options;
    options.sync = true;
    if (rocksdb::Status status = db_->Write(options, &plan.batch); !status.ok()) {
      return StoreError("write", status);
    }
  }
  absl::MutexLock lock(&mu_);
  if (plan.new_schema.has_value()) PutSchema(std::move(*plan.new_schema));
  if (plan.next_id.has_value()) next_id_ = *plan.next_id;
  if (plan.applied.has_value()) applied_index_ = *plan.applied;
  for (auto& [subject, version, record] : plan.put_versions) PutVersion(subject, version, record);
  for (auto& [subject, version] : plan.erase_versions) EraseVersion(subject, version);
  for (auto& [subject, value] : plan.configs) {
    if (value.has_value()) {
      configs_[subject] = *value;
    } else {
      configs_.erase(subject);
    }
  }
  for (auto& [subject, value] : plan.modes) {
    if (value.has_value()) {
      modes_[subject] = *value;
    } else {
      modes_.erase(subject);
    }
  }
  return absl::OkStatus();
}

absl::Status RegistryStore::PlanRegister(const eddy::v1::RegisterSchemaCommand& command,
                                         Plan& plan) const {
  const std::string& subject = command.subject();
  const StoredSchema& proposed = command.schema();
  int32_t id = 0;
  auto existing = ids_by_identity_.find(Identity(proposed));
  if (proposed.id() > 0) {
    // IMPORT mode: the caller chose the id.
    if (existing != ids_by_identity_.end() && existing->second != proposed.id()) {
      return RegistryError(ErrorCode::kIdDoesNotMatch,
                           absl::StrCat("Schema already registered with id ", existing->second,
                                        " instead of input id ", proposed.id()));
    }
    if (existing == ids_by_identity_.end() && schemas_.contains(proposed.id())) {
      return RegistryError(ErrorCode::kIdDoesNotMatch,
                           absl::StrCat("Overwrite new schema with id ", proposed.id(),
                                        " is not permitted."));
    }
    id = proposed.id();
  } else if (existing != ids_by_identity_.end()) {
    id = existing->second;
  } else {
    if (next_id_ == INT32_MAX) {
      return RegistryError(ErrorCode::kStoreError, "Error in the backend data store: ids exhausted");
    }
    id = next_id_;
  }
  if (!schemas_.contains(id)) {
    StoredSchema record = proposed;
    record.set_id(id);
    plan.AddSchema(record);
    if (id >= next_id_) plan.SetNextId(id + 1);
  }
  plan.result.id = id;

  int32_t last = 0;
  if (auto it = subjects_.find(subject); it != subjects_.end()) {
    for (const auto& [version, record] : it->second) {
      if (record.schema_id() == id && !record.deleted() &&
          (command.version() == 0 || command.version() == version)) {
        plan.result.version = version;  // already registered: nothing more to write
        return absl::OkStatus();
      }
    }
    if (!it->second.empty()) last = it->second.rbegin()->first;
    if (command.version() > 0 && it->second.contains(command.version())) {
      return RegistryError(ErrorCode::kOperationNotPermitted,
                           absl::StrCat("Version ", command.version(), " of subject '", subject,
                                        "' already exists with another schema"));
    }
  }
  plan.result.version = command.version() > 0 ? command.version() : last + 1;
  plan.PutVersion(subject, plan.result.version, false, id);
  return absl::OkStatus();
}

bool RegistryStore::IsReferenced(const std::string& subject, int32_t version) const {
  for (const auto& [name, versions] : subjects_) {
    for (const auto& [v, record] : versions) {
      if (record.deleted()) continue;
      auto schema = schemas_.find(record.schema_id());
      if (schema == schemas_.end()) continue;
      for (const auto& ref : schema->second->references()) {
        if (ref.subject() == subject && ref.version() == version) return true;
      }
    }
  }
  return false;
}

absl::Status RegistryStore::PlanDeleteVersion(const eddy::v1::DeleteVersionCommand& command,
                                              Plan& plan) const {
  const std::string& subject = command.subject();
  auto it = subjects_.find(subject);
  if (it == subjects_.end()) {
    return RegistryError(ErrorCode::kSubjectNotFound, SubjectNotFoundMessage(subject));
  }
  auto version = it->second.find(command.version());
  if (version == it->second.end()) {
    return RegistryError(ErrorCode::kVersionNotFound, VersionNotFoundMessage(command.version()));
  }
  const bool deleted = version->second.deleted();
  if (!command.permanent() && deleted) {
    return RegistryError(ErrorCode::kVersionSoftDeleted,
                         absl::StrCat("Subject '", subject, "' Version ", command.version(),
                                      " was soft deleted.Set permanent=true to delete permanently"));
  }
  if (command.permanent() && !deleted) {
    return RegistryError(ErrorCode::kVersionNotSoftDeleted,
                         absl::StrCat("Subject '", subject, "' Version ", command.version(),
                                      " was not deleted first before being permanently deleted"));
  }
  if (IsReferenced(subject, command.version())) {
    return RegistryError(ErrorCode::kReferenceExists,
                         absl::StrCat("One or more references exist to the schema {subject=",
                                      subject, ",version=", command.version(), "}."));
  }
  if (command.permanent()) {
    plan.EraseVersion(subject, command.version());
  } else {
    plan.PutVersion(subject, command.version(), true, version->second.schema_id());
  }
  plan.result.version = command.version();
  return absl::OkStatus();
}

absl::Status RegistryStore::PlanDeleteSubject(const eddy::v1::DeleteSubjectCommand& command,
                                              Plan& plan) const {
  const std::string& subject = command.subject();
  auto it = subjects_.find(subject);
  if (it == subjects_.end()) {
    return RegistryError(ErrorCode::kSubjectNotFound, SubjectNotFoundMessage(subject));
  }
  const bool any_live = std::any_of(it->second.begin(), it->second.end(),
                                    [](const auto& entry) { return !entry.second.deleted(); });
  if (!command.permanent() && !any_live) {
    return RegistryError(ErrorCode::kSubjectSoftDeleted,
                         absl::StrCat("Subject '", subject,
                                      "' was soft deleted.Set permanent=true to delete permanently"));
  }
  if (command.permanent() && any_live) {
    return RegistryError(ErrorCode::kSubjectNotSoftDeleted,
                         absl::StrCat("Subject '", subject,
                                      "' was not deleted first before being permanently deleted"));
  }
  for (const auto& [version, record] : it->second) {
    if (IsReferenced(subject, version)) {
      return RegistryError(ErrorCode::kReferenceExists,
                           absl::StrCat("One or more references exist to the schema {subject=",
                                        subject, ",version=", version, "}."));
    }
  }
  for (const auto& [version, record] : it->second) {
    if (command.permanent()) {
      plan.EraseVersion(subject, version);
    } else if (!record.deleted()) {
      plan.PutVersion(subject, version, true, record.schema_id());
    } else {
      continue;
    }
    plan.result.versions.push_back(version);
  }
  if (command.permanent()) {
    // A subject deleted for good takes its settings with it, as in Confluent.
    PlanConfig(subject, std::nullopt, plan);
    plan.batch.Delete(absl::StrCat(kModePrefix, subject));
    plan.modes.emplace_back(subject, std::nullopt);
  }
  return absl::OkStatus();
}

absl::Status RegistryStore::PlanSetMode(const eddy::v1::SetModeCommand& command, Plan& plan) const {
  const std::string& subject = command.subject();
  if (command.mode() == RegistryMode::REGISTRY_MODE_IMPORT && !command.force()) {
    const bool has_schemas = subject.empty() ? !subjects_.empty() : subjects_.contains(subject);
    if (has_schemas) {
      return RegistryError(ErrorCode::kOperationNotPermitted,
                           "Cannot import since found existing subjects");
    }
  }
  eddy::v1::StoredMode record;
  record.set_mode(command.mode());
  plan.batch.Put(absl::StrCat(kModePrefix, subject), record.SerializeAsString());
  plan.modes.emplace_back(subject, command.mode());
  return absl::OkStatus();
}

void RegistryStore::PlanConfig(const std::string& subject, std::optional<std::string> value,
                               Plan& plan) const {
  if (auto it = configs_.find(subject); it != configs_.end()) plan.result.previous = it->second;
  const std::string key = absl::StrCat(kConfigPrefix, subject);
  if (value.has_value()) {
    eddy::v1::StoredConfig record;
    record.set_compatibility(*value);
    plan.batch.Put(key, record.SerializeAsString());
  } else {
    plan.batch.Delete(key);
  }
  plan.configs.emplace_back(subject, std::move(value));
}

void RegistryStore::PutSchema(StoredSchema schema) {
  const int32_t id = schema.id();
  ids_by_identity_[Identity(schema)] = id;
  schemas_[id] = std::make_shared<const StoredSchema>(std::move(schema));
}

void RegistryStore::PutVersion(const std::string& subject, int32_t version, StoredVersion record) {
  auto [it, inserted] = subjects_[subject].insert_or_assign(version, std::move(record));
  if (inserted) ++uses_[it->second.schema_id()];
}

void RegistryStore::EraseVersion(const std::string& subject, int32_t version) {
  auto it = subjects_.find(subject);
  if (it == subjects_.end()) return;
  auto found = it->second.find(version);
  if (found == it->second.end()) return;
  if (--uses_[found->second.schema_id()] == 0) uses_.erase(found->second.schema_id());
  it->second.erase(found);
  if (it->second.empty()) subjects_.erase(it);
}

std::shared_ptr<const StoredSchema> RegistryStore::SchemaById(int32_t id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = schemas_.find(id);
  return it == schemas_.end() ? nullptr : it->second;
}

std::optional<int32_t> RegistryStore::FindSchemaId(const StoredSchema& schema) const {
  const std::string identity = Identity(schema);
  absl::ReaderMutexLock lock(&mu_);
  auto it = ids_by_identity_.find(identity);
  if (it == ids_by_identity_.end()) return std::nullopt;
  return it->second;
}

std::vector<VersionInfo> RegistryStore::Versions(std::string_view subject) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<VersionInfo> out;
  auto it = subjects_.find(subject);
  if (it == subjects_.end()) return out;
  for (const auto& [version, record] : it->second) {
    out.push_back({version, record.schema_id(), record.deleted()});
  }
  return out;
}

std::vector<std::string> RegistryStore::Subjects(bool include_deleted) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const auto& [subject, versions] : subjects_) {
    const bool live = std::any_of(versions.begin(), versions.end(),
                                  [](const auto& entry) { return !entry.second.deleted(); });
    if (live || include_deleted) out.push_back(subject);
  }
  return out;
}

std::vector<std::pair<SubjectVersion, int32_t>> RegistryStore::AllVersions() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<std::pair<SubjectVersion, int32_t>> out;
  for (const auto& [subject, versions] : subjects_) {
    for (const auto& [version, record] : versions) {
      out.push_back({{subject, version, record.deleted()}, record.schema_id()});
    }
  }
  return out;
}

bool RegistryStore::IsSchemaUsed(int32_t id) const {
  absl::ReaderMutexLock lock(&mu_);
  return uses_.contains(id);
}

std::vector<SubjectVersion> RegistryStore::VersionsOfSchema(int32_t id) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<SubjectVersion> out;
  for (const auto& [subject, versions] : subjects_) {
    for (const auto& [version, record] : versions) {
      if (record.schema_id() == id) out.push_back({subject, version, record.deleted()});
    }
  }
  return out;
}

std::vector<int32_t> RegistryStore::ReferencedBy(std::string_view subject, int32_t version) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<int32_t> out;
  for (const auto& [name, versions] : subjects_) {
    for (const auto& [v, record] : versions) {
      if (record.deleted()) continue;
      auto schema = schemas_.find(record.schema_id());
      if (schema == schemas_.end()) continue;
      for (const auto& ref : schema->second->references()) {
        if (ref.subject() == subject && ref.version() == version) {
          out.push_back(record.schema_id());
          break;
        }
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<std::string> RegistryStore::Config(std::string_view subject) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = configs_.find(subject);
  if (it == configs_.end()) return std::nullopt;
  return it->second;
}

std::optional<RegistryMode> RegistryStore::Mode(std::string_view subject) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = modes_.find(subject);
  if (it == modes_.end()) return std::nullopt;
  return it->second;
}

int32_t RegistryStore::MaxId() const {
  absl::ReaderMutexLock lock(&mu_);
  return next_id_ - 1;
}

int64_t RegistryStore::SchemaCount() const {
  absl::ReaderMutexLock lock(&mu_);
  return static_cast<int64_t>(schemas_.size());
}

int64_t RegistryStore::SubjectCount() const {
  absl::ReaderMutexLock lock(&mu_);
  return static_cast<int64_t>(subjects_.size());
}

bool RegistryStore::IsEmpty() const {
  absl::ReaderMutexLock lock(&mu_);
  return schemas_.empty() && subjects_.empty() && configs_.empty() && modes_.empty() &&
         applied_index_ == 0;
}

}  // namespace eddy::registry
