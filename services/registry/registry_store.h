// RegistryStore: the schema registry's state (schemas by id, subject versions, compatibility and
// mode settings, the id counter) held in memory and persisted in RocksDB.
//
// Writes are RegistryCommands (proto/eddy/v1/registry_store.proto). Apply() checks a command
// against the current state, writes its effect as one RocksDB WriteBatch with sync=true, and only
// then makes it visible to readers, so whatever a caller acknowledges survives kill -9. Apply is
// deterministic: the same commands in the same order give the same state and results, which is
// what lets a replicated registry run them through libs/raft (ApplyEncoded takes the bytes a log
// entry would carry).
//
// Invariants:
//  - Schema ids are issued from a persisted counter and never reused; an identical schema (same
//    type, text, references, metadata and ruleSet) registered under any subject gets the id it
//    already has. Schema records are never deleted, so a schema registered again after a permanent
//    delete gets its old id back.
//  - A subject's versions only grow; a version is soft-deleted before it can be deleted
//    permanently, and neither while a live version of another schema references it.
//
// Thread-safety: reads take a shared lock and never wait for a write's fsync; writes are
// serialized among themselves. All methods are safe to call concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "proto/eddy/v1/registry_store.pb.h"

namespace rocksdb {
class DB;
}

namespace eddy::registry {

// VersionInfo is one version of a subject.
struct VersionInfo {
  int32_t version = 0;
  int32_t schema_id = 0;
  bool deleted = false;
};

// SubjectVersion names one version of one subject.
struct SubjectVersion {
  std::string subject;
  int32_t version = 0;
  bool deleted = false;
};

// CommandResult is what a command did, for the REST answer.
struct CommandResult {
  int32_t id = 0;                 // register_schema: the schema's id
  int32_t version = 0;            // register_schema, delete_version: the version
  std::vector<int32_t> versions;  // delete_subject: the versions deleted
  std::string previous;           // delete_config: the level removed; delete_mode: the mode
};

class RegistryStore {
 public:
  // Open opens (creating if missing) the RocksDB database in directory `path` and loads it.
  // Errors: kDataLoss for records it cannot decode, kInternal for RocksDB failures.
  static absl::StatusOr<std::unique_ptr<RegistryStore>> Open(const std::string& path);
  ~RegistryStore();

  RegistryStore(const RegistryStore&) = delete;
  RegistryStore& operator=(const RegistryStore&) = delete;

  // Apply applies one command, durably, and returns what it did; a command the state refuses
  // returns a RegistryError (registry_errors.h) and changes nothing.
  absl::StatusOr<CommandResult> Apply(const eddy::v1::RegistryCommand& command);
  // ApplyEncoded is Apply for a serialized RegistryCommand: replicated log entry `index` (> 0),
  // recorded as AppliedIndex() in the same batch as the command's effect. A refused command
  // changes nothing, index included: replaying it is refused again, state being the same.
  absl::StatusOr<CommandResult> ApplyEncoded(std::string_view bytes, int64_t index);

  // AppliedIndex is the last log entry whose effect the store holds (0 on a single replica).
  int64_t AppliedIndex() const;
  // Snapshot serializes the whole store (a StoreSnapshot), applied index included.
  absl::StatusOr<std::string> Snapshot() const;
  // Restore replaces the whole store with `snapshot` (made by Snapshot) as of log entry `index`,
  // durably. kDataLoss when it does not decode (the store is then unchanged).
  absl::Status Restore(std::string_view snapshot, int64_t index);

  // SchemaById returns the schema with `id`, or null. The record is immutable and may be kept.
  std::shared_ptr<const eddy::v1::StoredSchema> SchemaById(int32_t id) const;
  // FindSchemaId returns the id of a schema identical to `schema` (its id field is ignored).
  std::optional<int32_t> FindSchemaId(const eddy::v1::StoredSchema& schema) const;
  // Versions returns every version of `subject`, soft-deleted ones included, oldest first; empty
  // when the subject has none.
  std::vector<VersionInfo> Versions(std::string_view subject) const;
  // Subjects returns subject names in order: those with a live version, plus (with
  // `include_deleted`) those whose versions are all soft-deleted.
  std::vector<std::string> Subjects(bool include_deleted) const;
  // AllVersions returns every (subject, version) in subject then version order.
  std::vector<std::pair<SubjectVersion, int32_t>> AllVersions() const;
  // IsSchemaUsed says whether some subject version (soft-deleted ones included) uses schema `id`.
  bool IsSchemaUsed(int32_t id) const;
  // VersionsOfSchema returns the subject versions that use schema `id`.
  std::vector<SubjectVersion> VersionsOfSchema(int32_t id) const;
  // ReferencedBy returns the ids of schemas whose live versions reference `subject` `version`.
  std::vector<int32_t> ReferencedBy(std::string_view subject, int32_t version) const;
  // Config returns the compatibility level name set for `subject` ("" = global), if any.
  std::optional<std::string> Config(std::string_view subject) const;
  // Mode returns the mode set for `subject` ("" = global), if any.
  std::optional<eddy::v1::RegistryMode> Mode(std::string_view subject) const;
  // MaxId is the largest id issued so far (0 before the first).
  int32_t MaxId() const;
  int64_t SchemaCount() const;
  int64_t SubjectCount() const;
  // IsEmpty says whether the store holds nothing at all (no schema, version, config or mode).
  bool IsEmpty() const;

 private:
  struct Plan;
  using VersionMap = std::map<int32_t, eddy::v1::StoredVersion>;

  explicit RegistryStore(std::unique_ptr<rocksdb::DB> db);
  absl::Status Load() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<CommandResult> ApplyAt(const eddy::v1::RegistryCommand& command,
                                        std::optional<int64_t> index);
  absl::Status Commit(Plan& plan);

  absl::Status PlanRegister(const eddy::v1::RegisterSchemaCommand& command, Plan& plan) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::Status PlanDeleteVersion(const eddy::v1::DeleteVersionCommand& command, Plan& plan) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::Status PlanDeleteSubject(const eddy::v1::DeleteSubjectCommand& command, Plan& plan) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::Status PlanSetMode(const eddy::v1::SetModeCommand& command, Plan& plan) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // PlanConfig sets (or with nullopt removes) the compatibility level of `subject`.
  void PlanConfig(const std::string& subject, std::optional<std::string> value, Plan& plan) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // IsReferenced says whether a live version's schema references `subject` `version`.
  bool IsReferenced(const std::string& subject, int32_t version) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // Memory mutations, run under the exclusive lock after the batch is durable.
  void PutSchema(eddy::v1::StoredSchema schema) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PutVersion(const std::string& subject, int32_t version, eddy::v1::StoredVersion record)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EraseVersion(const std::string& subject, int32_t version)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::unique_ptr<rocksdb::DB> db_;
  // Serializes writers, so a plan made under the shared lock is still valid when committed.
  mutable absl::Mutex apply_mu_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<int32_t, std::shared_ptr<const eddy::v1::StoredSchema>> schemas_
      ABSL_GUARDED_BY(mu_);
  // Identity (the record serialized with id 0) → id.
  absl::flat_hash_map<std::string, int32_t> ids_by_identity_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, VersionMap, std::less<>> subjects_ ABSL_GUARDED_BY(mu_);
  // Schema id → how many subject versions use it, so id lookups need no scan.
  absl::flat_hash_map<int32_t, int32_t> uses_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string, std::less<>> configs_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, eddy::v1::RegistryMode, std::less<>> modes_ ABSL_GUARDED_BY(mu_);
  int32_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  int64_t applied_index_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace eddy::registry
