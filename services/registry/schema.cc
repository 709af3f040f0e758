#include "services/registry/schema.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/registry/avro_schema.h"
#include "services/registry/json_schema.h"
#include "services/registry/protobuf_schema.h"

namespace eddy::registry {
namespace {

constexpr std::string_view kNewLabel = "new";
constexpr std::string_view kOldLabel = "old";
// Confluent truncates the old schema it quotes in messages to this many characters.
constexpr size_t kMaxQuotedSchema = 10 * 1024;

// Strategy is one of Confluent's SchemaValidatorBuilder strategies.
enum class Strategy { kCanRead, kCanBeRead, kMutualRead };

void AppendOldSchema(const PreviousSchema& existing, std::vector<std::string>* messages) {
  if (existing.version > 0) {
    messages->push_back(absl::StrCat("{oldSchemaVersion: ", existing.version, "}"));
  }
  const std::string& text = existing.schema->CanonicalString();
  if (text.size() <= kMaxQuotedSchema) {
    messages->push_back(absl::StrCat("{oldSchema: '", text, "'}"));
  } else {
    messages->push_back(absl::StrCat("{oldSchema: <truncated to ", kMaxQuotedSchema,
                                     " characters> '", text.substr(0, kMaxQuotedSchema), "'}"));
  }
}

std::vector<std::string> Validate(Strategy strategy, const ParsedSchema& proposed,
                                  const PreviousSchema& existing) {
  std::vector<std::string> messages;
  if (strategy != Strategy::kCanRead) {
    // The existing schema reads data written with the proposed one.
    messages = existing.schema->BackwardIncompatibilities(proposed, kOldLabel, kNewLabel);
  }
  if (strategy != Strategy::kCanBeRead) {
    for (std::string& m :
         proposed.BackwardIncompatibilities(*existing.schema, kNewLabel, kOldLabel)) {
      messages.push_back(std::move(m));
    }
  }
  if (!messages.empty()) AppendOldSchema(existing, &messages);
  return messages;
}

}  // namespace

std::string_view SchemaTypeName(SchemaType type) {
  switch (type) {
    case SchemaType::kAvro:
      return "AVRO";
    case SchemaType::kProtobuf:
      return "PROTOBUF";
    case SchemaType::kJson:
      return "JSON";
  }
  return "AVRO";
}

std::optional<SchemaType> ParseSchemaType(std::string_view name) {
  for (SchemaType t : {SchemaType::kAvro, SchemaType::kProtobuf, SchemaType::kJson}) {
    if (SchemaTypeName(t) == name) return t;
  }
  return std::nullopt;
}

std::string_view CompatibilityLevelName(CompatibilityLevel level) {
  switch (level) {
    case CompatibilityLevel::kNone:
      return "NONE";
    case CompatibilityLevel::kBackward:
      return "BACKWARD";
    case CompatibilityLevel::kBackwardTransitive:
      return "BACKWARD_TRANSITIVE";
    case CompatibilityLevel::kForward:
      return "FORWARD";
    case CompatibilityLevel::kForwardTransitive:
      return "FORWARD_TRANSITIVE";
    case CompatibilityLevel::kFull:
      return "FULL";
    case CompatibilityLevel::kFullTransitive:
      return "FULL_TRANSITIVE";
  }
  return "NONE";
}

std::optional<CompatibilityLevel> ParseCompatibilityLevel(std::string_view name) {
  for (CompatibilityLevel l : {CompatibilityLevel::kNone, CompatibilityLevel::kBackward,
                               CompatibilityLevel::kBackwardTransitive,
                               CompatibilityLevel::kForward, CompatibilityLevel::kForwardTransitive,
                               CompatibilityLevel::kFull, CompatibilityLevel::kFullTransitive}) {
    if (CompatibilityLevelName(l) == name) return l;
  }
  return std::nullopt;
}

bool ParsedSchema::Equivalent(const ParsedSchema& other) const {
  return type() == other.type() && CanonicalString() == other.CanonicalString() &&
         references() == other.references();
}

absl::StatusOr<std::unique_ptr<ParsedSchema>> ParseSchema(
    SchemaType type, std::string_view text, const std::vector<ResolvedReference>& references) {
  switch (type) {
    case SchemaType::kAvro: {
      auto parsed = avro::AvroSchema::Parse(text, references);
      if (!parsed.ok()) return parsed.status();
      return std::unique_ptr<ParsedSchema>(std::move(*parsed));
    }
    case SchemaType::kProtobuf: {
      auto parsed = protobuf::ProtobufSchema::Parse(text, references);
      if (!parsed.ok()) return parsed.status();
      return std::unique_ptr<ParsedSchema>(std::move(*parsed));
    }
    case SchemaType::kJson: {
      auto parsed = json::JsonSchema::Parse(text, references);
      if (!parsed.ok()) return parsed.status();
      return std::unique_ptr<ParsedSchema>(std::move(*parsed));
    }
  }
  return absl::InvalidArgumentError("Unknown schema type");
}

std::vector<std::string> CheckCompatibility(CompatibilityLevel level, const ParsedSchema& proposed,
                                            const std::vector<PreviousSchema>& previous) {
  if (level == CompatibilityLevel::kNone || previous.empty()) return {};
  Strategy strategy = Strategy::kMutualRead;
  bool transitive = false;
  switch (level) {
    case CompatibilityLevel::kBackwardTransitive:
      transitive = true;
      [[fallthrough]];
    case CompatibilityLevel::kBackward:
      strategy = Strategy::kCanRead;
      break;
    case CompatibilityLevel::kForwardTransitive:
      transitive = true;
      [[fallthrough]];
    case CompatibilityLevel::kForward:
      strategy = Strategy::kCanBeRead;
      break;
    case CompatibilityLevel::kFullTransitive:
      transitive = true;
      break;
    default:
      break;
  }
  std::vector<std::string> messages;
  // Newest first, stopping at the first version that fails, as Confluent's validateAll does.
  for (auto it = previous.rbegin(); it != previous.rend(); ++it) {
    messages = Validate(strategy, proposed, *it);
    if (!messages.empty() || !transitive) break;
  }
  if (!messages.empty()) {
    messages.push_back(
        absl::StrCat("{compatibility: '", std::string(CompatibilityLevelName(level)), "'}"));
  }
  return messages;
}

}  // namespace eddy::registry
