#include "services/registry/json_schema.h"

#include <cctype>
#include <cmath>
#include <deque>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "re2/re2.h"
#include "services/registry/internal/text_limits.h"

namespace eddy::registry::json {

using Json = nlohmann::json;

namespace {

absl::Status Invalid(std::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("Invalid JSON schema: ", std::string(message)));
}

std::string EscapePointerToken(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// DecodePointerToken undoes ~0/~1 and %XX escapes (refs are URIs, so "%25" means '%').
std::string DecodePointerToken(std::string_view token) {
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '%' && i + 2 < token.size() &&
        std::isxdigit(static_cast<unsigned char>(token[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(token[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(token.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (token[i] == '~' && i + 1 < token.size() &&
               (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

bool IsNonNegativeInteger(const Json& j) {
  if (j.is_number_unsigned()) return true;
  if (j.is_number_integer()) return j.get<int64_t>() >= 0;
  if (j.is_number_float()) {
    const double d = j.get<double>();
    return d >= 0 && std::floor(d) == d;
  }
  return false;
}

bool IsValidRegex(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  return RE2(pattern, options).ok();
}

const std::set<std::string>& TypeNames() {
  static const std::set<std::string> kTypes = {"string", "number", "integer", "boolean",
                                               "object", "array",  "null"};
  return kTypes;
}

}  // namespace

// JsonSchemaBuilder validates documents and builds their Node graph. Subschemas are built
// recursively within one document (nesting is bounded by the text check); $ref targets are
// resolved from a work queue afterwards, so chains of references never deepen the recursion.
class JsonSchemaBuilder {
 public:
  explicit JsonSchemaBuilder(JsonSchema* out) : out_(out) {}

  absl::Status AddDocument(std::string_view text, const std::string& name) {
    EDDY_ASSIGN_OR_RETURN(
        Json doc,
        internal::ParseJsonBounded(text, kMaxSchemaNesting, name.empty() ? "JSON schema" : name));
    // Confluent stores the document re-serialized compactly, in its own key order.
    if (out_->documents_.empty()) out_->canonical_ = internal::MinifyJson(text);
    const int index = static_cast<int>(out_->documents_.size());
    out_->documents_.push_back(std::make_unique<Json>(std::move(doc)));
    const Json& stored = *out_->documents_.back();
    if (!name.empty()) doc_by_name_.emplace(name, index);
    if (stored.is_object()) {
      for (const char* key : {"$id", "id"}) {
        if (auto it = stored.find(key); it != stored.end() && it->is_string()) {
          std::string id = it->get<std::string>();
          if (const size_t hash = id.find('#'); hash != std::string::npos) id.resize(hash);
          doc_by_name_.emplace(id, index);
        }
      }
      const auto schema = stored.find("$schema");
      if (index == 0 && schema != stored.end()) {
        if (!schema->is_string()) return Invalid("$schema is not a string");
        const std::string& uri = schema->get_ref<const std::string&>();
        if (uri.find("draft-04") != std::string::npos) draft_ = 4;
        if (uri.find("draft-06") != std::string::npos) draft_ = 6;
        if (uri.find("2019-09") != std::string::npos) draft_ = 2019;
        if (uri.find("2020-12") != std::string::npos) draft_ = 2020;
      }
    }
    IndexAnchors(stored, index, "", 0);
    return absl::OkStatus();
  }

  absl::StatusOr<const Node*> BuildRoot() {
    EDDY_ASSIGN_OR_RETURN(Node * root, Build(*out_->documents_[0], 0, "", 0));
    while (!pending_.empty()) {
      auto [node, doc] = pending_.front();
      pending_.pop_front();
      EDDY_ASSIGN_OR_RETURN(node->referred, Resolve(node->ref, doc));
    }
    return root;
  }

 private:
  void IndexAnchors(const Json& j, int doc, const std::string& pointer, int depth) {
    if (depth > kMaxSchemaNesting) return;
    if (j.is_object()) {
      if (auto a = j.find("$anchor"); a != j.end() && a->is_string()) {
        anchors_.emplace(std::make_pair(doc, a->get<std::string>()), pointer);
      }
      if (auto id = j.find("$id");
          id != j.end() && id->is_string() && id->get_ref<const std::string&>().starts_with("#")) {
        anchors_.emplace(std::make_pair(doc, id->get<std::string>().substr(1)), pointer);
      }
      for (auto it = j.begin(); it != j.end(); ++it) {
        IndexAnchors(it.value(), doc, pointer + "/" + EscapePointerToken(it.key()), depth + 1);
      }
    } else if (j.is_array()) {
      for (size_t i = 0; i < j.size(); ++i) {
        IndexAnchors(j[i], doc, absl::StrCat(pointer, "/", i), depth + 1);
      }
    }
  }

  // Resolve finds (building it if needed) the node a $ref in document `doc` points at.
  absl::StatusOr<const Node*> Resolve(const std::string& ref, int doc) {
    const size_t hash = ref.find('#');
    const std::string base = ref.substr(0, hash);
    std::string fragment = hash == std::string::npos ? "" : ref.substr(hash + 1);
    int target = doc;
    if (!base.empty()) {
      auto it = doc_by_name_.find(base);
      if (it == doc_by_name_.end()) {
        // A relative reference resolves against the last path segment of a known document name.
        for (const auto& [name, index] : doc_by_name_) {
          const size_t slash = name.rfind('/');
          if (slash != std::string::npos && name.substr(slash + 1) == base)
            it = doc_by_name_.find(name);
        }
      }
      if (it == doc_by_name_.end())
        return Invalid(absl::StrCat("$ref \"", ref, "\" cannot be resolved"));
      target = it->second;
    }
    std::string pointer;
    if (!fragment.empty() && fragment[0] != '/') {
      auto anchor = anchors_.find({target, fragment});
      if (anchor == anchors_.end())
        return Invalid(absl::StrCat("$ref \"", ref, "\" cannot be resolved"));
      pointer = anchor->second;
    } else {
      pointer = fragment;
    }
    const Json* j = out_->documents_[target].get();
    std::string canonical_pointer;
    size_t start = pointer.empty() ? std::string::npos : 1;
    while (start != std::string::npos) {
      const size_t end = pointer.find('/', start);
      const std::string token = DecodePointerToken(std::string_view(pointer).substr(
          start, end == std::string::npos ? std::string::npos : end - start));
      if (j->is_object() && j->contains(token)) {
        j = &(*j)[token];
      } else if (j->is_array() && !token.empty() &&
                 token.find_first_not_of("0123456789") == std::string::npos && token.size() < 10 &&
                 std::stoul(token) < j->size()) {
        j = &(*j)[std::stoul(token)];
      } else {
        return Invalid(absl::StrCat("$ref \"", ref, "\" cannot be resolved"));
      }
      canonical_pointer += "/" + EscapePointerToken(token);
      start = end == std::string::npos ? end : end + 1;
    }
    if (auto built = built_.find({target, canonical_pointer}); built != built_.end()) {
      return built->second;
    }
    return Build(*j, target, canonical_pointer, 0);
  }

  Node* NewNode(Kind kind, const Json* j) {
    out_->nodes_.push_back(std::make_unique<Node>());
    out_->nodes_.back()->kind = kind;
    out_->nodes_.back()->json = j;
    return out_->nodes_.back().get();
  }

  absl::Status ValidateKeywords(const Json& j) {
    for (const char* key : {"minLength", "maxLength", "minItems", "maxItems", "minProperties",
                            "maxProperties", "minContains", "maxContains"}) {
      if (auto it = j.find(key); it != j.end() && !IsNonNegativeInteger(*it)) {
        return Invalid(absl::StrCat(key, " must be a non-negative integer"));
      }
    }
    for (const char* key : {"minimum", "maximum", "multipleOf"}) {
      if (auto it = j.find(key); it != j.end() && !it->is_number()) {
        return Invalid(absl::StrCat(key, " must be a number"));
      }
    }
    if (auto it = j.find("multipleOf"); it != j.end() && it->get<double>() <= 0) {
      return Invalid("multipleOf must be greater than 0");
    }
    for (const char* key : {"exclusiveMinimum", "exclusiveMaximum"}) {
      if (auto it = j.find(key);
          it != j.end() && !(draft_ == 4 ? it->is_boolean() : it->is_number())) {
        return Invalid(absl::StrCat(key, draft_ == 4 ? " must be a boolean" : " must be a number"));
      }
    }
    for (const char* key : {"title", "description", "$comment", "format", "$ref", "$anchor"}) {
      if (auto it = j.find(key); it != j.end() && !it->is_string()) {
        return Invalid(absl::StrCat(key, " must be a string"));
      }
    }
    if (auto it = j.find("uniqueItems"); it != j.end() && !it->is_boolean()) {
      return Invalid("uniqueItems must be a boolean");
    }
    if (auto it = j.find("pattern"); it != j.end()) {
      if (!it->is_string()) return Invalid("pattern must be a string");
      if (!IsValidRegex(it->get<std::string>())) {
        return Invalid(absl::StrCat("pattern \"", it->get<std::string>(),
                                    "\" is not a valid regular expression"));
      }
    }
    if (auto it = j.find("required"); it != j.end()) {
      if (!it->is_array()) return Invalid("required must be an array of strings");
      for (const Json& r : *it) {
        if (!r.is_string()) return Invalid("required must be an array of strings");
      }
    }
    if (auto it = j.find("enum"); it != j.end() && !it->is_array())
      return Invalid("enum must be an array");
    if (auto it = j.find("type"); it != j.end()) {
      const bool ok_string = it->is_string() && TypeNames().contains(it->get<std::string>());
      bool ok_array = it->is_array() && !it->empty();
      if (it->is_array()) {
        std::set<std::string> seen;
        for (const Json& t : *it) {
          ok_array = ok_array && t.is_string() && TypeNames().contains(t.get<std::string>()) &&
                     seen.insert(t.get<std::string>()).second;
        }
      }
      if (!ok_string && !ok_array)
        return Invalid(absl::StrCat(
            "type must be one of ",
            "string, number, integer, boolean, object, array, null, or a list of them"));
    }
    for (const char* key : {"allOf", "anyOf", "oneOf"}) {
      if (auto it = j.find(key); it != j.end() && (!it->is_array() || it->empty())) {
        return Invalid(absl::StrCat(key, " must be a non-empty array of schemas"));
      }
    }
    for (const char* key : {"properties", "patternProperties", "definitions", "$defs",
                            "dependentSchemas", "dependencies", "dependentRequired"}) {
      if (auto it = j.find(key); it != j.end() && !it->is_object()) {
        return Invalid(absl::StrCat(key, " must be an object"));
      }
    }
    if (auto it = j.find("patternProperties"); it != j.end()) {
      for (auto p = it->begin(); p != it->end(); ++p) {
        if (!IsValidRegex(p.key()))
          return Invalid(absl::StrCat("patternProperties key \"", p.key(),
                                      "\" is not a valid regular expression"));
      }
    }
    if (auto it = j.find("items"); it != j.end() && it->is_array() && draft_ == 2020) {
      return Invalid("items must be a schema in draft 2020-12 (use prefixItems)");
    }
    return absl::OkStatus();
  }

  // Sub builds a subschema at `pointer` + "/" + `key`.
  absl::StatusOr<Node*> Sub(const Json& j, int doc, const std::string& pointer,
                            const std::string& key, int depth) {
    return Build(j, doc, pointer + "/" + EscapePointerToken(key), depth + 1);
  }

  absl::StatusOr<Node*> Build(const Json& j, int doc, const std::string& pointer, int depth) {
    if (depth > kMaxSchemaNesting) return Invalid("schema nests too deeply");
    if (auto it = built_.find({doc, pointer}); it != built_.end()) return it->second;
    if (j.is_boolean()) {
      Node* node = NewNode(j.get<bool>() ? Kind::kEmpty : Kind::kFalse, &j);
      built_[{doc, pointer}] = node;
      return node;
    }
    if (!j.is_object())
      return Invalid(absl::StrCat("schema at \"#", pointer, "\" is not an object or boolean"));
    EDDY_RETURN_IF_ERROR(ValidateKeywords(j));
    // Definitions are validated (and built) even when nothing refers to them.
    for (const char* key : {"definitions", "$defs"}) {
      if (auto defs = j.find(key); defs != j.end()) {
        for (auto d = defs->begin(); d != defs->end(); ++d) {
          EDDY_RETURN_IF_ERROR(Sub(d.value(), doc, pointer + "/" + key, d.key(), depth).status());
        }
      }
    }
    std::vector<Node*> parts;
    if (auto ref = j.find("$ref"); ref != j.end()) {
      Node* node = NewNode(Kind::kReference, &j);
      node->ref = ref->get<std::string>();
      pending_.emplace_back(node, doc);
      parts.push_back(node);
    }
    // Before 2019-09 keywords beside $ref are ignored.
    if (parts.empty() || draft_ >= 2019) {
      EDDY_RETURN_IF_ERROR(BuildParts(j, doc, pointer, depth, &parts));
    }
    Node* node = nullptr;
    if (parts.size() == 1) {
      node = parts.front();
    } else {
      node = NewNode(parts.empty() ? Kind::kEmpty : Kind::kCombined, &j);
      node->criterion = "allOf";
      node->subschemas.assign(parts.begin(), parts.end());
    }
    for (const char* key : {"$id", "id"}) {
      if (auto it = j.find(key); it != j.end()) node->id = *it;
    }
    if (auto it = j.find("title"); it != j.end()) node->title = *it;
    if (auto it = j.find("description"); it != j.end()) node->description = *it;
    if (auto it = j.find("default"); it != j.end()) node->default_value = *it;
    built_[{doc, pointer}] = node;
    return node;
  }

  absl::Status BuildParts(const Json& j, int doc, const std::string& pointer, int depth,
                          std::vector<Node*>* parts) {
    std::vector<std::string> types;
    if (auto t = j.find("type"); t != j.end()) {
      if (t->is_string()) {
        types.push_back(t->get<std::string>());
      } else {
        for (const Json& each : *t) types.push_back(each.get<std::string>());
      }
    } else {
      // Without "type", each group of type-specific keywords constrains values of that type.
      static const std::vector<std::pair<std::string, std::vector<std::string>>> kGroups = {
          {"object",
           {"properties", "required", "additionalProperties", "patternProperties", "dependencies",
            "minProperties", "maxProperties", "dependentRequired", "dependentSchemas"}},
          {"array",
           {"items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems"}},
          {"string", {"minLength", "maxLength", "pattern"}},
          {"number", {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}},
      };
      for (const auto& [type, keywords] : kGroups) {
        bool present = false;
        for (const std::string& k : keywords) present = present || j.contains(k);
        if (present) types.push_back(type);
      }
    }
    if (types.size() == 1) {
      EDDY_ASSIGN_OR_RETURN(Node * typed, BuildTyped(j, doc, pointer, depth, types[0]));
      parts->push_back(typed);
    } else if (types.size() > 1) {
      Node* any = NewNode(Kind::kCombined, &j);
      any->criterion = "anyOf";
      for (const std::string& type : types) {
        EDDY_ASSIGN_OR_RETURN(Node * typed, BuildTyped(j, doc, pointer, depth, type));
        typed->split_type = type;
        any->subschemas.push_back(typed);
      }
      parts->push_back(any);
    }
    if (j.contains("enum") || j.contains("const")) {
      Node* node = NewNode(Kind::kEnum, &j);
      if (auto e = j.find("enum"); e != j.end()) node->enum_values.assign(e->begin(), e->end());
      if (auto c = j.find("const"); c != j.end()) node->enum_values = {*c};
      parts->push_back(node);
    }
    for (const char* criterion : {"allOf", "anyOf", "oneOf"}) {
      auto list = j.find(criterion);
      if (list == j.end()) continue;
      Node* node = NewNode(Kind::kCombined, &j);
      node->criterion = criterion;
      for (size_t i = 0; i < list->size(); ++i) {
        EDDY_ASSIGN_OR_RETURN(
            Node * sub, Sub((*list)[i], doc, pointer + "/" + criterion, std::to_string(i), depth));
        node->subschemas.push_back(sub);
      }
      parts->push_back(node);
    }
    if (auto n = j.find("not"); n != j.end()) {
      Node* node = NewNode(Kind::kNot, &j);
      EDDY_ASSIGN_OR_RETURN(node->not_schema, Sub(*n, doc, pointer, "not", depth));
      parts->push_back(node);
    }
    return absl::OkStatus();
  }

  static std::optional<double> Number(const Json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
  }

  absl::StatusOr<Node*> BuildTyped(const Json& j, int doc, const std::string& pointer, int depth,
                                   const std::string& type) {
    if (type == "string") {
      Node* node = NewNode(Kind::kString, &j);
      node->min_length = Number(j, "minLength");
      node->max_length = Number(j, "maxLength");
      if (auto p = j.find("pattern"); p != j.end()) node->pattern = p->get<std::string>();
      return node;
    }
    if (type == "number" || type == "integer") {
      Node* node = NewNode(Kind::kNumber, &j);
      node->requires_integer = type == "integer";
      node->minimum = Number(j, "minimum");
      node->maximum = Number(j, "maximum");
      node->multiple_of = Number(j, "multipleOf");
      if (draft_ == 4) {
        // Draft 4's boolean exclusiveMaximum makes "maximum" exclusive.
        if (j.value("exclusiveMaximum", false)) std::swap(node->maximum, node->exclusive_maximum);
        if (j.value("exclusiveMinimum", false)) std::swap(node->minimum, node->exclusive_minimum);
      } else {
        node->exclusive_minimum = Number(j, "exclusiveMinimum");
        node->exclusive_maximum = Number(j, "exclusiveMaximum");
      }
      return node;
    }
    if (type == "boolean") return NewNode(Kind::kBoolean, &j);
    if (type == "null") return NewNode(Kind::kNull, &j);
    if (type == "object") return BuildObject(j, doc, pointer, depth);
    return BuildArray(j, doc, pointer, depth);
  }

  absl::StatusOr<Node*> BuildObject(const Json& j, int doc, const std::string& pointer, int depth) {
    Node* node = NewNode(Kind::kObject, &j);
    if (auto props = j.find("properties"); props != j.end()) {
      for (auto p = props->begin(); p != props->end(); ++p) {
        EDDY_ASSIGN_OR_RETURN(Node * sub,
                              Sub(p.value(), doc, pointer + "/properties", p.key(), depth));
        node->properties.emplace_back(p.key(), sub);
      }
    }
    if (auto patterns = j.find("patternProperties"); patterns != j.end()) {
      for (auto p = patterns->begin(); p != patterns->end(); ++p) {
        EDDY_ASSIGN_OR_RETURN(Node * sub,
                              Sub(p.value(), doc, pointer + "/patternProperties", p.key(), depth));
        node->pattern_properties.emplace_back(p.key(), sub);
      }
    }
    if (auto required = j.find("required"); required != j.end()) {
      for (const Json& r : *required) node->required.insert(r.get<std::string>());
    }
    if (auto extra = j.find("additionalProperties"); extra != j.end()) {
      if (extra->is_boolean()) {
        node->permits_additional_properties = extra->get<bool>();
      } else {
        EDDY_ASSIGN_OR_RETURN(node->additional_properties,
                              Sub(*extra, doc, pointer, "additionalProperties", depth));
      }
    }
    for (const char* key : {"dependencies", "dependentRequired", "dependentSchemas"}) {
      auto deps = j.find(key);
      if (deps == j.end()) continue;
      for (auto d = deps->begin(); d != deps->end(); ++d) {
        if (d.value().is_array()) {
          std::set<std::string>& names = node->property_dependencies[d.key()];
          for (const Json& name : d.value()) {
            if (!name.is_string()) return Invalid(absl::StrCat(key, " arrays must hold strings"));
            names.insert(name.get<std::string>());
          }
        } else {
          EDDY_ASSIGN_OR_RETURN(node->schema_dependencies[d.key()],
                                Sub(d.value(), doc, pointer + "/" + key, d.key(), depth));
        }
      }
    }
    node->min_properties = Number(j, "minProperties");
    node->max_properties = Number(j, "maxProperties");
    return node;
  }

  absl::StatusOr<Node*> BuildArray(const Json& j, int doc, const std::string& pointer, int depth) {
    Node* node = NewNode(Kind::kArray, &j);
    const bool has_prefix = draft_ == 2020 && j.contains("prefixItems");
    const char* tuple_key = has_prefix ? "prefixItems" : "items";
    if (auto tuple = j.find(tuple_key); tuple != j.end() && tuple->is_array()) {
      for (size_t i = 0; i < tuple->size(); ++i) {
        EDDY_ASSIGN_OR_RETURN(
            Node * sub, Sub((*tuple)[i], doc, pointer + "/" + tuple_key, std::to_string(i), depth));
        node->item_schemas.push_back(sub);
      }
    } else if (tuple != j.end() && !has_prefix) {
      EDDY_ASSIGN_OR_RETURN(node->all_items, Sub(*tuple, doc, pointer, "items", depth));
    } else if (tuple != j.end()) {
      return Invalid("prefixItems must be an array of schemas");
    }
    // In 2020-12, "items" beside "prefixItems" plays the role of additionalItems.
    const char* extra_key = has_prefix ? "items" : "additionalItems";
    if (auto extra = j.find(extra_key); extra != j.end()) {
      if (extra->is_boolean()) {
        node->permits_additional_items = extra->get<bool>();
      } else {
        EDDY_ASSIGN_OR_RETURN(node->additional_items, Sub(*extra, doc, pointer, extra_key, depth));
      }
    }
    node->min_items = Number(j, "minItems");
    node->max_items = Number(j, "maxItems");
    node->unique_items = j.value("uniqueItems", false);
    return node;
  }

  JsonSchema* out_;
  int draft_ = 7;
  std::map<std::string, int> doc_by_name_;
  std::map<std::pair<int, std::string>, std::string> anchors_;
  std::map<std::pair<int, std::string>, Node*> built_;
  std::deque<std::pair<Node*, int>> pending_;
};

absl::StatusOr<std::unique_ptr<JsonSchema>> JsonSchema::Parse(
    std::string_view text, const std::vector<ResolvedReference>& references) {
  auto schema = std::unique_ptr<JsonSchema>(new JsonSchema(references));
  JsonSchemaBuilder builder(schema.get());
  EDDY_RETURN_IF_ERROR(builder.AddDocument(text, ""));
  // References (flattened, first text for a name wins) are only documents to resolve $refs into.
  std::vector<const ResolvedReference*> queue;
  for (const ResolvedReference& ref : references) queue.push_back(&ref);
  std::set<std::string> seen;
  for (size_t i = 0; i < queue.size(); ++i) {
    if (queue[i]->type != SchemaType::kJson || !seen.insert(queue[i]->name).second) continue;
    EDDY_RETURN_IF_ERROR(builder.AddDocument(queue[i]->schema, queue[i]->name));
    for (const ResolvedReference& nested : queue[i]->references) queue.push_back(&nested);
  }
  EDDY_ASSIGN_OR_RETURN(schema->root_, builder.BuildRoot());
  return schema;
}

std::string JsonSchema::Normalized() const {
  return documents_[0]->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace eddy::registry::json
