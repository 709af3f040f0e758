// Compatibility half of AvroSchema: the Avro specification's schema resolution rules ("Schema
// Resolution"), checked the way Avro Java's SchemaCompatibility does (which Confluent uses), with
// Confluent's verbose messages (io.confluent.kafka.schemaregistry.avro.Difference):
//   NAME_MISMATCH          named types match by simple name or a reader alias of the writer's name
//   FIXED_SIZE_MISMATCH    fixed sizes must be equal
//   MISSING_ENUM_SYMBOLS   writer symbols the reader lacks, unless the reader has an enum default
//   READER_FIELD_MISSING_DEFAULT_VALUE  a reader field absent from the writer (by name or reader
//                          field alias) needs a default
//   TYPE_MISMATCH          different types other than the promotions int→long→float→double and
//                          string↔bytes
//   MISSING_UNION_BRANCH   a writer union branch (or non-union writer) no reader branch can read
// Locations are JSON-pointer-like paths into the reader schema ("/fields/1/type").
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/registry/avro_schema.h"

namespace eddy::registry::avro {
namespace {

struct Incompatibility {
  std::string type;
  std::string location;
  std::string message;
};

class ResolutionChecker {
 public:
  // Check returns every incompatibility found reading data written with `writer` using `reader`.
  std::vector<Incompatibility> Check(const Node& reader, const Node& writer) {
    location_.clear();
    return Compatibility("", reader, writer);
  }

 private:
  enum class State { kInProgress, kDone };
  struct Memo {
    State state;
    std::vector<Incompatibility> result;
  };

  std::string Location() const {
    std::vector<std::string> parts(location_.begin() + 1, location_.end());
    // StrCat rather than "literal" + string here and below: GCC 12's -O3 -Wrestrict misfires on the
    // latter (GCC bug 105329) and Release builds use -Werror.
    return absl::StrCat("/", absl::StrJoin(parts, "/"));
  }

  std::vector<Incompatibility> Incompatible(std::string type, std::string message) {
    return {{std::move(type), Location(), std::move(message)}};
  }

  // Compatibility memoizes each (reader, writer) pair; a pair met again while still in progress is
  // recursion through a named type and counts as compatible, as in Avro Java. Recursion depth is
  // bounded by the schemas' nesting, since revisiting a pair stops it.
  std::vector<Incompatibility> Compatibility(std::string token, const Node& reader,
                                             const Node& writer) {
    location_.push_back(std::move(token));
    const auto key = std::make_pair(&reader, &writer);
    std::vector<Incompatibility> result;
    if (auto it = memo_.find(key); it != memo_.end()) {
      if (it->second.state == State::kDone) result = it->second.result;
    } else {
      memo_[key] = Memo{State::kInProgress, {}};
      result = Calculate(reader, writer);
      memo_[key] = Memo{State::kDone, result};
    }
    location_.pop_back();
    return result;
  }

  // Unlocated variant: Avro Java's getCompatibility(reader, writer) without a location token.
  std::vector<Incompatibility> CompatibilityHere(const Node& reader, const Node& writer) {
    const auto key = std::make_pair(&reader, &writer);
    if (auto it = memo_.find(key); it != memo_.end()) {
      return it->second.state == State::kDone ? it->second.result : std::vector<Incompatibility>{};
    }
    memo_[key] = Memo{State::kInProgress, {}};
    std::vector<Incompatibility> result = Calculate(reader, writer);
    memo_[key] = Memo{State::kDone, result};
    return result;
  }

  static void Merge(std::vector<Incompatibility>* into, std::vector<Incompatibility> more) {
    for (Incompatibility& i : more) into->push_back(std::move(i));
  }

  std::vector<Incompatibility> TypeMismatch(const Node& reader, const Node& writer) {
    return Incompatible("TYPE_MISMATCH", absl::StrCat("reader type: ", TypeUpperName(reader.type),
                                                      " not compatible with writer type: ",
                                                      TypeUpperName(writer.type)));
  }

  std::vector<Incompatibility> Calculate(const Node& reader, const Node& writer) {
    std::vector<Incompatibility> result;
    if (reader.type == writer.type) {
      switch (reader.type) {
        case Type::kArray:
          return Compatibility("items", *reader.items, *writer.items);
        case Type::kMap:
          return Compatibility("values", *reader.items, *writer.items);
        case Type::kFixed:
          Merge(&result, CheckNames(reader, writer));
          Merge(&result, CheckFixedSize(reader, writer));
          return result;
        case Type::kEnum:
          Merge(&result, CheckNames(reader, writer));
          Merge(&result, CheckEnumSymbols(reader, writer));
          return result;
        case Type::kRecord:
          Merge(&result, CheckNames(reader, writer));
          Merge(&result, CheckRecordFields(reader, writer));
          return result;
        case Type::kUnion:
          // Every writer branch must be readable by the reader union.
          for (size_t i = 0; i < writer.branches.size(); ++i) {
            location_.push_back(std::to_string(i));
            if (!CompatibilityHere(reader, *writer.branches[i]).empty()) {
              Merge(&result, Incompatible("MISSING_UNION_BRANCH",
                                          absl::StrCat("reader union lacking writer type: ",
                                                       TypeUpperName(writer.branches[i]->type))));
            }
            location_.pop_back();
          }
          return result;
        default:
          return result;
      }
    }
    if (writer.type == Type::kUnion) {
      // A non-union reader reads a union only if it reads every branch.
      for (const Node* branch : writer.branches) Merge(&result, CompatibilityHere(reader, *branch));
      return result;
    }
    switch (reader.type) {
      case Type::kLong:
        return writer.type == Type::kInt ? result : TypeMismatch(reader, writer);
      case Type::kFloat:
        return writer.type == Type::kInt || writer.type == Type::kLong
                   ? result
                   : TypeMismatch(reader, writer);
      case Type::kDouble:
        return writer.type == Type::kInt || writer.type == Type::kLong ||
                       writer.type == Type::kFloat
                   ? result
                   : TypeMismatch(reader, writer);
      case Type::kBytes:
        return writer.type == Type::kString ? result : TypeMismatch(reader, writer);
      case Type::kString:
        return writer.type == Type::kBytes ? result : TypeMismatch(reader, writer);
      case Type::kUnion:
        for (const Node* branch : reader.branches) {
          if (CompatibilityHere(*branch, writer).empty()) return result;
        }
        return Incompatible(
            "MISSING_UNION_BRANCH",
            absl::StrCat("reader union lacking writer type: ", TypeUpperName(writer.type)));
      default:
        return TypeMismatch(reader, writer);
    }
  }

  std::vector<Incompatibility> CheckNames(const Node& reader, const Node& writer) {
    location_.push_back("name");
    std::vector<Incompatibility> result;
    bool equal = reader.name == writer.name;
    for (const std::string& alias : reader.aliases) equal = equal || alias == writer.FullName();
    if (!equal) result = Incompatible("NAME_MISMATCH", "expected: " + writer.FullName());
    location_.pop_back();
    return result;
  }

  std::vector<Incompatibility> CheckFixedSize(const Node& reader, const Node& writer) {
    location_.push_back("size");
    std::vector<Incompatibility> result;
    if (reader.size != writer.size) {
      result = Incompatible("FIXED_SIZE_MISMATCH",
                            absl::StrCat("expected: ", writer.size, ", found: ", reader.size));
    }
    location_.pop_back();
    return result;
  }

  std::vector<Incompatibility> CheckEnumSymbols(const Node& reader, const Node& writer) {
    location_.push_back("symbols");
    std::vector<Incompatibility> result;
    std::set<std::string> missing(writer.symbols.begin(), writer.symbols.end());
    for (const std::string& s : reader.symbols) missing.erase(s);
    if (!missing.empty() && !reader.enum_default) {
      result = Incompatible("MISSING_ENUM_SYMBOLS",
                            absl::StrCat("[", absl::StrJoin(missing, ", "), "]"));
    }
    location_.pop_back();
    return result;
  }

  // LookupWriterField finds the writer field a reader field reads: by name, then by the reader
  // field's aliases.
  static const Field* LookupWriterField(
      const std::map<std::string_view, const Field*>& writer_fields, const Field& reader_field) {
    if (auto it = writer_fields.find(reader_field.name); it != writer_fields.end())
      return it->second;
    for (const std::string& alias : reader_field.aliases) {
      if (auto it = writer_fields.find(alias); it != writer_fields.end()) return it->second;
    }
    return nullptr;
  }

  std::vector<Incompatibility> CheckRecordFields(const Node& reader, const Node& writer) {
    std::vector<Incompatibility> result;
    std::map<std::string_view, const Field*> writer_fields;
    for (const Field& f : writer.fields) writer_fields.emplace(f.name, &f);
    location_.push_back("fields");
    for (size_t i = 0; i < reader.fields.size(); ++i) {
      const Field& field = reader.fields[i];
      location_.push_back(std::to_string(i));
      if (const Field* writer_field = LookupWriterField(writer_fields, field)) {
        Merge(&result, Compatibility("type", *field.type, *writer_field->type));
      } else if (!field.default_value) {
        Merge(&result, Incompatible("READER_FIELD_MISSING_DEFAULT_VALUE", field.name));
      }
      location_.pop_back();
    }
    location_.pop_back();
    return result;
  }

  std::vector<std::string> location_;
  std::map<std::pair<const Node*, const Node*>, Memo> memo_;
};

// Describe renders one incompatibility as Confluent's Difference.error() does, naming the reader
// `reader_label` and the writer `writer_label`.
std::string Describe(const Incompatibility& i, std::string_view reader_label,
                     std::string_view writer_label) {
  const std::string r(reader_label);
  const std::string w(writer_label);
  std::string description;
  if (i.type == "FIXED_SIZE_MISMATCH") {
    description = absl::StrCat("The size of FIXED type field at path '", i.location, "' in the ", r,
                               " schema does not match with the ", w, " schema");
  } else if (i.type == "TYPE_MISMATCH") {
    description = absl::StrCat("The type (path '", i.location, "') of a field in the ", r,
                               " schema does not match with the ", w, " schema");
  } else if (i.type == "NAME_MISMATCH") {
    description = absl::StrCat("The name of the schema has changed (path '", i.location, "')");
  } else if (i.type == "MISSING_ENUM_SYMBOLS") {
    description = absl::StrCat("The ", r, " schema is missing enum symbols '", i.message,
                               "' at path '", i.location, "' in the ", w, " schema");
  } else if (i.type == "MISSING_UNION_BRANCH") {
    description =
        absl::StrCat("The ", r, " schema is missing a type inside a union field at path '",
                     i.location, "' in the ", w, " schema");
  } else {
    description = absl::StrCat("The field '", i.message, "' at path '", i.location, "' in the ", r,
                               " schema has no default value and is missing in the ", w, " schema");
  }
  return absl::StrCat("{errorType:'", i.type, "', description:'", description,
                      "', additionalInfo:'", i.message, "'}");
}

}  // namespace

std::vector<std::string> AvroSchema::BackwardIncompatibilities(
    const ParsedSchema& previous, std::string_view self_label,
    std::string_view previous_label) const {
  if (previous.type() != SchemaType::kAvro) {
    return {"Incompatible because of different schema type"};
  }
  const auto& writer = static_cast<const AvroSchema&>(previous);
  ResolutionChecker checker;
  std::vector<std::string> messages;
  for (const Incompatibility& i : checker.Check(*root_, *writer.root_)) {
    messages.push_back(Describe(i, self_label, previous_label));
  }
  return messages;
}

}  // namespace eddy::registry::avro
