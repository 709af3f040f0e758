// Parsing half of AvroSchema (avro_schema.h): JSON → Node graph, with the validation Avro Java's
// Schema.Parser does when Confluent registers a new schema (validateDefaults = true).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "services/registry/avro_schema.h"
#include "services/registry/internal/avro_writer.h"
#include "services/registry/internal/text_limits.h"

namespace eddy::registry::avro {

using Json = nlohmann::json;

namespace {

std::optional<Type> PrimitiveType(std::string_view name) {
  static const std::map<std::string_view, Type> kPrimitives = {
      {"null", Type::kNull},   {"boolean", Type::kBoolean}, {"int", Type::kInt},
      {"long", Type::kLong},   {"float", Type::kFloat},     {"double", Type::kDouble},
      {"bytes", Type::kBytes}, {"string", Type::kString},
  };
  auto it = kPrimitives.find(name);
  if (it == kPrimitives.end()) return std::nullopt;
  return it->second;
}

// IsValidName: the spec's [A-Za-z_][A-Za-z0-9_]*.
bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsValidNamespace(std::string_view space) {
  if (space.empty()) return true;
  size_t start = 0;
  while (true) {
    const size_t dot = space.find('.', start);
    if (!IsValidName(space.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

absl::Status Invalid(std::string_view message) {
  return absl::InvalidArgumentError(std::string(message));
}

// ValidLogicalType returns `logical` when the spec allows it on `node`, else "" (ignored).
std::string ValidLogicalType(const Node& node, const std::string& logical) {
  const Type t = node.type;
  if (logical == "decimal") {
    if (t != Type::kBytes && t != Type::kFixed) return "";
    auto p = node.props.find("precision");
    if (p == node.props.end() || !p->is_number_integer() || p->get<int64_t>() <= 0) return "";
    int64_t scale = 0;
    if (auto s = node.props.find("scale"); s != node.props.end()) {
      if (!s->is_number_integer()) return "";
      scale = s->get<int64_t>();
    }
    const int64_t precision = p->get<int64_t>();
    if (scale < 0 || scale > precision) return "";
    if (t == Type::kFixed) {
      if (node.size <= 0 || node.size > 64) return "";
      const double max_digits =
          std::floor(std::log10(2) * (8.0 * static_cast<double>(node.size) - 1));
      if (static_cast<double>(precision) > max_digits) return "";
    }
    return logical;
  }
  if (logical == "uuid") return t == Type::kString ? logical : "";
  if (logical == "date" || logical == "time-millis") return t == Type::kInt ? logical : "";
  if (logical == "time-micros" || logical == "timestamp-millis" || logical == "timestamp-micros" ||
      logical == "local-timestamp-millis" || logical == "local-timestamp-micros") {
    return t == Type::kLong ? logical : "";
  }
  if (logical == "duration") return t == Type::kFixed && node.size == 12 ? logical : "";
  return "";
}

}  // namespace

// AvroParser fills an AvroSchema's arena. One instance parses the references and then the schema,
// sharing the table of named types as Avro Java's Schema.Parser does.
class AvroParser {
 public:
  explicit AvroParser(AvroSchema* out) : out_(out) {}

  absl::StatusOr<const Node*> ParseText(std::string_view text) {
    EDDY_ASSIGN_OR_RETURN(
        Json doc, registry::internal::ParseJsonBounded(text, kMaxSchemaNesting, "Avro schema"));
    return ParseType(doc, "", 0);
  }

  // ParseReferences parses each reference's own references first, skipping names already parsed
  // (a reference shared by two others is defined once).
  absl::Status ParseReferences(const std::vector<ResolvedReference>& refs, int depth) {
    if (depth > kMaxSchemaNesting) return Invalid("Schema references nest too deeply");
    for (const ResolvedReference& ref : refs) {
      if (ref.type != SchemaType::kAvro) {
        return Invalid(absl::StrCat("Reference ", ref.name, " is not an AVRO schema"));
      }
      if (!parsed_refs_.insert(ref.name).second) continue;
      EDDY_RETURN_IF_ERROR(ParseReferences(ref.references, depth + 1));
      auto node = ParseText(ref.schema);
      if (!node.ok()) {
        return Invalid(absl::StrCat("Invalid reference ", ref.name, ": ", node.status().message()));
      }
    }
    return absl::OkStatus();
  }

  std::vector<std::string> DefinedNames() const {
    std::vector<std::string> names;
    for (const auto& [name, node] : named_) names.push_back(name);
    return names;
  }

 private:
  Node* NewNode(Type type) {
    out_->nodes_.push_back(std::make_unique<Node>());
    out_->nodes_.back()->type = type;
    return out_->nodes_.back().get();
  }

  // Resolve looks a type name up as Avro Java does: in the enclosing namespace first, then as
  // written.
  absl::StatusOr<const Node*> Resolve(const std::string& name, const std::string& space) {
    if (std::optional<Type> primitive = PrimitiveType(name)) return NewNode(*primitive);
    if (name.find('.') == std::string::npos && !space.empty()) {
      if (auto it = named_.find(space + "." + name); it != named_.end()) return it->second;
    }
    if (auto it = named_.find(name); it != named_.end()) return it->second;
    return Invalid(absl::StrCat("\"", name, "\" is not a defined name"));
  }

  absl::StatusOr<const Node*> ParseType(const Json& j, const std::string& space, int depth) {
    if (depth > kMaxSchemaNesting) return Invalid("Avro schema nests too deeply");
    EDDY_ASSIGN_OR_RETURN(const Node* node, ParseTypeUnbounded(j, space, depth));
    if (node->depth > kMaxTypeDepth) {
      return Invalid(
          absl::StrCat("Avro schema nests types deeper than ", kMaxTypeDepth, " levels"));
    }
    return node;
  }

  // SetDepth records one more level above the deepest of `children`.
  static void SetDepth(Node* node, std::initializer_list<const Node*> children) {
    for (const Node* child : children) node->depth = std::max(node->depth, child->depth + 1);
  }

  absl::StatusOr<const Node*> ParseTypeUnbounded(const Json& j, const std::string& space,
                                                 int depth) {
    if (j.is_string()) return Resolve(j.get<std::string>(), space);
    if (j.is_array()) return ParseUnion(j, space, depth);
    if (!j.is_object()) return Invalid(absl::StrCat("Not a schema: ", Dump(j)));
    auto type_it = j.find("type");
    if (type_it == j.end() || !type_it->is_string()) {
      return Invalid(absl::StrCat("No type: ", Dump(j)));
    }
    const std::string type = type_it->get<std::string>();
    if (type == "record" || type == "error") return ParseRecord(j, space, depth, type == "error");
    if (type == "enum") return ParseEnum(j, space);
    if (type == "fixed") return ParseFixed(j, space);
    if (type == "array" || type == "map") return ParseContainer(j, space, depth, type == "array");
    std::optional<Type> primitive = PrimitiveType(type);
    if (!primitive) return Resolve(type, space);  // {"type": "com.example.Named"}
    Node* node = NewNode(*primitive);
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() != "type") node->props[it.key()] = it.value();
    }
    SetLogicalType(node);
    return node;
  }

  void SetLogicalType(Node* node) {
    auto it = node->props.find("logicalType");
    if (it != node->props.end() && it->is_string()) {
      node->logical_type = ValidLogicalType(*node, it->get<std::string>());
    }
  }

  absl::StatusOr<const Node*> ParseUnion(const Json& j, const std::string& space, int depth) {
    Node* node = NewNode(Type::kUnion);
    std::set<std::string> seen;
    for (const Json& branch_json : j) {
      EDDY_ASSIGN_OR_RETURN(const Node* branch, ParseType(branch_json, space, depth + 1));
      if (branch->type == Type::kUnion) return Invalid("Nested union: " + Dump(j));
      const std::string key =
          branch->IsNamed() ? branch->FullName() : std::string(TypeName(branch->type));
      if (!seen.insert(key).second) return Invalid("Duplicate in union:" + key);
      node->branches.push_back(branch);
      SetDepth(node, {branch});
    }
    return node;
  }

  // ParseName fills name, namespace, aliases and doc of a named type and registers it.
  absl::Status ParseName(const Json& j, const std::string& space, Node* node) {
    auto name_it = j.find("name");
    if (name_it == j.end() || !name_it->is_string()) {
      return Invalid(absl::StrCat("No name in schema: ", Dump(j)));
    }
    std::string name = name_it->get<std::string>();
    std::string ns = space;
    if (auto ns_it = j.find("namespace"); ns_it != j.end()) {
      if (!ns_it->is_string() && !ns_it->is_null()) return Invalid("namespace must be a string");
      ns = ns_it->is_string() ? ns_it->get<std::string>() : "";
    }
    if (const size_t dot = name.rfind('.'); dot != std::string::npos) {
      ns = name.substr(0, dot);
      name = name.substr(dot + 1);
    }
    if (!IsValidName(name)) return Invalid(absl::StrCat("Illegal name: ", name));
    if (!IsValidNamespace(ns)) return Invalid(absl::StrCat("Illegal namespace: ", ns));
    if (PrimitiveType(name)) {
      return Invalid(absl::StrCat("Schemas may not be named after primitives: ", name));
    }
    node->name = name;
    node->space = ns;
    if (auto doc = j.find("doc"); doc != j.end() && doc->is_string())
      node->doc = doc->get<std::string>();
    if (auto aliases = j.find("aliases"); aliases != j.end()) {
      if (!aliases->is_array()) return Invalid("aliases not an array: " + Dump(j));
      for (const Json& alias : *aliases) {
        if (!alias.is_string()) return Invalid("alias not a string: " + Dump(alias));
        std::string full = alias.get<std::string>();
        const std::string simple = full.substr(full.rfind('.') + 1);
        const std::string alias_ns =
            full.find('.') == std::string::npos ? ns : full.substr(0, full.rfind('.'));
        if (!IsValidName(simple) || !IsValidNamespace(alias_ns)) {
          return Invalid(absl::StrCat("Illegal alias: ", full));
        }
        node->aliases.push_back(alias_ns.empty() ? simple : alias_ns + "." + simple);
      }
    }
    if (!named_.emplace(node->FullName(), node).second) {
      return Invalid(absl::StrCat("Can't redefine: ", node->FullName()));
    }
    return absl::OkStatus();
  }

  // KeepProps copies the attributes of `j` not in `known` into node->props.
  static void KeepProps(const Json& j, std::initializer_list<std::string_view> known, Json* props) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      bool is_known = false;
      for (std::string_view k : known) is_known = is_known || it.key() == k;
      if (!is_known) (*props)[it.key()] = it.value();
    }
  }

  absl::StatusOr<const Node*> ParseRecord(const Json& j, const std::string& space, int depth,
                                          bool is_error) {
    Node* node = NewNode(Type::kRecord);
    node->is_error = is_error;
    EDDY_RETURN_IF_ERROR(ParseName(j, space, node));
    auto fields = j.find("fields");
    if (fields == j.end() || !fields->is_array()) {
      return Invalid(absl::StrCat("Record has no fields: ", node->FullName()));
    }
    std::set<std::string> names;
    for (const Json& fj : *fields) {
      if (!fj.is_object()) return Invalid("Field is not an object: " + Dump(fj));
      Field field;
      auto name = fj.find("name");
      if (name == fj.end() || !name->is_string()) return Invalid("No field name: " + Dump(fj));
      field.name = name->get<std::string>();
      if (!IsValidName(field.name))
        return Invalid(absl::StrCat("Illegal field name: ", field.name));
      if (!names.insert(field.name).second) {
        return Invalid(
            absl::StrCat("Duplicate field ", field.name, " in record ", node->FullName()));
      }
      auto type = fj.find("type");
      if (type == fj.end()) return Invalid(absl::StrCat("No field type: ", Dump(fj)));
      EDDY_ASSIGN_OR_RETURN(field.type, ParseType(*type, node->space, depth + 1));
      if (auto doc = fj.find("doc"); doc != fj.end() && doc->is_string())
        field.doc = doc->get<std::string>();
      if (auto order = fj.find("order"); order != fj.end()) {
        if (!order->is_string() ||
            (*order != "ascending" && *order != "descending" && *order != "ignore")) {
          return Invalid(absl::StrCat("Illegal order for field ", field.name, ": ", Dump(*order)));
        }
        field.order = order->get<std::string>();
      }
      if (auto aliases = fj.find("aliases"); aliases != fj.end()) {
        if (!aliases->is_array()) return Invalid("aliases not an array: " + Dump(fj));
        for (const Json& alias : *aliases) {
          if (!alias.is_string()) return Invalid("alias not a string: " + Dump(alias));
          field.aliases.push_back(alias.get<std::string>());
        }
      }
      if (auto def = fj.find("default"); def != fj.end()) field.default_value = *def;
      KeepProps(fj, {"name", "type", "doc", "order", "aliases", "default"}, &field.props);
      SetDepth(node, {field.type});
      node->fields.push_back(std::move(field));
    }
    // Defaults are validated once every field type is known (a default may be a nested record).
    for (const Field& field : node->fields) {
      if (field.default_value && !IsValidDefault(*field.type, *field.default_value, 0)) {
        return Invalid(absl::StrCat(
            "Invalid default for field ", field.name, ": ", Dump(*field.default_value), " not a ",
            internal::WriteAvro(*field.type, internal::AvroForm::kCanonical, {})));
      }
    }
    KeepProps(j, {"type", "name", "namespace", "doc", "aliases", "fields"}, &node->props);
    return node;
  }

  absl::StatusOr<const Node*> ParseEnum(const Json& j, const std::string& space) {
    Node* node = NewNode(Type::kEnum);
    EDDY_RETURN_IF_ERROR(ParseName(j, space, node));
    auto symbols = j.find("symbols");
    if (symbols == j.end() || !symbols->is_array()) {
      return Invalid(absl::StrCat("Enum has no symbols: ", node->FullName()));
    }
    std::set<std::string> seen;
    for (const Json& s : *symbols) {
      if (!s.is_string() || !IsValidName(s.get<std::string>())) {
        return Invalid(absl::StrCat("Illegal enum symbol: ", Dump(s)));
      }
      if (!seen.insert(s.get<std::string>()).second) {
        return Invalid(absl::StrCat("Duplicate enum symbol: ", s.get<std::string>()));
      }
      node->symbols.push_back(s.get<std::string>());
    }
    if (auto def = j.find("default"); def != j.end()) {
      if (!def->is_string() || !seen.contains(def->get<std::string>())) {
        return Invalid(absl::StrCat("The Enum Default: ", Dump(*def),
                                    " is not in the enum symbol set: ", Dump(*symbols)));
      }
      node->enum_default = def->get<std::string>();
    }
    KeepProps(j, {"type", "name", "namespace", "doc", "aliases", "symbols", "default"},
              &node->props);
    return node;
  }

  absl::StatusOr<const Node*> ParseFixed(const Json& j, const std::string& space) {
    Node* node = NewNode(Type::kFixed);
    EDDY_RETURN_IF_ERROR(ParseName(j, space, node));
    auto size = j.find("size");
    if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0 ||
        size->get<int64_t>() > INT32_MAX) {
      return Invalid(absl::StrCat("Invalid or no size: ", Dump(j)));
    }
    node->size = size->get<int64_t>();
    KeepProps(j, {"type", "name", "namespace", "doc", "aliases", "size"}, &node->props);
    SetLogicalType(node);
    return node;
  }

  absl::StatusOr<const Node*> ParseContainer(const Json& j, const std::string& space, int depth,
                                             bool is_array) {
    const char* key = is_array ? "items" : "values";
    auto inner = j.find(key);
    if (inner == j.end())
      return Invalid(absl::StrCat(is_array ? "Array" : "Map", " has no ", key, ": ", Dump(j)));
    Node* node = NewNode(is_array ? Type::kArray : Type::kMap);
    EDDY_ASSIGN_OR_RETURN(node->items, ParseType(*inner, space, depth + 1));
    SetDepth(node, {node->items});
    KeepProps(j, {"type", key}, &node->props);
    return node;
  }

  // IsValidDefault follows Avro Java's Schema.isValidDefault (1.11): a union's default must match
  // its first branch. `depth` follows the default value, which the JSON depth check bounds.
  static bool IsValidDefault(const Node& type, const Json& value, int depth) {
    if (depth > kMaxSchemaNesting) return false;
    switch (type.type) {
      case Type::kNull:
        return value.is_null();
      case Type::kBoolean:
        return value.is_boolean();
      case Type::kInt:
        if (value.is_number_unsigned()) return value.get<uint64_t>() <= INT32_MAX;
        return value.is_number_integer() && value.get<int64_t>() >= INT32_MIN &&
               value.get<int64_t>() <= INT32_MAX;
      case Type::kLong:
        if (value.is_number_unsigned()) return value.get<uint64_t>() <= INT64_MAX;
        return value.is_number_integer();
      case Type::kFloat:
      case Type::kDouble:
        return value.is_number();
      case Type::kBytes:
      case Type::kString:
      case Type::kFixed:
        return value.is_string();
      case Type::kEnum:
        if (!value.is_string()) return false;
        for (const std::string& s : type.symbols) {
          if (s == value.get<std::string>()) return true;
        }
        return false;
      case Type::kArray:
        if (!value.is_array()) return false;
        for (const Json& item : value) {
          if (!IsValidDefault(*type.items, item, depth + 1)) return false;
        }
        return true;
      case Type::kMap:
        if (!value.is_object()) return false;
        for (const auto& item : value.items()) {
          if (!IsValidDefault(*type.items, item.value(), depth + 1)) return false;
        }
        return true;
      case Type::kUnion:
        return !type.branches.empty() && IsValidDefault(*type.branches.front(), value, depth);
      case Type::kRecord:
        if (!value.is_object()) return false;
        for (const Field& field : type.fields) {
          auto it = value.find(field.name);
          if (it != value.end() ? !IsValidDefault(*field.type, *it, depth + 1)
                                : !field.default_value.has_value()) {
            return false;
          }
        }
        return true;
    }
    return false;
  }

  AvroSchema* out_;
  std::map<std::string, const Node*> named_;
  std::set<std::string> parsed_refs_;
};

absl::StatusOr<std::unique_ptr<AvroSchema>> AvroSchema::Parse(
    std::string_view text, const std::vector<ResolvedReference>& references) {
  auto schema = std::unique_ptr<AvroSchema>(new AvroSchema(references));
  AvroParser parser(schema.get());
  EDDY_RETURN_IF_ERROR(parser.ParseReferences(references, 0));
  schema->referenced_names_ = parser.DefinedNames();
  EDDY_ASSIGN_OR_RETURN(schema->root_, parser.ParseText(text));
  schema->canonical_ = internal::WriteAvro(*schema->root_, internal::AvroForm::kCanonical,
                                           schema->referenced_names_);
  return schema;
}

std::string AvroSchema::Normalized() const {
  return internal::WriteAvro(*root_, internal::AvroForm::kNormalized, referenced_names_);
}

std::string AvroSchema::ParsingCanonicalForm() const {
  return internal::WriteAvro(*root_, internal::AvroForm::kParsingCanonical, {});
}

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kNull:
      return "null";
    case Type::kBoolean:
      return "boolean";
    case Type::kInt:
      return "int";
    case Type::kLong:
      return "long";
    case Type::kFloat:
      return "float";
    case Type::kDouble:
      return "double";
    case Type::kBytes:
      return "bytes";
    case Type::kString:
      return "string";
    case Type::kRecord:
      return "record";
    case Type::kEnum:
      return "enum";
    case Type::kArray:
      return "array";
    case Type::kMap:
      return "map";
    case Type::kUnion:
      return "union";
    case Type::kFixed:
      return "fixed";
  }
  return "?";
}

std::string TypeUpperName(Type type) {
  std::string name(TypeName(type));
  for (char& c : name) c = static_cast<char>(c - ('a' - 'A'));
  return name;
}

}  // namespace eddy::registry::avro
