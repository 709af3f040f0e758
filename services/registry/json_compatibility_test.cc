// JSON Schema compatibility table: pairs written from Confluent's JSON Schema rules (content
// models, narrowing/widening), each checked under all seven levels.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/registry/schema.h"
#include "services/registry/testing/compatibility_table.h"

namespace eddy::registry {
namespace {

using testing::CompatibilityCase;

std::string Obj(const std::string& properties, const std::string& extra = "") {
  return R"({"type":"object","properties":{)" + properties + "}" + extra + "}";
}

const std::vector<CompatibilityCase>& Cases() {
  static const std::string kClosed = R"(,"additionalProperties":false)";
  static const auto* cases = new std::vector<CompatibilityCase>{
      {"open model: property added", Obj(R"("a":{"type":"string"})"),
       Obj(R"("a":{"type":"string"},"b":{"type":"string"})"), false, true,
       "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"},
      {"open model: property removed", Obj(R"("a":{"type":"string"},"b":{"type":"string"})"),
       Obj(R"("a":{"type":"string"})"), true, false, "", "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"},
      {"open model: property with empty schema added", Obj(R"("a":{"type":"string"})"),
       Obj(R"("a":{"type":"string"},"b":{})")},
      {"closed model: optional property added", Obj(R"("a":{"type":"string"})", kClosed),
       Obj(R"("a":{"type":"string"},"b":{"type":"string"})", kClosed), true, false, "",
       "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"},
      {"closed model: property removed",
       Obj(R"("a":{"type":"string"},"b":{"type":"string"})", kClosed),
       Obj(R"("a":{"type":"string"})", kClosed), false, true,
       "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"},
      {"closed model: required property added", Obj(R"("a":{"type":"string"})", kClosed),
       Obj(R"("a":{"type":"string"},"b":{"type":"string"})", kClosed + R"(,"required":["b"])"),
       false, false, "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
       "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"},
      {"required attribute added", Obj(R"("a":{"type":"string"})"),
       Obj(R"("a":{"type":"string"})", R"(,"required":["a"])"), false, true,
       "REQUIRED_ATTRIBUTE_ADDED"},
      {"required attribute with default added", Obj(R"("a":{"type":"string"})"),
       Obj(R"("a":{"type":"string","default":"x"})", R"(,"required":["a"])")},
      {"type changed", R"({"type":"string"})", R"({"type":"integer"})", false, false,
       "TYPE_CHANGED", "TYPE_CHANGED"},
      {"integer widened to number", R"({"type":"integer"})", R"({"type":"number"})", true, false,
       "", "TYPE_NARROWED"},
      {"maxLength increased", R"({"type":"string","maxLength":10})",
       R"({"type":"string","maxLength":20})", true, false, "", "MAX_LENGTH_DECREASED"},
      {"minimum added", R"({"type":"number"})", R"({"type":"number","minimum":0})", false, true,
       "MINIMUM_ADDED"},
      {"enum extended", R"({"enum":["a","b"]})", R"({"enum":["a","b","c"]})", true, false, "",
       "ENUM_ARRAY_NARROWED"},
      {"type made nullable", R"({"type":"string"})", R"({"type":["string","null"]})", true, false,
       "", "TYPE_CHANGED"},
      {"oneOf gains a subschema", R"({"oneOf":[{"type":"string"},{"type":"integer"}]})",
       R"({"oneOf":[{"type":"string"},{"type":"integer"},{"type":"boolean"}]})", true, false, "",
       "SUM_TYPE_NARROWED"},
      {"allOf to anyOf", R"({"allOf":[{"type":"string"},{"maxLength":3}]})",
       R"({"anyOf":[{"type":"string"},{"maxLength":3}]})", true, false, "",
       "COMBINED_TYPE_CHANGED"},
      {"additionalProperties opened", Obj(R"("a":{"type":"string"})", kClosed),
       Obj(R"("a":{"type":"string"})", R"(,"additionalProperties":true)"), true, false, "",
       "ADDITIONAL_PROPERTIES_REMOVED"},
      {"array items type changed", R"({"type":"array","items":{"type":"string"}})",
       R"({"type":"array","items":{"type":"integer"}})", false, false, "TYPE_CHANGED",
       "TYPE_CHANGED"},
      {"maxItems added", R"({"type":"array"})", R"({"type":"array","maxItems":5})", false, true,
       "MAX_ITEMS_ADDED"},
      {"uniqueItems added", R"({"type":"array"})", R"({"type":"array","uniqueItems":true})", false,
       true, "UNIQUE_ITEMS_ADDED"},
      {"partially open: added property covered",
       Obj(R"("a":{"type":"string"})", R"(,"additionalProperties":{"type":"string"})"),
       Obj(R"("a":{"type":"string"},"b":{"type":"string"})",
           R"(,"additionalProperties":{"type":"string"})")},
      {"partially open: added property not covered",
       Obj(R"("a":{"type":"string"})", R"(,"additionalProperties":{"type":"string"})"),
       Obj(R"("a":{"type":"string"},"b":{"type":"integer"})",
           R"(,"additionalProperties":{"type":"string"})"),
       false, false, "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
       "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"},
      {"referenced definition narrowed",
       R"({"definitions":{"N":{"type":"string"}},"type":"object","properties":{"a":{"$ref":"#/definitions/N"}}})",
       R"({"definitions":{"N":{"type":"string","maxLength":5}},"type":"object","properties":{"a":{"$ref":"#/definitions/N"}}})",
       false, true, "MAX_LENGTH_ADDED"},
      {"pattern changed", R"({"type":"string","pattern":"^a"})",
       R"({"type":"string","pattern":"^b"})", false, false, "PATTERN_CHANGED", "PATTERN_CHANGED"},
      {"title and description changed", R"({"type":"string","title":"x","description":"d"})",
       R"({"type":"string","title":"y","description":"e"})"},
      {"tuple item added to a closed array",
       R"({"type":"array","items":[{"type":"string"}],"additionalItems":false})",
       R"({"type":"array","items":[{"type":"string"},{"type":"integer"}],"additionalItems":false})",
       true, false, "", "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL"},
      {"not narrowed", R"({"not":{"type":"string"}})", R"({"not":{"type":["string","integer"]}})",
       false, true, "NOT_TYPE_EXTENDED"},
  };
  return *cases;
}

TEST(JsonCompatibilityTest, TableUnderAllSevenLevels) {
  ASSERT_GE(Cases().size(), 20u);
  for (const CompatibilityCase& c : Cases()) testing::ExpectVerdicts(SchemaType::kJson, c);
}

TEST(JsonCompatibilityTest, ReferencedDocumentsTakePartInTheDiff) {
  auto address = [](const std::string& street) {
    return ResolvedReference{"address.json",
                             SchemaType::kJson,
                             R"({"type":"object","properties":{"street":)" + street + "}}",
                             {}};
  };
  const std::string user = R"({"type":"object","properties":{"home":{"$ref":"address.json"}}})";
  auto v1 = ParseSchema(SchemaType::kJson, user, {address(R"({"type":"string"})")});
  auto v2 = ParseSchema(SchemaType::kJson, user, {address(R"({"type":"integer"})")});
  ASSERT_TRUE(v1.ok()) << v1.status();
  ASSERT_TRUE(v2.ok()) << v2.status();
  const auto messages = CheckCompatibility(CompatibilityLevel::kBackward, **v2, {{v1->get(), 1}});
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.front(),
            "{errorType:\"TYPE_CHANGED\", description:\"A type at path "
            "'#/properties/home/properties/street' is different between the new schema and the "
            "old schema\"}");
}

TEST(JsonCompatibilityTest, VerboseMessageFollowsConfluent) {
  auto old_schema = ParseSchema(SchemaType::kJson, Obj(R"("a":{"type":"string"})"), {});
  auto new_schema =
      ParseSchema(SchemaType::kJson, Obj(R"("a":{"type":"string"})", R"(,"required":["a"])"), {});
  ASSERT_TRUE(old_schema.ok() && new_schema.ok());
  const auto messages =
      CheckCompatibility(CompatibilityLevel::kBackward, **new_schema, {{old_schema->get(), 1}});
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.front(),
            "{errorType:\"REQUIRED_ATTRIBUTE_ADDED\", description:\"The keyword at path "
            "'#/required/a' in the new schema is not present in the old schema\"}");
}

}  // namespace
}  // namespace eddy::registry
