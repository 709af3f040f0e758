#include "services/registry/json_schema.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace eddy::registry::json {
namespace {

using ::eddy::testing::StatusIs;
using ::testing::HasSubstr;

absl::StatusOr<std::unique_ptr<JsonSchema>> Parse(const std::string& text,
                                                  const std::vector<ResolvedReference>& refs = {}) {
  return JsonSchema::Parse(text, refs);
}

TEST(JsonSchemaTest, CanonicalKeepsKeyOrderAndNormalizedSortsKeys) {
  EDDY_ASSERT_OK_AND_ASSIGN(
      auto s,
      Parse(
          R"({ "type": "object", "properties": { "b": {"type":"string"}, "a": {"type":"integer"} } })"));
  EXPECT_EQ(s->CanonicalString(),
            R"({"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}})");
  EXPECT_EQ(s->Normalized(),
            R"({"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"})");
}

TEST(JsonSchemaTest, ModelsTypesLikeConfluent) {
  EDDY_ASSERT_OK_AND_ASSIGN(auto s, Parse(R"({"type":["string","null"]})"));
  ASSERT_EQ(s->root()->kind, Kind::kCombined);
  EXPECT_EQ(s->root()->criterion, "anyOf");
  EXPECT_EQ(s->root()->subschemas.size(), 2u);
  EDDY_ASSERT_OK_AND_ASSIGN(auto t, Parse("true"));
  EXPECT_EQ(t->root()->kind, Kind::kEmpty);
  EDDY_ASSERT_OK_AND_ASSIGN(auto e, Parse(R"({"const": 3})"));
  EXPECT_EQ(e->root()->kind, Kind::kEnum);
}

TEST(JsonSchemaTest, RefsResolveWithinTheDocumentAndToReferences) {
  EDDY_ASSERT_OK_AND_ASSIGN(auto s, Parse(R"({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "definitions": {"Name": {"type": "string", "maxLength": 10}, "a/b": {"type": "integer"}},
    "type": "object",
    "properties": {"name": {"$ref": "#/definitions/Name"}, "n": {"$ref": "#/definitions/a~1b"},
                   "self": {"$ref": "#"}}})"));
  auto property = [](const JsonSchema& schema, const std::string& key) -> const Node* {
    for (const auto& [name, node] : schema.root()->properties) {
      if (name == key) return node;
    }
    return nullptr;
  };
  const Node* name = property(*s, "name");
  ASSERT_NE(name, nullptr);
  ASSERT_EQ(name->kind, Kind::kReference);
  ASSERT_NE(name->referred, nullptr);
  EXPECT_EQ(name->referred->kind, Kind::kString);
  EXPECT_EQ(property(*s, "n")->referred->kind, Kind::kNumber);
  EXPECT_EQ(property(*s, "self")->referred, s->root());

  const ResolvedReference address{
      "address.json",
      SchemaType::kJson,
      R"({"$id":"https://acme.com/address.json","type":"object","properties":{"street":{"type":"string"}}})",
      {}};
  EDDY_ASSERT_OK_AND_ASSIGN(
      auto u,
      Parse(
          R"({"type":"object","properties":{"home":{"$ref":"address.json"},"work":{"$ref":"https://acme.com/address.json#/properties/street"}}})",
          {address}));
  EXPECT_EQ(property(*u, "home")->referred->kind, Kind::kObject);
  EXPECT_EQ(property(*u, "work")->referred->kind, Kind::kString);
  EXPECT_THAT(Parse(R"({"$ref":"#/definitions/Missing"})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot be resolved")));
  EXPECT_THAT(Parse(R"({"$ref":"other.json"})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot be resolved")));
}

TEST(JsonSchemaTest, RejectsKeywordsOfTheWrongType) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"type":"strin"})", "type must be"},
      {R"({"type":["string","string"]})", "type must be"},
      {R"({"required":"a"})", "required"},
      {R"({"required":[1]})", "required"},
      {R"({"minLength":-1})", "minLength"},
      {R"({"maxItems":1.5})", "maxItems"},
      {R"({"minimum":"0"})", "minimum"},
      {R"({"multipleOf":0})", "multipleOf"},
      {R"({"pattern":"(unclosed"})", "pattern"},
      {R"({"patternProperties":{"[":{}}})", "patternProperties"},
      {R"({"properties":[]})", "properties"},
      {R"({"properties":{"a":5}})", "not an object or boolean"},
      {R"({"items":"x"})", "not an object or boolean"},
      {R"({"allOf":[]})", "allOf"},
      {R"({"enum":{}})", "enum"},
      {R"({"definitions":{"x":{"type":7}}})", "type must be"},
      {R"({"$schema":"http://json-schema.org/draft-04/schema#","exclusiveMinimum":3})", "boolean"},
      {R"({"$schema":"https://json-schema.org/draft/2020-12/schema","items":[{}]})", "prefixItems"},
      {"42", "not an object or boolean"},
      {"{\"type\":", "not valid JSON"},
  };
  for (const auto& [text, message] : cases) {
    EXPECT_THAT(Parse(text), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(message)))
        << text;
  }
}

TEST(JsonSchemaTest, DeepNestingIsRejectedWithoutRecursion) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += R"({"not":)";
  deep += "{}";
  deep += std::string(10000, '}');
  EXPECT_THAT(Parse(deep), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nests deeper")));
}

TEST(JsonSchemaTest, LongRefChainsAndCyclesDoNotRecurseUnboundedly) {
  // 1500 definitions, each referring to the next (and the last to the first): resolution is
  // iterative and comparison stops at the depth bound.
  std::string defs;
  const int n = 1500;
  for (int i = 0; i < n; ++i) {
    defs += "\"d" + std::to_string(i) +
            "\":{\"type\":\"object\",\"properties\":{\"x\":{\"$ref\":\"#/definitions/d" +
            std::to_string(i + 1 < n ? i + 1 : 0) + "\"}}},";
  }
  defs.pop_back();
  const std::string text = "{\"definitions\":{" + defs + "},\"$ref\":\"#/definitions/d0\"}";
  EDDY_ASSERT_OK_AND_ASSIGN(auto a, Parse(text));
  EDDY_ASSERT_OK_AND_ASSIGN(auto b, Parse(text));
  EXPECT_TRUE(a->BackwardIncompatibilities(*b, "new", "old").empty());
}

}  // namespace
}  // namespace eddy::registry::json
