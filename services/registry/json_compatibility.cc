// Confluent's JSON Schema compatibility rules (io.confluent.kafka.schemaregistry.json.diff): the
// original (previous) schema is diffed against the update (proposed); the update is compatible
// when every difference is one that only accepts more documents — e.g. a maximum raised, a
// required attribute dropped, a type widened (integer → number, T → anyOf[T, U]), an enum
// extended. The content model decides what adding or removing a property means:
//   open (no additionalProperties/patternProperties; anything may appear): removing a property is
//     compatible, adding one is not (unless its schema is empty: old data may hold any value);
//   closed (additionalProperties: false): adding an optional property is compatible, removing one
//     is not (unless it was `false`);
//   partially open (patternProperties or an additionalProperties schema): adding/removing is
//     compatible when the covering schema is compatible with the property's.
// Arrays' tuple items follow the same three models through additionalItems.
#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "re2/re2.h"
#include "services/registry/internal/json_difference.h"
#include "services/registry/json_schema.h"

namespace eddy::registry::json {
namespace {

using Json = nlohmann::json;

struct Diff {
  std::string type;
  std::string path;  // relative to the pair compared, "" for the pair itself
};
using Diffs = std::vector<Diff>;

// Past this depth of nested comparisons (reachable only through long $ref chains) the remaining
// subschemas are assumed compatible, as recursive cycles are.
constexpr int kMaxCompareDepth = 2 * kMaxSchemaNesting;
// Combined schemas compare every original subschema with every update subschema up to this many
// pairs (64 x 64).
constexpr size_t kMaxPairings = 4096;

bool AllCompatible(const Diffs& diffs) {
  return std::all_of(diffs.begin(), diffs.end(),
                     [](const Diff& d) { return internal::IsCompatibleJsonChange(d.type); });
}

std::string Join(const std::string& prefix, const std::string& path) {
  if (prefix.empty()) return path;
  return path.empty() ? prefix : prefix + "/" + path;
}

void AddAll(Diffs* out, const std::string& prefix, const Diffs& diffs) {
  for (const Diff& d : diffs) out->push_back({d.type, Join(prefix, d.path)});
}

// Deref follows $ref nodes; a chain that loops back on itself stays a reference.
const Node* Deref(const Node* node) {
  for (int hops = 0;
       node->kind == Kind::kReference && node->referred != nullptr && hops < kMaxSchemaNesting;
       ++hops) {
    node = node->referred;
  }
  return node;
}

bool IsOpen(const Node& object) {
  return object.pattern_properties.empty() && object.additional_properties == nullptr &&
         object.permits_additional_properties;
}

const Node* PartialSchemaFor(const Node& object, const std::string& key) {
  for (const auto& [pattern, schema] : object.pattern_properties) {
    RE2::Options options;
    options.set_log_errors(false);
    RE2 re(pattern, options);
    if (re.ok() && RE2::PartialMatch(key, re)) return schema;
  }
  return object.additional_properties;
}

// Content identifies a subschema by what it says, so duplicates in a combined schema collapse. The
// kind and split type tell apart the nodes one schema object with several keyword groups became.
std::string Content(const Node* node) {
  return (node->json != nullptr ? node->json->dump(-1, ' ', false, Json::error_handler_t::replace)
                                : std::string()) +
         "|" + node->split_type + "|" + std::to_string(static_cast<int>(node->kind));
}

// Limit compares an optional numeric keyword and adds <NAME>_ADDED/_REMOVED/_INCREASED/_DECREASED.
void Limit(Diffs* out, const char* keyword, const std::string& name,
           const std::optional<double>& original, const std::optional<double>& update) {
  if (original == update) return;
  if (!original) {
    out->push_back({name + "_ADDED", keyword});
  } else if (!update) {
    out->push_back({name + "_REMOVED", keyword});
  } else {
    out->push_back({name + (*original < *update ? "_INCREASED" : "_DECREASED"), keyword});
  }
}

class JsonDiff {
 public:
  // Compare returns the differences between `original` and `update` (either may be null).
  Diffs Compare(const Node* original, const Node* update, int depth) {
    if (original == nullptr && update == nullptr) return {};
    if (original == nullptr) return {{"SCHEMA_ADDED", ""}};
    if (update == nullptr) return {{"SCHEMA_REMOVED", ""}};
    original = Deref(original);
    update = Deref(update);
    const auto key = std::make_pair(original, update);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    // A pair met again while being compared is a recursive cycle: compatible, and not cached.
    if (depth > kMaxCompareDepth || !in_progress_.insert(key).second) return {};
    Diffs diffs = CompareUncached(*original, *update, depth);
    in_progress_.erase(key);
    memo_[key] = diffs;
    return diffs;
  }

 private:
  Diffs CompareUncached(const Node& o, const Node& u, int depth) {
    if (o.kind != Kind::kCombined && u.kind == Kind::kCombined) {
      if (u.subschemas.size() == 1) {
        Diffs sub = Compare(&o, u.subschemas[0], depth + 1);
        if (AllCompatible(sub)) return sub;
      } else if (u.criterion != "allOf") {
        for (const Node* s : u.subschemas) {
          Diffs sub = Compare(&o, s, depth + 1);
          if (AllCompatible(sub)) {
            sub.push_back({"SUM_TYPE_EXTENDED", ""});
            return sub;
          }
        }
      }
    } else if (o.kind == Kind::kCombined && u.kind != Kind::kCombined && o.subschemas.size() == 1) {
      Diffs sub = Compare(o.subschemas[0], &u, depth + 1);
      if (AllCompatible(sub)) return sub;
    }
    if (o.kind != u.kind) {
      if (o.kind == Kind::kFalse || u.kind == Kind::kEmpty) return {};
      return {{"TYPE_CHANGED", ""}};
    }
    Diffs out;
    if (o.id != u.id) out.push_back({"ID_CHANGED", ""});
    if (o.title != u.title) out.push_back({"TITLE_CHANGED", ""});
    if (o.description != u.description) out.push_back({"DESCRIPTION_CHANGED", ""});
    if (o.default_value != u.default_value) out.push_back({"DEFAULT_CHANGED", ""});
    switch (o.kind) {
      case Kind::kString:
        Limit(&out, "maxLength", "MAX_LENGTH", o.max_length, u.max_length);
        Limit(&out, "minLength", "MIN_LENGTH", o.min_length, u.min_length);
        if (o.pattern != u.pattern) {
          out.push_back({!o.pattern   ? "PATTERN_ADDED"
                         : !u.pattern ? "PATTERN_REMOVED"
                                      : "PATTERN_CHANGED",
                         "pattern"});
        }
        break;
      case Kind::kNumber:
        CompareNumbers(o, u, &out);
        break;
      case Kind::kEnum:
        CompareEnums(o, u, &out);
        break;
      case Kind::kCombined:
        CompareCombined(o, u, depth, &out);
        break;
      case Kind::kNot: {
        // The negated schemas compare the other way round.
        const Diffs sub = Compare(u.not_schema, o.not_schema, depth + 1);
        out.push_back({AllCompatible(sub) ? "NOT_TYPE_NARROWED" : "NOT_TYPE_EXTENDED", "not"});
        break;
      }
      case Kind::kObject:
        CompareObjects(o, u, depth, &out);
        break;
      case Kind::kArray:
        CompareArrays(o, u, depth, &out);
        break;
      default:
        break;
    }
    return out;
  }

  static void CompareNumbers(const Node& o, const Node& u, Diffs* out) {
    Limit(out, "maximum", "MAXIMUM", o.maximum, u.maximum);
    Limit(out, "minimum", "MINIMUM", o.minimum, u.minimum);
    Limit(out, "exclusiveMaximum", "EXCLUSIVE_MAXIMUM", o.exclusive_maximum, u.exclusive_maximum);
    Limit(out, "exclusiveMinimum", "EXCLUSIVE_MINIMUM", o.exclusive_minimum, u.exclusive_minimum);
    if (o.multiple_of != u.multiple_of) {
      auto divides = [](double a, double b) {  // a divides b
        const double q = b / a;
        return std::abs(q - std::round(q)) < 1e-9;
      };
      std::string type;
      if (!o.multiple_of) {
        type = "MULTIPLE_OF_ADDED";
      } else if (!u.multiple_of) {
        type = "MULTIPLE_OF_REMOVED";
      } else if (divides(*o.multiple_of, *u.multiple_of)) {
        type = "MULTIPLE_OF_EXPANDED";
      } else if (divides(*u.multiple_of, *o.multiple_of)) {
        type = "MULTIPLE_OF_REDUCED";
      } else {
        type = "MULTIPLE_OF_CHANGED";
      }
      out->push_back({type, "multipleOf"});
    }
    if (o.requires_integer != u.requires_integer) {
      out->push_back({o.requires_integer ? "TYPE_EXTENDED" : "TYPE_NARROWED", ""});
    }
  }

  static void CompareEnums(const Node& o, const Node& u, Diffs* out) {
    const std::set<Json> ov(o.enum_values.begin(), o.enum_values.end());
    const std::set<Json> uv(u.enum_values.begin(), u.enum_values.end());
    const bool u_has_o = std::includes(uv.begin(), uv.end(), ov.begin(), ov.end());
    const bool o_has_u = std::includes(ov.begin(), ov.end(), uv.begin(), uv.end());
    if (u_has_o && o_has_u) return;
    out->push_back({u_has_o   ? "ENUM_ARRAY_EXTENDED"
                    : o_has_u ? "ENUM_ARRAY_NARROWED"
                              : "ENUM_ARRAY_CHANGED",
                    "enum"});
  }

  void CompareCombined(const Node& o, const Node& u, int depth, Diffs* out) {
    std::string type;
    if (o.criterion != u.criterion) {
      if (u.criterion == "anyOf" || (u.criterion == "oneOf" && o.subschemas.size() == 1) ||
          (u.criterion == "allOf" && o.subschemas.size() == 1 && u.subschemas.size() == 1)) {
        type = "COMBINED_TYPE_EXTENDED";
      } else {
        out->push_back({"COMBINED_TYPE_CHANGED", ""});
        return;
      }
      out->push_back({type, ""});
    }
    auto unique = [](const std::vector<const Node*>& nodes) {
      std::vector<const Node*> result;
      std::set<std::string> seen;
      for (const Node* n : nodes) {
        if (seen.insert(Content(n)).second) result.push_back(n);
      }
      return result;
    };
    const std::vector<const Node*> os = unique(o.subschemas);
    const std::vector<const Node*> us = unique(u.subschemas);
    if (os.size() < us.size()) {
      out->push_back({u.criterion == "allOf" ? "PRODUCT_TYPE_EXTENDED" : "SUM_TYPE_EXTENDED", ""});
    } else if (os.size() > us.size()) {
      out->push_back({u.criterion == "allOf" ? "PRODUCT_TYPE_NARROWED" : "SUM_TYPE_NARROWED", ""});
    }
    // Compatible pairings, then a maximum matching of original to update subschemas.
    // Past kMaxPairings pairs only identical subschemas pair up, which bounds both the work and
    // the matching's recursion (then at most one edge per subschema).
    const bool all_pairs = os.size() * us.size() <= kMaxPairings;
    std::vector<std::vector<std::pair<size_t, Diffs>>> edges(os.size());
    for (size_t i = 0; i < os.size(); ++i) {
      for (size_t j = 0; j < us.size(); ++j) {
        if (!all_pairs) {
          if (Content(os[i]) == Content(us[j])) edges[i].emplace_back(j, Diffs{});
          continue;
        }
        Diffs sub = Compare(os[i], us[j], depth + 1);
        if (AllCompatible(sub)) edges[i].emplace_back(j, std::move(sub));
      }
    }
    std::vector<int> match_of_update(us.size(), -1);
    std::function<bool(size_t, std::vector<bool>&)> augment = [&](size_t i,
                                                                  std::vector<bool>& seen) {
      for (const auto& [j, diffs] : edges[i]) {
        if (seen[j]) continue;
        seen[j] = true;
        if (match_of_update[j] < 0 || augment(static_cast<size_t>(match_of_update[j]), seen)) {
          match_of_update[j] = static_cast<int>(i);
          return true;
        }
      }
      return false;
    };
    size_t matched = 0;
    for (size_t i = 0; i < os.size(); ++i) {
      std::vector<bool> seen(us.size(), false);
      if (augment(i, seen)) ++matched;
    }
    for (size_t j = 0; j < us.size(); ++j) {
      if (match_of_update[j] < 0) continue;
      const size_t i = static_cast<size_t>(match_of_update[j]);
      for (const auto& [target, diffs] : edges[i]) {
        if (target == j) AddAll(out, absl::StrCat(o.criterion, "/", i), diffs);
      }
    }
    if (matched < std::min(os.size(), us.size()))
      out->push_back({"COMBINED_TYPE_SUBSCHEMAS_CHANGED", ""});
  }

  void CompareObjects(const Node& o, const Node& u, int depth, Diffs* out) {
    std::map<std::string, const Node*> op(o.properties.begin(), o.properties.end());
    std::map<std::string, const Node*> up(u.properties.begin(), u.properties.end());
    for (const auto& [key, schema] : op) {
      if (!up.contains(key)) continue;
      const bool was = o.required.contains(key);
      const bool is = u.required.contains(key);
      if (was && !is) out->push_back({"REQUIRED_ATTRIBUTE_REMOVED", "required/" + key});
      if (!was && is) {
        out->push_back({up[key]->default_value ? "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED"
                                               : "REQUIRED_ATTRIBUTE_ADDED",
                        "required/" + key});
      }
    }
    std::set<std::string> keys;
    for (const auto& [key, schema] : op) keys.insert(key);
    for (const auto& [key, schema] : up) keys.insert(key);
    for (const std::string& key : keys) {
      const std::string path = "properties/" + key;
      auto oi = op.find(key);
      auto ui = up.find(key);
      if (ui == up.end()) {
        // Removing is judged by the update's content model.
        if (IsOpen(u)) {
          out->push_back({"PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", path});
        } else if (const Node* partial = PartialSchemaFor(u, key)) {
          const Diffs sub = Compare(oi->second, partial, depth + 1);
          AddAll(out, path, sub);
          out->push_back({AllCompatible(sub)
                              ? "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                              : "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                          path});
        } else {
          out->push_back({Deref(oi->second)->kind == Kind::kFalse
                              ? "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL"
                              : "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
                          path});
        }
      } else if (oi == op.end()) {
        // Adding is judged by the original's content model.
        if (IsOpen(o)) {
          out->push_back({Deref(ui->second)->kind == Kind::kEmpty
                              ? "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
                              : "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
                          path});
        } else {
          if (const Node* partial = PartialSchemaFor(o, key)) {
            const Diffs sub = Compare(partial, ui->second, depth + 1);
            AddAll(out, path, sub);
            out->push_back({AllCompatible(sub)
                                ? "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                                : "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                            path});
          }
          if (u.required.contains(key)) {
            out->push_back({ui->second->default_value
                                ? "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL"
                                : "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
                            path});
          } else {
            out->push_back({"OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", path});
          }
        }
      } else {
        AddAll(out, path, Compare(oi->second, ui->second, depth + 1));
      }
    }
    std::set<std::string> dep_keys;
    for (const auto& [key, names] : o.property_dependencies) dep_keys.insert(key);
    for (const auto& [key, names] : u.property_dependencies) dep_keys.insert(key);
    for (const std::string& key : dep_keys) {
      auto oi = o.property_dependencies.find(key);
      auto ui = u.property_dependencies.find(key);
      const std::string path = "dependencies/" + key;
      if (ui == u.property_dependencies.end()) {
        out->push_back({"DEPENDENCY_ARRAY_REMOVED", path});
      } else if (oi == o.property_dependencies.end()) {
        out->push_back({"DEPENDENCY_ARRAY_ADDED", path});
      } else if (oi->second != ui->second) {
        const bool extended = std::includes(ui->second.begin(), ui->second.end(),
                                            oi->second.begin(), oi->second.end());
        const bool narrowed = std::includes(oi->second.begin(), oi->second.end(),
                                            ui->second.begin(), ui->second.end());
        out->push_back({extended   ? "DEPENDENCY_ARRAY_EXTENDED"
                        : narrowed ? "DEPENDENCY_ARRAY_NARROWED"
                                   : "DEPENDENCY_ARRAY_CHANGED",
                        path});
      }
    }
    dep_keys.clear();
    for (const auto& [key, schema] : o.schema_dependencies) dep_keys.insert(key);
    for (const auto& [key, schema] : u.schema_dependencies) dep_keys.insert(key);
    for (const std::string& key : dep_keys) {
      auto oi = o.schema_dependencies.find(key);
      auto ui = u.schema_dependencies.find(key);
      const std::string path = "dependencies/" + key;
      if (ui == u.schema_dependencies.end()) {
        out->push_back({"DEPENDENCY_SCHEMA_REMOVED", path});
      } else if (oi == o.schema_dependencies.end()) {
        out->push_back({"DEPENDENCY_SCHEMA_ADDED", path});
      } else {
        AddAll(out, path, Compare(oi->second, ui->second, depth + 1));
      }
    }
    if (o.permits_additional_properties != u.permits_additional_properties) {
      out->push_back({u.permits_additional_properties ? "ADDITIONAL_PROPERTIES_ADDED"
                                                      : "ADDITIONAL_PROPERTIES_REMOVED",
                      "additionalProperties"});
    } else if (o.additional_properties == nullptr && u.additional_properties != nullptr) {
      out->push_back({"ADDITIONAL_PROPERTIES_NARROWED", "additionalProperties"});
    } else if (o.additional_properties != nullptr && u.additional_properties == nullptr) {
      out->push_back({"ADDITIONAL_PROPERTIES_EXTENDED", "additionalProperties"});
    } else {
      AddAll(out, "additionalProperties",
             Compare(o.additional_properties, u.additional_properties, depth + 1));
    }
    Limit(out, "maxProperties", "MAX_PROPERTIES", o.max_properties, u.max_properties);
    Limit(out, "minProperties", "MIN_PROPERTIES", o.min_properties, u.min_properties);
  }

  void CompareArrays(const Node& o, const Node& u, int depth, Diffs* out) {
    AddAll(out, "items", Compare(o.all_items, u.all_items, depth + 1));
    const auto is_open = [](const Node& a) {
      return a.permits_additional_items && a.additional_items == nullptr;
    };
    const size_t common = std::min(o.item_schemas.size(), u.item_schemas.size());
    for (size_t i = 0; i < std::max(o.item_schemas.size(), u.item_schemas.size()); ++i) {
      const std::string path = absl::StrCat("items/", i);
      if (i < common) {
        AddAll(out, path, Compare(o.item_schemas[i], u.item_schemas[i], depth + 1));
      } else if (i < o.item_schemas.size()) {
        if (is_open(u)) {
          out->push_back({"ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL", path});
        } else if (u.additional_items != nullptr) {
          const Diffs sub = Compare(o.item_schemas[i], u.additional_items, depth + 1);
          AddAll(out, path, sub);
          out->push_back({AllCompatible(sub)
                              ? "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                              : "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                          path});
        } else {
          out->push_back({Deref(o.item_schemas[i])->kind == Kind::kFalse
                              ? "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL"
                              : "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",
                          path});
        }
      } else if (is_open(o)) {
        out->push_back({Deref(u.item_schemas[i])->kind == Kind::kEmpty
                            ? "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
                            : "ITEM_ADDED_TO_OPEN_CONTENT_MODEL",
                        path});
      } else if (o.additional_items != nullptr) {
        const Diffs sub = Compare(o.additional_items, u.item_schemas[i], depth + 1);
        AddAll(out, path, sub);
        out->push_back({AllCompatible(sub)
                            ? "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
                            : "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                        path});
      } else {
        out->push_back({"ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", path});
      }
    }
    if (o.permits_additional_items != u.permits_additional_items) {
      out->push_back(
          {o.permits_additional_items ? "ADDITIONAL_ITEMS_REMOVED" : "ADDITIONAL_ITEMS_ADDED",
           "additionalItems"});
    } else if (o.additional_items == nullptr && u.additional_items != nullptr) {
      out->push_back({"ADDITIONAL_ITEMS_NARROWED", "additionalItems"});
    } else if (o.additional_items != nullptr && u.additional_items == nullptr) {
      out->push_back({"ADDITIONAL_ITEMS_EXTENDED", "additionalItems"});
    } else {
      AddAll(out, "additionalItems", Compare(o.additional_items, u.additional_items, depth + 1));
    }
    Limit(out, "maxItems", "MAX_ITEMS", o.max_items, u.max_items);
    Limit(out, "minItems", "MIN_ITEMS", o.min_items, u.min_items);
    if (o.unique_items != u.unique_items) {
      out->push_back(
          {o.unique_items ? "UNIQUE_ITEMS_REMOVED" : "UNIQUE_ITEMS_ADDED", "uniqueItems"});
    }
  }

  std::map<std::pair<const Node*, const Node*>, Diffs> memo_;
  std::set<std::pair<const Node*, const Node*>> in_progress_;
};

}  // namespace

std::vector<std::string> JsonSchema::BackwardIncompatibilities(
    const ParsedSchema& previous, std::string_view self_label,
    std::string_view previous_label) const {
  if (previous.type() != SchemaType::kJson) {
    return {"Incompatible because of different schema type"};
  }
  const auto& original = static_cast<const JsonSchema&>(previous);
  std::vector<std::string> messages;
  for (const Diff& d : JsonDiff().Compare(original.root_, root_, 0)) {
    if (!internal::IsCompatibleJsonChange(d.type)) {
      messages.push_back(internal::DescribeJsonDifference(d.type, d.path, std::string(self_label),
                                                          std::string(previous_label)));
    }
  }
  return messages;
}

}  // namespace eddy::registry::json
