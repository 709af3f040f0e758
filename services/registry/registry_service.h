// RegistryService: what the Confluent REST routes do, without HTTP. It resolves references, parses
// schemas with the schema core (schema.h), checks compatibility under the configured level and
// mode, and turns the outcome into RegistryCommands for the RegistryStore. Errors are
// RegistryErrors (registry_errors.h) carrying Confluent's codes and messages.
//
// Registration is serialized (one compatibility check and write at a time, so two concurrent
// registrations cannot both pass against the same old state); lookups and reads never wait for
// it. Parsed schemas are cached by id: stored schemas are immutable, so the cache never goes stale.
//
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/registry/registry_store.h"
#include "services/registry/registry_writer.h"
#include "services/registry/schema.h"

namespace eddy::registry {

// kDefaultCompatibility is the level of a registry nobody configured (Confluent's default).
inline constexpr CompatibilityLevel kDefaultCompatibility = CompatibilityLevel::kBackward;

// ModeName is Confluent's name of a mode: READWRITE, READONLY or IMPORT.
std::string_view ModeName(eddy::v1::RegistryMode mode);
// ParseModeName reads a mode name in any letter case.
std::optional<eddy::v1::RegistryMode> ParseModeName(std::string_view name);

// SchemaInput is a schema as a client sends it (register, lookup, compatibility check).
struct SchemaInput {
  SchemaType type = SchemaType::kAvro;
  std::string schema;
  std::vector<SchemaReference> references;
  std::string metadata_json;  // compact JSON object, or empty
  std::string rule_set_json;  // compact JSON object, or empty
  int32_t id = 0;             // IMPORT mode only
  int32_t version = 0;        // IMPORT mode only
};

// SubjectSchema is one subject version with its schema.
struct SubjectSchema {
  std::string subject;
  int32_t version = 0;
  bool deleted = false;
  std::shared_ptr<const eddy::v1::StoredSchema> schema;
};

// Registered is the answer to a registration.
struct Registered {
  int32_t id = 0;
  int32_t version = 0;
};

struct RegistryServiceOptions {
  // Largest schema text accepted (bytes); larger ones get 42209 as in Confluent.
  int64_t max_schema_bytes = 1 << 20;
};

class RegistryService {
 public:
  // `store` (read) and `writer` (written through) must outlive the service. `on_incompatible`
  // (may be empty) runs once per registration refused as incompatible, for metrics.
  RegistryService(RegistryStore& store, RegistryWriter& writer, RegistryServiceOptions options,
                  std::function<void()> on_incompatible = {});

  const RegistryStore& store() const { return store_; }

  // Write runs one command (config and mode changes) through the writer, serialized with the
  // other writes.
  absl::StatusOr<CommandResult> Write(const eddy::v1::RegistryCommand& command);

  // ValidateSubject returns 42208 for a name Confluent refuses: empty, control characters.
  static absl::Status ValidateSubject(std::string_view subject);

  absl::StatusOr<Registered> Register(const std::string& subject, const SchemaInput& input,
                                      bool normalize);
  // Lookup finds `input` among the versions of `subject` (POST /subjects/{subject}).
  absl::StatusOr<SubjectSchema> Lookup(const std::string& subject, const SchemaInput& input,
                                       bool normalize, bool include_deleted) const;
  // GetVersion resolves `version` ("latest", "-1" or 1..2^31-1) of `subject`.
  absl::StatusOr<SubjectSchema> GetVersion(const std::string& subject, std::string_view version,
                                           bool include_deleted) const;
  // Versions lists the version numbers of `subject`; 40401 when it has none to show.
  absl::StatusOr<std::vector<int32_t>> Versions(const std::string& subject, bool include_deleted,
                                                bool deleted_only) const;
  // TestCompatibility checks `input` against `version` of `subject`, or with no version against
  // the versions the subject's level covers; it returns the incompatibility messages.
  absl::StatusOr<std::vector<std::string>> TestCompatibility(
      const std::string& subject, std::optional<std::string_view> version,
      const SchemaInput& input, bool normalize);

  absl::StatusOr<int32_t> DeleteVersion(const std::string& subject, std::string_view version,
                                        bool permanent);
  absl::StatusOr<std::vector<int32_t>> DeleteSubject(const std::string& subject, bool permanent);

  // EffectiveLevel is the subject's level, else the global one, else the default.
  CompatibilityLevel EffectiveLevel(std::string_view subject) const;
  // EffectiveMode is the subject's mode, else the global one, else READWRITE.
  eddy::v1::RegistryMode EffectiveMode(std::string_view subject) const;

  // ParsedById returns schema `id` parsed (cached). 40403 when there is no such schema.
  absl::StatusOr<std::shared_ptr<const ParsedSchema>> ParsedById(int32_t id) const;

  // ParseVersion parses a version path segment; 0 means "latest". 42202 when invalid.
  static absl::StatusOr<int32_t> ParseVersion(std::string_view version);

 private:
  // Prepared is a client's schema parsed and turned into the record it would be stored as.
  struct Prepared {
    std::unique_ptr<ParsedSchema> parsed;
    eddy::v1::StoredSchema record;
  };

  absl::StatusOr<Prepared> Prepare(const SchemaInput& input, bool normalize) const;
  absl::StatusOr<std::vector<ResolvedReference>> Resolve(
      const std::vector<SchemaReference>& references, int depth) const;
  // PreviousSchemas returns the live versions of `subject`, oldest first, parsed.
  absl::StatusOr<std::vector<std::pair<int32_t, std::shared_ptr<const ParsedSchema>>>>
  LiveVersions(const std::string& subject) const;
  absl::Status CheckWritable(std::string_view subject) const;

  RegistryStore& store_;
  RegistryWriter& writer_;
  const RegistryServiceOptions options_;
  const std::function<void()> on_incompatible_;
  absl::Mutex register_mu_;
  mutable absl::Mutex cache_mu_;
  mutable absl::flat_hash_map<int32_t, std::shared_ptr<const ParsedSchema>> parsed_
      ABSL_GUARDED_BY(cache_mu_);
};

}  // namespace eddy::registry
