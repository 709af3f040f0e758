// The registry's schema-type core: parsing, canonical forms and Confluent's compatibility rules for
// the three schema types a Confluent Schema Registry 7.x serves (AVRO, PROTOBUF, JSON). It is pure:
// no I/O, no clock, no locks; the REST server and the store call it.
//
// ParseSchema validates a schema text together with the schemas its references resolve to and
// returns an immutable ParsedSchema, or InvalidArgument with a message naming the problem (the
// server answers 42201 "Invalid schema"). Malformed input of any size or nesting never crashes:
// nesting deeper than kMaxSchemaNesting is rejected before any recursive descent.
//
// What is stored and compared (checked against Confluent 7.x behaviour):
//   AVRO      CanonicalString() is the parsed schema printed back the way Avro's Schema.toString()
//             does: compact JSON, attributes in Avro's order, names relative to the enclosing
//             namespace, doc/aliases/defaults/custom properties kept, types defined in references
//             written by name. So `{"type": "string"}` is stored and returned as `"string"`, and
//             two texts that differ only in whitespace or key order are the same schema. (One
//             difference from Avro Java: custom properties and the keys inside default values come
//             out sorted, not in the client's order, because objects are parsed into sorted maps to
//             keep parsing linear in the number of keys.)
//             Normalized() (for ?normalize=true) is the Parsing Canonical Form of the Avro spec
//             plus the attributes that change how data resolves (default, aliases, order, logical
//             types).
//   PROTOBUF  CanonicalString() is the .proto re-printed from its file descriptor (comments and
//             layout dropped); Normalized() additionally sorts fields by number and imports.
//   JSON      CanonicalString() is the document as compact JSON in its original key order;
//             Normalized() sorts object keys.
// Equivalent() is what "is this schema already registered" means: same type, same canonical string
// and the same references.
//
// CheckCompatibility implements the seven levels the way Confluent's CompatibilityChecker does:
// BACKWARD = the proposed schema reads data written with the previous ones; FORWARD = the previous
// ones read data written with the proposed one; FULL = both; *_TRANSITIVE check every previous
// schema (newest first, stopping at the first that fails), the others only the latest.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace eddy::registry {

// kMaxSchemaNesting bounds the nesting of JSON arrays/objects (AVRO, JSON) and of braces (PROTOBUF)
// in a schema text. Real schemas stay far below it; it exists so recursion is bounded.
inline constexpr int kMaxSchemaNesting = 128;

enum class SchemaType { kAvro, kProtobuf, kJson };

// SchemaTypeName returns Confluent's name: "AVRO", "PROTOBUF" or "JSON".
std::string_view SchemaTypeName(SchemaType type);
// ParseSchemaType accepts Confluent's names exactly; an absent schemaType means AVRO (caller's
// job).
std::optional<SchemaType> ParseSchemaType(std::string_view name);

enum class CompatibilityLevel {
  kNone,
  kBackward,
  kBackwardTransitive,
  kForward,
  kForwardTransitive,
  kFull,
  kFullTransitive,
};

// CompatibilityLevelName returns Confluent's name, e.g. "BACKWARD_TRANSITIVE".
std::string_view CompatibilityLevelName(CompatibilityLevel level);
std::optional<CompatibilityLevel> ParseCompatibilityLevel(std::string_view name);

// SchemaReference is a reference as registered: the name the schema imports it by (an Avro full
// name, a .proto import path, a JSON Schema $ref URL) and the subject-version that holds it.
struct SchemaReference {
  std::string name;
  std::string subject;
  int32_t version = 0;

  bool operator==(const SchemaReference&) const = default;
};

// ResolvedReference is a reference with the referenced schema's text and, recursively, its own
// resolved references. The store resolves them; this core never looks anything up.
struct ResolvedReference {
  std::string name;
  SchemaType type = SchemaType::kAvro;
  std::string schema;
  std::vector<ResolvedReference> references;

  bool operator==(const ResolvedReference&) const = default;
};

// ParsedSchema is one validated schema. Immutable after ParseSchema; safe to share across threads.
class ParsedSchema {
 public:
  virtual ~ParsedSchema() = default;

  virtual SchemaType type() const = 0;
  // CanonicalString is what the registry stores and returns for this schema (see file comment).
  virtual const std::string& CanonicalString() const = 0;
  // Normalized is the form registered instead when the client asks for ?normalize=true.
  virtual std::string Normalized() const = 0;
  const std::vector<ResolvedReference>& references() const { return references_; }

  // Equivalent says whether `other` is the same schema for lookups and re-registration.
  bool Equivalent(const ParsedSchema& other) const;

  // BackwardIncompatibilities lists why this schema cannot replace `previous` (Confluent's
  // ParsedSchema.isBackwardCompatible): for AVRO, why this schema as reader cannot read data
  // written with `previous`. Each message is Confluent's verbose form, in which this schema is
  // called `self_label` and `previous` is called `previous_label` ("new"/"old"). Empty when
  // compatible.
  virtual std::vector<std::string> BackwardIncompatibilities(
      const ParsedSchema& previous, std::string_view self_label,
      std::string_view previous_label) const = 0;

 protected:
  explicit ParsedSchema(std::vector<ResolvedReference> references)
      : references_(std::move(references)) {}

 private:
  std::vector<ResolvedReference> references_;
};

// ParseSchema parses and validates `text` of type `type`; names that `text` imports resolve to
// `references`. Errors are InvalidArgument whose message says what is wrong and where.
absl::StatusOr<std::unique_ptr<ParsedSchema>> ParseSchema(
    SchemaType type, std::string_view text, const std::vector<ResolvedReference>& references);

// PreviousSchema is one registered version that a proposed schema is checked against.
struct PreviousSchema {
  const ParsedSchema* schema = nullptr;
  int32_t version = 0;  // 0: unknown, not reported
};

// CheckCompatibility returns Confluent's verbose incompatibility messages for registering
// `proposed` after `previous` (oldest first) under `level`, or an empty vector when compatible.
// After the reasons it appends, as Confluent does, "{oldSchemaVersion: N}", "{oldSchema: '...'}"
// for the version that failed, and "{compatibility: 'LEVEL'}". (Confluent's FULL levels quote the
// old schema only when the backward half fails; here it is quoted whenever the version fails.)
std::vector<std::string> CheckCompatibility(CompatibilityLevel level, const ParsedSchema& proposed,
                                            const std::vector<PreviousSchema>& previous);

}  // namespace eddy::registry
