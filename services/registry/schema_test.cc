#include "services/registry/schema.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace eddy::registry {
namespace {

using ::eddy::testing::StatusIs;

TEST(SchemaTest, NamesRoundTrip) {
  for (SchemaType t : {SchemaType::kAvro, SchemaType::kProtobuf, SchemaType::kJson}) {
    EXPECT_EQ(ParseSchemaType(SchemaTypeName(t)), t);
  }
  EXPECT_EQ(ParseSchemaType("avro"), std::nullopt);
  for (auto l : {CompatibilityLevel::kNone, CompatibilityLevel::kBackward,
                 CompatibilityLevel::kBackwardTransitive, CompatibilityLevel::kForward,
                 CompatibilityLevel::kForwardTransitive, CompatibilityLevel::kFull,
                 CompatibilityLevel::kFullTransitive}) {
    EXPECT_EQ(ParseCompatibilityLevel(CompatibilityLevelName(l)), l);
  }
  EXPECT_EQ(ParseCompatibilityLevel("FULL_TRANSITIVE_"), std::nullopt);
}

TEST(SchemaTest, MalformedInputOfEveryTypeIsInvalidArgument) {
  const std::string big_garbage(4 << 20, '{');
  const std::vector<std::pair<SchemaType, std::string>> cases = {
      {SchemaType::kAvro, ""},
      {SchemaType::kAvro, "{\"type\":\"record\""},
      {SchemaType::kAvro, big_garbage},
      {SchemaType::kAvro, std::string("\"\xff\xfe\"")},
      {SchemaType::kJson, ""},
      {SchemaType::kJson, "[1,2"},
      {SchemaType::kJson, big_garbage},
      {SchemaType::kJson, "{\"type\":{}}"},
      {SchemaType::kProtobuf, "message"},
      {SchemaType::kProtobuf, big_garbage},
      {SchemaType::kProtobuf, std::string("syntax = \"proto3\"; message M { int32 \0 = 1; }", 45)},
  };
  for (const auto& [type, text] : cases) {
    EXPECT_THAT(ParseSchema(type, text, {}), StatusIs(absl::StatusCode::kInvalidArgument))
        << SchemaTypeName(type) << ": " << text.substr(0, 40);
  }
}

TEST(SchemaTest, LargeValidSchemasParse) {
  // 5,000 fields: nothing in parsing or checking is quadratic in the number of fields.
  std::string fields;
  for (int i = 0; i < 5000; ++i) {
    fields +=
        (i ? "," : "") + std::string(R"({"name":"f)") + std::to_string(i) + R"(","type":"int"})";
  }
  auto avro = ParseSchema(SchemaType::kAvro,
                          R"({"type":"record","name":"R","fields":[)" + fields + "]}", {});
  ASSERT_TRUE(avro.ok()) << avro.status();
  EXPECT_TRUE(CheckCompatibility(CompatibilityLevel::kFull, **avro, {{avro->get(), 1}}).empty());
}

TEST(SchemaTest, NoneAndNoPreviousVersionsAreAlwaysCompatible) {
  auto a = ParseSchema(SchemaType::kAvro, R"("int")", {});
  auto b = ParseSchema(SchemaType::kAvro, R"("string")", {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(CheckCompatibility(CompatibilityLevel::kNone, **b, {{a->get(), 1}}).empty());
  EXPECT_TRUE(CheckCompatibility(CompatibilityLevel::kFullTransitive, **b, {}).empty());
  EXPECT_FALSE(CheckCompatibility(CompatibilityLevel::kBackward, **b, {{a->get(), 1}}).empty());
}

TEST(SchemaTest, EquivalenceIncludesTypeAndReferences) {
  auto avro = ParseSchema(SchemaType::kAvro, R"("string")", {});
  auto with_ref =
      ParseSchema(SchemaType::kAvro, R"("string")",
                  {{"R", SchemaType::kAvro, R"({"type":"fixed","name":"R","size":1})", {}}});
  auto json = ParseSchema(SchemaType::kJson, R"("string")", {});
  ASSERT_TRUE(avro.ok() && with_ref.ok());
  EXPECT_FALSE((*avro)->Equivalent(**with_ref));
  EXPECT_FALSE(json.ok());  // a JSON string is not a JSON Schema
}

}  // namespace
}  // namespace eddy::registry
