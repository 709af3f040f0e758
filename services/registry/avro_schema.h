// AvroSchema: an Avro schema parsed per the Avro 1.11 specification ("Schema Declaration"), as
// Confluent's AvroSchema accepts it for new registrations: primitive, record/error, enum, array,
// map, union and fixed types; named types with namespaces and aliases; logical types (kept when
// valid for their underlying type and ignored otherwise, as the spec requires); defaults validated
// against their field's type (a union's default against its first branch). Named types defined in
// referenced schemas (ResolvedReference, parsed first, recursively) may be used by name.
//
// Invariants: every Node reachable from root() is owned by this AvroSchema (or by nodes parsed from
// its references, also owned here); named types are unique by full name; recursion between named
// types goes through names, so the node graph may have cycles only via record fields.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "services/registry/schema.h"

namespace eddy::registry::avro {

enum class Type {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

// TypeName is the spec's name ("record", "int", ...) — also used in compatibility messages, where
// Avro Java prints the upper-case form (TypeUpperName).
std::string_view TypeName(Type type);
std::string TypeUpperName(Type type);

struct Node;

struct Field {
  std::string name;
  const Node* type = nullptr;
  std::optional<nlohmann::json> default_value;  // "default": null is a present default
  std::string doc;
  std::string order = "ascending";
  std::vector<std::string> aliases;                 // as written (field aliases are simple names)
  nlohmann::json props = nlohmann::json::object();  // other attributes
};

struct Node {
  Type type = Type::kNull;
  // Named types (record, enum, fixed).
  std::string name;                  // simple name
  std::string space;                 // namespace, empty for none
  std::vector<std::string> aliases;  // resolved full names
  std::string doc;
  bool is_error = false;  // declared as "error" (a record)
  // record
  std::vector<Field> fields;
  // enum
  std::vector<std::string> symbols;
  std::optional<std::string> enum_default;
  // fixed
  int64_t size = 0;
  // array items / map values
  const Node* items = nullptr;
  // union
  std::vector<const Node*> branches;
  // A logical type valid for this node's type ("decimal", "uuid", ...), else empty.
  std::string logical_type;
  // Every attribute not modelled above, in source order (including "logicalType", "precision",
  // "scale" and invalid logical types), kept for the canonical string.
  nlohmann::json props = nlohmann::json::object();
  // Longest chain of nested types below and including this one, following named types by name
  // (a recursive use counts 0). Bounded by kMaxTypeDepth, so every walk of the graph that stops at
  // revisited named types recurses at most that deep.
  int depth = 1;

  bool IsNamed() const {
    return type == Type::kRecord || type == Type::kEnum || type == Type::kFixed;
  }
  std::string FullName() const { return space.empty() ? name : space + "." + name; }
};

// kMaxTypeDepth bounds Node::depth. Deeper chains can only be built through references, each
// reusing the previous one's types by name.
inline constexpr int kMaxTypeDepth = 2 * kMaxSchemaNesting;

class AvroSchema final : public ParsedSchema {
 public:
  // Parse builds an AvroSchema; see the file comment for what is validated.
  static absl::StatusOr<std::unique_ptr<AvroSchema>> Parse(
      std::string_view text, const std::vector<ResolvedReference>& references);

  SchemaType type() const override { return SchemaType::kAvro; }
  const std::string& CanonicalString() const override { return canonical_; }
  std::string Normalized() const override;
  std::vector<std::string> BackwardIncompatibilities(
      const ParsedSchema& previous, std::string_view self_label,
      std::string_view previous_label) const override;

  // ParsingCanonicalForm is the spec's Parsing Canonical Form of the whole schema (types from
  // references inlined at first use), the basis of Avro fingerprints.
  std::string ParsingCanonicalForm() const;

  const Node* root() const { return root_; }

 private:
  friend class AvroParser;
  explicit AvroSchema(std::vector<ResolvedReference> references)
      : ParsedSchema(std::move(references)) {}

  std::vector<std::unique_ptr<Node>> nodes_;
  // Full names of named types that came from references; printed by name in CanonicalString.
  std::vector<std::string> referenced_names_;
  const Node* root_ = nullptr;
  std::string canonical_;
};

}  // namespace eddy::registry::avro
