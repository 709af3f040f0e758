// ProtobufSchema: a .proto file parsed with libprotobuf's own compiler front end
// (google::protobuf::compiler::Parser) and built into a private DescriptorPool, so everything
// protoc rejects (unknown types, duplicate numbers, bad options, ...) is rejected here too. Text
// that is not .proto syntax but a base64-encoded serialized FileDescriptorProto is accepted as
// well, as Confluent does (confluent-kafka's Python ProtobufSerializer registers schemas and their
// imports that way); it is stored re-printed as .proto text like any other.
//
// Imports resolve, in order, to the ResolvedReferences by name (parsed the same way, recursively)
// and to the google/protobuf/*.proto well-known types compiled into libprotobuf (any, timestamp,
// duration, struct, wrappers, empty, field_mask, api, type, source_context, descriptor), copied
// from DescriptorPool::generated_pool() — never read from disk. Anything else is an unresolved
// import.
//
// Invariants: file() and every descriptor reachable from it live as long as this object; the pool
// is never modified after Parse returns.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "services/registry/schema.h"

namespace eddy::registry::protobuf {

class ProtobufSchema final : public ParsedSchema {
 public:
  static absl::StatusOr<std::unique_ptr<ProtobufSchema>> Parse(
      std::string_view text, const std::vector<ResolvedReference>& references);

  SchemaType type() const override { return SchemaType::kProtobuf; }
  const std::string& CanonicalString() const override { return canonical_; }
  std::string Normalized() const override;
  // Confluent's Protobuf rules (io.confluent.kafka.schemaregistry.protobuf.diff), comparing
  // `previous` as the original file and this one as the update; see protobuf_compatibility.cc.
  std::vector<std::string> BackwardIncompatibilities(
      const ParsedSchema& previous, std::string_view self_label,
      std::string_view previous_label) const override;

  const google::protobuf::FileDescriptor* file() const { return file_; }

 private:
  explicit ProtobufSchema(std::vector<ResolvedReference> references)
      : ParsedSchema(std::move(references)) {}

  std::unique_ptr<google::protobuf::DescriptorPool> pool_;
  const google::protobuf::FileDescriptor* file_ = nullptr;
  std::string canonical_;
};

// kSchemaFileName is the file name the schema itself gets inside its pool.
inline constexpr std::string_view kSchemaFileName = "eddy_registry_schema.proto";

}  // namespace eddy::registry::protobuf
