#include "services/registry/protobuf_schema.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/compiler/parser.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/stubs/logging.h"
#include "libs/common/status_macros.h"
#include "services/registry/internal/text_limits.h"

namespace eddy::registry::protobuf {
namespace {

namespace gp = ::google::protobuf;

// ParseErrors collects the tokenizer's and parser's errors ("line:column: message", 1-based).
class ParseErrors : public gp::io::ErrorCollector {
 public:
  void AddError(int line, gp::io::ColumnNumber column, const std::string& message) override {
    if (errors_.size() < 5)
      errors_.push_back(absl::StrCat(line + 1, ":", column + 1, ": ", message));
  }
  bool empty() const { return errors_.empty(); }
  std::string Joined() const { return absl::StrJoin(errors_, "; "); }

 private:
  std::vector<std::string> errors_;
};

// BuildErrors collects DescriptorPool's errors ("element: message").
class BuildErrors : public gp::DescriptorPool::ErrorCollector {
 public:
  void AddError(const std::string& filename, const std::string& element_name, const gp::Message*,
                ErrorLocation, const std::string& message) override {
    if (errors_.size() < 5) {
      errors_.push_back(element_name.empty() ? message : absl::StrCat(element_name, ": ", message));
    }
    (void)filename;
  }
  std::string Joined() const { return absl::StrJoin(errors_, "; "); }

 private:
  std::vector<std::string> errors_;
};

// ParseBase64Descriptor reads `text` as a base64-encoded serialized FileDescriptorProto, the form
// Confluent also accepts and confluent-kafka's Python ProtobufSerializer registers (for the schema
// and each of its imports).
std::optional<gp::FileDescriptorProto> ParseBase64Descriptor(std::string_view text) {
  static constexpr std::string_view kBase64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n";
  if (text.empty() || text.find_first_not_of(kBase64) != std::string_view::npos) {
    return std::nullopt;
  }
  std::string bytes;
  if (!absl::Base64Unescape(absl::string_view(text.data(), text.size()), &bytes)) {
    return std::nullopt;
  }
  gp::FileDescriptorProto proto;
  if (!proto.ParseFromString(bytes)) return std::nullopt;
  return proto;
}

absl::StatusOr<gp::FileDescriptorProto> ParseProtoText(std::string_view text,
                                                       const std::string& name) {
  EDDY_RETURN_IF_ERROR(internal::CheckProtoNesting(text, kMaxSchemaNesting));
  // The parser logs warnings (e.g. a missing syntax statement) that belong to no request log.
  gp::LogSilencer silence;
  gp::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  ParseErrors errors;
  gp::io::Tokenizer tokenizer(&input, &errors);
  gp::compiler::Parser parser;
  parser.RecordErrorsTo(&errors);
  gp::FileDescriptorProto proto;
  if (!parser.Parse(&tokenizer, &proto) || !errors.empty()) {
    std::optional<gp::FileDescriptorProto> binary = ParseBase64Descriptor(text);
    if (!binary) {
      return absl::InvalidArgumentError(absl::StrCat("Invalid protobuf schema: ", errors.Joined()));
    }
    proto = std::move(*binary);
  }
  proto.set_name(name);
  return proto;
}

// PoolBuilder builds a file and, first, everything it imports.
class PoolBuilder {
 public:
  PoolBuilder(gp::DescriptorPool* pool, const std::vector<ResolvedReference>& references)
      : pool_(pool) {
    Index(references, 0);
  }

  absl::StatusOr<const gp::FileDescriptor*> Build(const gp::FileDescriptorProto& proto, int depth) {
    if (depth > kMaxSchemaNesting) return absl::InvalidArgumentError("Imports nest too deeply");
    if (!in_progress_.insert(proto.name()).second) {
      return absl::InvalidArgumentError(absl::StrCat("Import cycle through ", proto.name()));
    }
    for (const std::string& dependency : proto.dependency()) {
      EDDY_RETURN_IF_ERROR(Ensure(dependency, depth + 1));
    }
    BuildErrors errors;
    // Interpreting options logs complaints about the client's input (e.g. invalid UTF-8 in a
    // string option); the error collector has what matters.
    gp::LogSilencer silence;
    const gp::FileDescriptor* file = pool_->BuildFileCollectingErrors(proto, &errors);
    in_progress_.erase(proto.name());
    if (file == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Invalid protobuf schema", proto.name() == kSchemaFileName ? "" : " " + proto.name(),
          ": ", errors.Joined()));
    }
    return file;
  }

 private:
  // Index flattens the reference tree by name; the first text given for a name wins.
  void Index(const std::vector<ResolvedReference>& references, int depth) {
    if (depth > kMaxSchemaNesting) return;
    for (const ResolvedReference& ref : references) {
      if (ref.type == SchemaType::kProtobuf) references_.emplace(ref.name, &ref);
      Index(ref.references, depth + 1);
    }
  }

  absl::Status Ensure(const std::string& name, int depth) {
    if (pool_->FindFileByName(name) != nullptr) return absl::OkStatus();
    gp::FileDescriptorProto proto;
    if (auto it = references_.find(name); it != references_.end()) {
      EDDY_ASSIGN_OR_RETURN(proto, ParseProtoText(it->second->schema, name));
    } else if (const gp::FileDescriptor* builtin =
                   name.rfind("google/protobuf/", 0) == 0
                       ? gp::DescriptorPool::generated_pool()->FindFileByName(name)
                       : nullptr) {
      builtin->CopyTo(&proto);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("Invalid protobuf schema: import \"", name,
                                                     "\" is not a reference or well-known type"));
    }
    return Build(proto, depth).status();
  }

  gp::DescriptorPool* pool_;
  std::map<std::string, const ResolvedReference*> references_;
  std::set<std::string> in_progress_;
};

// SortFields orders fields by number in `message` and its nested messages, recursively (the
// nesting was bounded before parsing).
void SortFields(gp::DescriptorProto* message) {
  auto* fields = message->mutable_field();
  std::stable_sort(fields->begin(), fields->end(),
                   [](const gp::FieldDescriptorProto& a, const gp::FieldDescriptorProto& b) {
                     return a.number() < b.number();
                   });
  for (gp::DescriptorProto& nested : *message->mutable_nested_type()) SortFields(&nested);
}

// CopyDependencies adds `file`'s imports (recursively) from its pool into `pool`.
void CopyDependencies(const gp::FileDescriptor* file, gp::DescriptorPool* pool) {
  for (int i = 0; i < file->dependency_count(); ++i) {
    const gp::FileDescriptor* dependency = file->dependency(i);
    if (pool->FindFileByName(dependency->name()) != nullptr) continue;
    CopyDependencies(dependency, pool);
    gp::FileDescriptorProto proto;
    dependency->CopyTo(&proto);
    pool->BuildFile(proto);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<ProtobufSchema>> ProtobufSchema::Parse(
    std::string_view text, const std::vector<ResolvedReference>& references) {
  EDDY_ASSIGN_OR_RETURN(gp::FileDescriptorProto proto,
                        ParseProtoText(text, std::string(kSchemaFileName)));
  auto schema = std::unique_ptr<ProtobufSchema>(new ProtobufSchema(references));
  schema->pool_ = std::make_unique<gp::DescriptorPool>();
  PoolBuilder builder(schema->pool_.get(), references);
  EDDY_ASSIGN_OR_RETURN(schema->file_, builder.Build(proto, 0));
  schema->canonical_ = schema->file_->DebugString();
  return schema;
}

std::string ProtobufSchema::Normalized() const {
  gp::FileDescriptorProto proto;
  file_->CopyTo(&proto);
  for (gp::DescriptorProto& message : *proto.mutable_message_type()) SortFields(&message);
  // Imports sorted; public/weak markers refer to import indexes, so carry them by name.
  std::set<std::string> public_deps;
  for (int index : proto.public_dependency()) public_deps.insert(proto.dependency(index));
  std::vector<std::string> deps(proto.dependency().begin(), proto.dependency().end());
  std::sort(deps.begin(), deps.end());
  proto.clear_dependency();
  proto.clear_public_dependency();
  proto.clear_weak_dependency();
  for (size_t i = 0; i < deps.size(); ++i) {
    proto.add_dependency(deps[i]);
    if (public_deps.contains(deps[i])) proto.add_public_dependency(static_cast<int>(i));
  }
  gp::LogSilencer silence;
  gp::DescriptorPool pool;
  CopyDependencies(file_, &pool);
  const gp::FileDescriptor* normalized = pool.BuildFile(proto);
  // Reordering fields and imports cannot make a valid file invalid; fall back defensively anyway.
  return normalized != nullptr ? normalized->DebugString() : canonical_;
}

}  // namespace eddy::registry::protobuf
