// Confluent's Protobuf compatibility rules (io.confluent.kafka.schemaregistry.protobuf.diff),
// applied to descriptors. The original (previous) file is diffed against the update (proposed);
// these differences are compatible and everything else is not:
//   MESSAGE_ADDED MESSAGE_MOVED ENUM_ADDED ENUM_REMOVED ENUM_CONST_ADDED ENUM_CONST_CHANGED
//   ENUM_CONST_REMOVED FIELD_ADDED FIELD_REMOVED FIELD_NAME_CHANGED
//   FIELD_STRING_OR_BYTES_LABEL_CHANGED ONEOF_ADDED ONEOF_REMOVED ONEOF_FIELD_ADDED
// Incompatible: PACKAGE_CHANGED, MESSAGE_REMOVED, FIELD_KIND_CHANGED (scalar/enum vs message vs
// map), FIELD_SCALAR_KIND_CHANGED (outside the wire-compatible groups {int32 int64 uint32 uint64
// bool enum}, {sint32 sint64}, {string bytes}, {fixed32 sfixed32}, {fixed64 sfixed64}, {float},
// {double}), FIELD_NAMED_TYPE_CHANGED, FIELD_NUMERIC_LABEL_CHANGED (repeated vs singular numeric,
// both labelled in the source), REQUIRED_FIELD_ADDED/REMOVED, ONEOF_FIELD_REMOVED,
// MULTIPLE_FIELDS_MOVED_TO_ONEOF, FIELD_MOVED_TO_EXISTING_ONEOF.
// Protobuf's wire rules behind the groups: https://protobuf.dev/programming-guides/proto3/#updating
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.pb.h"
#include "services/registry/protobuf_schema.h"

namespace eddy::registry::protobuf {
namespace {

namespace gp = ::google::protobuf;

struct Difference {
  std::string type;
  std::string path;
};

bool IsCompatibleChange(const std::string& type) {
  static const std::set<std::string> kCompatible = {
      "MESSAGE_ADDED",
      "MESSAGE_MOVED",
      "ENUM_ADDED",
      "ENUM_REMOVED",
      "ENUM_CONST_ADDED",
      "ENUM_CONST_CHANGED",
      "ENUM_CONST_REMOVED",
      "FIELD_ADDED",
      "FIELD_REMOVED",
      "FIELD_NAME_CHANGED",
      "FIELD_STRING_OR_BYTES_LABEL_CHANGED",
      "ONEOF_ADDED",
      "ONEOF_REMOVED",
      "ONEOF_FIELD_ADDED",
  };
  return kCompatible.contains(type);
}

enum class Kind { kScalar, kMessage, kMap };

Kind KindOf(const gp::FieldDescriptor* field) {
  if (field->is_map()) return Kind::kMap;
  const auto type = field->type();
  return type == gp::FieldDescriptor::TYPE_MESSAGE || type == gp::FieldDescriptor::TYPE_GROUP
             ? Kind::kMessage
             : Kind::kScalar;
}

// ScalarGroup: fields whose types share a group can change into each other on the wire.
std::string ScalarGroup(const gp::FieldDescriptor* field) {
  switch (field->type()) {
    case gp::FieldDescriptor::TYPE_INT32:
    case gp::FieldDescriptor::TYPE_INT64:
    case gp::FieldDescriptor::TYPE_UINT32:
    case gp::FieldDescriptor::TYPE_UINT64:
    case gp::FieldDescriptor::TYPE_BOOL:
    case gp::FieldDescriptor::TYPE_ENUM:
      return "GENERAL_NUMBER";
    case gp::FieldDescriptor::TYPE_SINT32:
    case gp::FieldDescriptor::TYPE_SINT64:
      return "SIGNED_NUMBER";
    case gp::FieldDescriptor::TYPE_STRING:
    case gp::FieldDescriptor::TYPE_BYTES:
      return "STRING_OR_BYTES";
    case gp::FieldDescriptor::TYPE_FIXED32:
    case gp::FieldDescriptor::TYPE_SFIXED32:
      return "FIXED32";
    case gp::FieldDescriptor::TYPE_FIXED64:
    case gp::FieldDescriptor::TYPE_SFIXED64:
      return "FIXED64";
    case gp::FieldDescriptor::TYPE_FLOAT:
      return "FLOAT";
    case gp::FieldDescriptor::TYPE_DOUBLE:
      return "DOUBLE";
    default:
      return "MESSAGE";
  }
}

// SourceLabel is the label as written: proto3 singular fields without `optional` have none, which
// is how Confluent's parser (Wire) sees them.
std::optional<gp::FieldDescriptor::Label> SourceLabel(const gp::FieldDescriptor* field) {
  if (field->is_repeated()) return gp::FieldDescriptor::LABEL_REPEATED;
  if (field->file()->syntax() == gp::FileDescriptor::SYNTAX_PROTO2) return field->label();
  if (field->has_optional_keyword()) return gp::FieldDescriptor::LABEL_OPTIONAL;
  return std::nullopt;
}

// LocalName is a type's full name without its file's package.
std::string LocalName(const gp::Descriptor* type) {
  const std::string& package = type->file()->package();
  if (package.empty()) return type->full_name();
  return type->full_name().substr(package.size() + 1);
}

// Real oneofs (not proto3 `optional` synthetic ones) come first in oneof_decl(), so indexes below
// real_oneof_decl_count() are the real ones.
// RegularFields are a message's fields outside real oneofs (proto3 `optional` synthetic oneofs
// count as regular), by number.
std::map<int, const gp::FieldDescriptor*> RegularFields(const gp::Descriptor* message) {
  std::map<int, const gp::FieldDescriptor*> fields;
  for (int i = 0; i < message->field_count(); ++i) {
    const gp::FieldDescriptor* f = message->field(i);
    if (f->real_containing_oneof() == nullptr) fields[f->number()] = f;
  }
  return fields;
}

class ProtoDiff {
 public:
  ProtoDiff(const gp::FileDescriptor* original_file, const gp::FileDescriptor* update_file)
      : original_file_(original_file), update_file_(update_file) {}

  std::vector<Difference> Compare() {
    if (original_file_->package() != update_file_->package()) Add("PACKAGE_CHANGED");
    std::vector<const gp::Descriptor*> om, um;
    std::vector<const gp::EnumDescriptor*> oe, ue;
    for (int i = 0; i < original_file_->message_type_count(); ++i)
      om.push_back(original_file_->message_type(i));
    for (int i = 0; i < update_file_->message_type_count(); ++i)
      um.push_back(update_file_->message_type(i));
    for (int i = 0; i < original_file_->enum_type_count(); ++i)
      oe.push_back(original_file_->enum_type(i));
    for (int i = 0; i < update_file_->enum_type_count(); ++i)
      ue.push_back(update_file_->enum_type(i));
    CompareTypes(om, um, oe, ue);
    return std::move(diffs_);
  }

 private:
  struct Scope {
    Scope(ProtoDiff* d, std::string name) : diff(d) { diff->path_.push_back(std::move(name)); }
    ~Scope() { diff->path_.pop_back(); }
    ProtoDiff* diff;
  };

  void Add(std::string type) {
    diffs_.push_back({std::move(type), "#/" + absl::StrJoin(path_, "/")});
  }

  void CompareTypes(const std::vector<const gp::Descriptor*>& om,
                    const std::vector<const gp::Descriptor*>& um,
                    const std::vector<const gp::EnumDescriptor*>& oe,
                    const std::vector<const gp::EnumDescriptor*>& ue) {
    // Map entries are how maps are encoded, not messages of their own.
    std::map<std::string, std::pair<const gp::Descriptor*, int>> original, update;
    int index = 0;
    for (const gp::Descriptor* m : om) {
      if (!m->options().map_entry()) original[m->name()] = {m, index++};
    }
    index = 0;
    for (const gp::Descriptor* m : um) {
      if (!m->options().map_entry()) update[m->name()] = {m, index++};
    }
    std::set<std::string> names;
    for (const auto& [name, m] : original) names.insert(name);
    for (const auto& [name, m] : update) names.insert(name);
    for (const std::string& name : names) {
      Scope scope(this, name);
      auto o = original.find(name);
      auto u = update.find(name);
      if (u == update.end()) {
        Add("MESSAGE_REMOVED");
      } else if (o == original.end()) {
        Add("MESSAGE_ADDED");
      } else {
        CompareMessage(o->second.first, u->second.first);
        // Moving a message is compatible: serialized message indexes refer to the writer's schema.
        if (o->second.second != u->second.second) Add("MESSAGE_MOVED");
      }
    }
    std::map<std::string, const gp::EnumDescriptor*> original_enums, update_enums;
    for (const gp::EnumDescriptor* e : oe) original_enums[e->name()] = e;
    for (const gp::EnumDescriptor* e : ue) update_enums[e->name()] = e;
    std::set<std::string> enum_names;
    for (const auto& [name, e] : original_enums) enum_names.insert(name);
    for (const auto& [name, e] : update_enums) enum_names.insert(name);
    for (const std::string& name : enum_names) {
      Scope scope(this, name);
      auto o = original_enums.find(name);
      auto u = update_enums.find(name);
      if (u == update_enums.end()) {
        Add("ENUM_REMOVED");
      } else if (o == original_enums.end()) {
        Add("ENUM_ADDED");
      } else {
        CompareEnum(o->second, u->second);
      }
    }
  }

  void CompareEnum(const gp::EnumDescriptor* original, const gp::EnumDescriptor* update) {
    std::map<int, std::string> o, u;
    // The first name for a number wins, as with allow_alias the first is the canonical one.
    for (int i = 0; i < original->value_count(); ++i)
      o.emplace(original->value(i)->number(), original->value(i)->name());
    for (int i = 0; i < update->value_count(); ++i)
      u.emplace(update->value(i)->number(), update->value(i)->name());
    std::set<int> numbers;
    for (const auto& [n, name] : o) numbers.insert(n);
    for (const auto& [n, name] : u) numbers.insert(n);
    for (int n : numbers) {
      Scope scope(this, std::to_string(n));
      if (!u.contains(n)) {
        Add("ENUM_CONST_REMOVED");
      } else if (!o.contains(n)) {
        Add("ENUM_CONST_ADDED");
      } else if (o[n] != u[n]) {
        Add("ENUM_CONST_CHANGED");
      }
    }
  }

  void CompareMessage(const gp::Descriptor* original, const gp::Descriptor* update) {
    // A message pair already being compared further up is recursion through a field type.
    if (!visiting_.insert({original, update}).second) return;
    std::map<int, const gp::FieldDescriptor*> original_fields = RegularFields(original);
    const std::map<int, const gp::FieldDescriptor*> update_fields = RegularFields(update);
    std::set<int> original_oneof_numbers;
    for (int i = 0; i < original->real_oneof_decl_count(); ++i) {
      const gp::OneofDescriptor* oneof = original->oneof_decl(i);
      for (int j = 0; j < oneof->field_count(); ++j)
        original_oneof_numbers.insert(oneof->field(j)->number());
    }
    for (int i = 0; i < update->real_oneof_decl_count(); ++i) {
      const gp::OneofDescriptor* oneof = update->oneof_decl(i);
      Scope scope(this, oneof->name());
      int moved = 0;
      int existing = 0;
      for (int j = 0; j < oneof->field_count(); ++j) {
        const int number = oneof->field(j)->number();
        // A field moved into a oneof is compared there, not reported as removed.
        if (original_fields.erase(number) > 0) {
          ++moved;
        } else if (original_oneof_numbers.contains(number)) {
          ++existing;
        }
      }
      if (moved > 1) {
        Add("MULTIPLE_FIELDS_MOVED_TO_ONEOF");
      } else if (moved == 1 && existing > 0) {
        Add("FIELD_MOVED_TO_EXISTING_ONEOF");
      }
    }
    CompareOneofs(original, update);
    std::set<int> numbers;
    for (const auto& [n, f] : original_fields) numbers.insert(n);
    for (const auto& [n, f] : update_fields) numbers.insert(n);
    for (int n : numbers) {
      Scope scope(this, std::to_string(n));
      auto o = original_fields.find(n);
      auto u = update_fields.find(n);
      if (u == update_fields.end()) {
        Add(o->second->is_required() ? "REQUIRED_FIELD_REMOVED" : "FIELD_REMOVED");
      } else if (o == original_fields.end()) {
        Add(u->second->is_required() ? "REQUIRED_FIELD_ADDED" : "FIELD_ADDED");
      } else {
        CompareField(o->second, u->second);
      }
    }
    std::vector<const gp::Descriptor*> om, um;
    std::vector<const gp::EnumDescriptor*> oe, ue;
    for (int i = 0; i < original->nested_type_count(); ++i) om.push_back(original->nested_type(i));
    for (int i = 0; i < update->nested_type_count(); ++i) um.push_back(update->nested_type(i));
    for (int i = 0; i < original->enum_type_count(); ++i) oe.push_back(original->enum_type(i));
    for (int i = 0; i < update->enum_type_count(); ++i) ue.push_back(update->enum_type(i));
    CompareTypes(om, um, oe, ue);
    visiting_.erase({original, update});
  }

  void CompareOneofs(const gp::Descriptor* original, const gp::Descriptor* update) {
    std::map<std::string, const gp::OneofDescriptor*> o, u;
    for (int i = 0; i < original->real_oneof_decl_count(); ++i)
      o[original->oneof_decl(i)->name()] = original->oneof_decl(i);
    for (int i = 0; i < update->real_oneof_decl_count(); ++i)
      u[update->oneof_decl(i)->name()] = update->oneof_decl(i);
    std::set<std::string> names;
    for (const auto& [name, oneof] : o) names.insert(name);
    for (const auto& [name, oneof] : u) names.insert(name);
    for (const std::string& name : names) {
      Scope scope(this, name);
      if (!u.contains(name)) {
        Add("ONEOF_REMOVED");
      } else if (!o.contains(name)) {
        Add("ONEOF_ADDED");
      } else {
        std::map<int, const gp::FieldDescriptor*> of, uf;
        for (int i = 0; i < o[name]->field_count(); ++i)
          of[o[name]->field(i)->number()] = o[name]->field(i);
        for (int i = 0; i < u[name]->field_count(); ++i)
          uf[u[name]->field(i)->number()] = u[name]->field(i);
        std::set<int> numbers;
        for (const auto& [n, f] : of) numbers.insert(n);
        for (const auto& [n, f] : uf) numbers.insert(n);
        for (int n : numbers) {
          Scope field_scope(this, std::to_string(n));
          if (!uf.contains(n)) {
            Add("ONEOF_FIELD_REMOVED");
          } else if (!of.contains(n)) {
            Add("ONEOF_FIELD_ADDED");
          } else {
            CompareField(of[n], uf[n]);
          }
        }
      }
    }
  }

  void CompareField(const gp::FieldDescriptor* original, const gp::FieldDescriptor* update) {
    if (original->name() != update->name()) Add("FIELD_NAME_CHANGED");
    CompareLabelsAndTypes(original, update, SourceLabel(original), SourceLabel(update));
  }

  void CompareLabelsAndTypes(const gp::FieldDescriptor* original, const gp::FieldDescriptor* update,
                             std::optional<gp::FieldDescriptor::Label> original_label,
                             std::optional<gp::FieldDescriptor::Label> update_label) {
    const Kind kind = KindOf(original);
    if (kind != KindOf(update)) {
      Add("FIELD_KIND_CHANGED");
      return;
    }
    if (kind == Kind::kMap) {
      // A map's key and value compare like fields without labels.
      const gp::Descriptor* o = original->message_type();
      const gp::Descriptor* u = update->message_type();
      CompareLabelsAndTypes(o->map_key(), u->map_key(), std::nullopt, std::nullopt);
      CompareLabelsAndTypes(o->map_value(), u->map_value(), std::nullopt, std::nullopt);
    } else if (kind == Kind::kMessage) {
      CompareMessageTypes(original->message_type(), update->message_type());
    } else {
      const std::string group = ScalarGroup(original);
      if (group != ScalarGroup(update)) {
        Add("FIELD_SCALAR_KIND_CHANGED");
      } else if (original_label && update_label && *original_label != *update_label) {
        Add(group == "STRING_OR_BYTES" ? "FIELD_STRING_OR_BYTES_LABEL_CHANGED"
                                       : "FIELD_NUMERIC_LABEL_CHANGED");
      }
    }
  }

  // CompareMessageTypes: a message-typed field keeps its type if the local name is unchanged.
  // Types from imported files are compared structurally as well (types in the files themselves are
  // compared by name at their own level); a pair of identical imports is skipped.
  void CompareMessageTypes(const gp::Descriptor* original, const gp::Descriptor* update) {
    if (LocalName(original) != LocalName(update)) {
      Add("FIELD_NAMED_TYPE_CHANGED");
      return;
    }
    const bool local = original->file() == original_file_ && update->file() == update_file_;
    if (local || original->file()->DebugString() == update->file()->DebugString()) return;
    // Chains of imported types deeper than this are assumed compatible, as cycles are.
    if (import_depth_ > 2 * kMaxSchemaNesting) return;
    ProtoDiff sub(original_file_, update_file_);
    sub.visiting_ = visiting_;
    sub.import_depth_ = import_depth_ + 1;
    sub.path_.push_back(LocalName(original));
    sub.CompareMessage(original, update);
    bool compatible = true;
    for (Difference& d : sub.diffs_) {
      compatible = compatible && IsCompatibleChange(d.type);
      diffs_.push_back(std::move(d));
    }
    if (!compatible) Add("FIELD_NAMED_TYPE_CHANGED");
  }

  const gp::FileDescriptor* original_file_;
  const gp::FileDescriptor* update_file_;
  std::vector<std::string> path_;
  std::set<std::pair<const gp::Descriptor*, const gp::Descriptor*>> visiting_;
  int import_depth_ = 0;  // nesting of CompareMessageTypes into imported types
  std::vector<Difference> diffs_;
};

// Describe renders a difference as Confluent's protobuf Difference.toString() does; the first
// placeholder there is the update (`update_label`), the second the original.
std::string Describe(const Difference& d, const std::string& update_label,
                     const std::string& original_label) {
  const std::string& p = d.path;
  const std::string& u = update_label;
  const std::string& o = original_label;
  std::string text;
  if (d.type == "PACKAGE_CHANGED") {
    text = absl::StrCat("The package at '", p, "' in the ", u,
                        " schema does not match the package in the ", o, " schema");
  } else if (d.type == "MESSAGE_REMOVED") {
    text = absl::StrCat("The ", u, " schema is missing a MESSAGE type at path '", p, "' in the ", o,
                        " schema");
  } else if (d.type == "FIELD_KIND_CHANGED") {
    text = absl::StrCat("The type of a field at path '", p, "' in the ", u,
                        " schema does not match the ", o, " schema");
  } else if (d.type == "FIELD_SCALAR_KIND_CHANGED") {
    text = absl::StrCat("The kind of a SCALAR field at path '", p, "' in the ", u,
                        " schema does not match its kind in the ", o, " schema");
  } else if (d.type == "FIELD_NAMED_TYPE_CHANGED") {
    text = absl::StrCat("The type of a MESSAGE field at path '", p, "' in the ", u,
                        " schema does not match its type in the ", o, " schema");
  } else if (d.type == "FIELD_NUMERIC_LABEL_CHANGED") {
    text = absl::StrCat("The label for a NUMERIC field at path '", p, "' in the ", u,
                        " schema does not match its label in the ", o, " schema");
  } else if (d.type == "REQUIRED_FIELD_ADDED") {
    text = absl::StrCat("A required field  at path '", p, "' in the ", u,
                        " schema is missing in the ", o, " schema");
  } else if (d.type == "REQUIRED_FIELD_REMOVED") {
    text = absl::StrCat("The ", u, " schema is missing a required field at path: '", p, "' in the ",
                        o, " schema");
  } else if (d.type == "ONEOF_FIELD_REMOVED") {
    text = absl::StrCat("The ", u, " schema is missing a oneof field at path '", p, "' in the ", o,
                        " schema");
  } else if (d.type == "MULTIPLE_FIELDS_MOVED_TO_ONEOF") {
    text = absl::StrCat("Multiple fields in the oneof at path '", p, "' in the ", u,
                        " schema are outside a oneof in the ", o, " schema");
  } else if (d.type == "FIELD_MOVED_TO_EXISTING_ONEOF") {
    text = absl::StrCat("A field in the oneof at path '", p, "' in the ", u,
                        " schema is outside an existing oneof in the ", o, " schema");
  }
  return absl::StrCat("{errorType:\"", d.type, "\", description:\"", text, "\"}");
}

}  // namespace

std::vector<std::string> ProtobufSchema::BackwardIncompatibilities(
    const ParsedSchema& previous, std::string_view self_label,
    std::string_view previous_label) const {
  if (previous.type() != SchemaType::kProtobuf) {
    return {"Incompatible because of different schema type"};
  }
  const auto& original = static_cast<const ProtobufSchema&>(previous);
  std::vector<std::string> messages;
  for (const Difference& d : ProtoDiff(original.file_, file_).Compare()) {
    if (!IsCompatibleChange(d.type)) {
      messages.push_back(Describe(d, std::string(self_label), std::string(previous_label)));
    }
  }
  return messages;
}

}  // namespace eddy::registry::protobuf
