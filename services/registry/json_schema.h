// JsonSchema: a JSON Schema document (drafts 4, 6, 7, 2019-09 and 2020-12, as Confluent accepts
// them), validated as a schema — every keyword this module knows must have the type its draft
// gives it (e.g. "required" an array of strings, "minLength" a non-negative integer, "pattern" a
// valid regular expression) — and compiled into a Node graph for compatibility checking, the way
// Confluent's loader (everit) models it:
//   true / {}                  kEmpty         false        kFalse
//   "type": "object" etc.      one Node per type; a list of types is an anyOf of them
//   enum / const               kEnum          not          kNot
//   allOf / anyOf / oneOf      kCombined      $ref         kReference (resolved)
// A schema object combining several of these (say "type" and "allOf") is an allOf of the parts.
// $ref resolves within the document (JSON pointers, "#", $anchor) and to ResolvedReferences,
// matched by reference name or by the referenced document's $id; an unresolvable $ref is an invalid
// schema.
//
// Invariants: the graph may be cyclic (through kReference nodes only); every Node is owned here.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "services/registry/schema.h"

namespace eddy::registry::json {

enum class Kind {
  kEmpty,
  kFalse,
  kObject,
  kArray,
  kString,
  kNumber,
  kBoolean,
  kNull,
  kEnum,
  kCombined,
  kNot,
  kReference,
};

struct Node {
  Kind kind = Kind::kEmpty;
  // Metadata every kind carries.
  std::optional<nlohmann::json> id, title, description, default_value;
  // kString
  std::optional<double> min_length, max_length;
  std::optional<std::string> pattern;
  // kNumber ("integer" sets requires_integer)
  bool requires_integer = false;
  std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of;
  // kObject
  std::vector<std::pair<std::string, const Node*>> properties;
  std::set<std::string> required;
  bool permits_additional_properties = true;
  const Node* additional_properties = nullptr;  // the schema form of additionalProperties
  std::vector<std::pair<std::string, const Node*>> pattern_properties;
  std::map<std::string, std::set<std::string>> property_dependencies;
  std::map<std::string, const Node*> schema_dependencies;
  std::optional<double> min_properties, max_properties;
  // kArray
  const Node* all_items = nullptr;        // "items" as one schema
  std::vector<const Node*> item_schemas;  // tuple form ("items" array, or "prefixItems")
  bool permits_additional_items = true;
  const Node* additional_items = nullptr;  // the schema form of additionalItems
  std::optional<double> min_items, max_items;
  bool unique_items = false;
  // kEnum (const is an enum of one value)
  std::vector<nlohmann::json> enum_values;
  // kCombined: "allOf", "anyOf" or "oneOf"
  std::string criterion;
  std::vector<const Node*> subschemas;
  // kNot
  const Node* not_schema = nullptr;
  // kReference
  std::string ref;
  const Node* referred = nullptr;
  // The schema object this node was built from, and the type it was built for when one object
  // with a list of types became several nodes ("" otherwise): together they tell equal subschemas
  // of a combined schema apart from different ones.
  const nlohmann::json* json = nullptr;
  std::string split_type;
};

class JsonSchema final : public ParsedSchema {
 public:
  static absl::StatusOr<std::unique_ptr<JsonSchema>> Parse(
      std::string_view text, const std::vector<ResolvedReference>& references);

  SchemaType type() const override { return SchemaType::kJson; }
  const std::string& CanonicalString() const override { return canonical_; }
  std::string Normalized() const override;
  // Confluent's JSON Schema rules (io.confluent.kafka.schemaregistry.json.diff), comparing
  // `previous` as the original and this schema as the update; see json_compatibility.cc.
  std::vector<std::string> BackwardIncompatibilities(
      const ParsedSchema& previous, std::string_view self_label,
      std::string_view previous_label) const override;

  const Node* root() const { return root_; }

 private:
  friend class JsonSchemaBuilder;
  explicit JsonSchema(std::vector<ResolvedReference> references)
      : ParsedSchema(std::move(references)) {}

  // Parsed documents, [0] this schema and then its references. Keys are sorted (nlohmann::json);
  // the canonical string is the text minified, so it keeps the client's key order.
  std::vector<std::unique_ptr<nlohmann::json>> documents_;
  std::vector<std::unique_ptr<Node>> nodes_;
  const Node* root_ = nullptr;
  std::string canonical_;
};

}  // namespace eddy::registry::json
