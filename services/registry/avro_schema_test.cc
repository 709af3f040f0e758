#include "services/registry/avro_schema.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace eddy::registry::avro {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;
using ::testing::HasSubstr;

absl::StatusOr<std::unique_ptr<AvroSchema>> Parse(const std::string& text,
                                                  const std::vector<ResolvedReference>& refs = {}) {
  return AvroSchema::Parse(text, refs);
}

TEST(AvroSchemaTest, CanonicalStringIsAvroToString) {
  // Whitespace and key order do not matter; primitives in object form collapse to their name.
  EDDY_ASSERT_OK_AND_ASSIGN(auto s, Parse(R"({ "type" : "string" })"));
  EXPECT_EQ(s->CanonicalString(), R"("string")");
  EDDY_ASSERT_OK_AND_ASSIGN(auto r,
                            Parse(R"({"fields":[{"type":"int","name":"a","default":1,"doc":"d"}],
                        "namespace":"com.x","name":"R","type":"record","custom":true})"));
  EXPECT_EQ(
      r->CanonicalString(),
      R"({"type":"record","name":"R","namespace":"com.x","fields":[{"name":"a","type":"int","doc":"d","default":1}],"custom":true})");
}

TEST(AvroSchemaTest, ParsingCanonicalFormFollowsTheSpec) {
  EDDY_ASSERT_OK_AND_ASSIGN(
      auto s, Parse(R"({"type":"record","name":"R","namespace":"a.b","doc":"x","fields":[
        {"name":"f","type":{"type":"fixed","name":"F","size":4},"default":"abcd"},
        {"name":"g","type":"F"},
        {"name":"e","type":{"type":"enum","name":"c.E","symbols":["X"]}},
        {"name":"l","type":{"type":"array","items":{"type":"long","logicalType":"timestamp-millis"}}}]})"));
  EXPECT_EQ(
      s->ParsingCanonicalForm(),
      R"({"name":"a.b.R","type":"record","fields":[{"name":"f","type":{"name":"a.b.F","type":"fixed","size":4}},{"name":"g","type":"a.b.F"},{"name":"e","type":{"name":"c.E","type":"enum","symbols":["X"]}},{"name":"l","type":{"type":"array","items":"long"}}]})");
  EXPECT_EQ(
      s->Normalized(),
      R"({"name":"a.b.R","type":"record","fields":[{"name":"f","type":{"name":"a.b.F","type":"fixed","size":4},"default":"abcd"},{"name":"g","type":"a.b.F"},{"name":"e","type":{"name":"c.E","type":"enum","symbols":["X"]}},{"name":"l","type":{"type":"array","items":{"type":"long","logicalType":"timestamp-millis"}}}]})");
}

TEST(AvroSchemaTest, InvalidLogicalTypesAreIgnoredNotRejected) {
  EDDY_ASSERT_OK_AND_ASSIGN(
      auto s, Parse(R"({"type":"bytes","logicalType":"decimal","precision":2,"scale":5})"));
  EXPECT_TRUE(s->root()->logical_type.empty());
  EDDY_ASSERT_OK_AND_ASSIGN(
      auto d, Parse(R"({"type":"bytes","logicalType":"decimal","precision":5,"scale":2})"));
  EXPECT_EQ(d->root()->logical_type, "decimal");
}

TEST(AvroSchemaTest, EquivalentIgnoresFormatting) {
  EDDY_ASSERT_OK_AND_ASSIGN(
      auto a, Parse(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"}]})"));
  EDDY_ASSERT_OK_AND_ASSIGN(auto b,
                            Parse("{\n \"name\": \"R\", \"type\": \"record\",\n \"fields\": [ "
                                  "{\"type\": \"int\", \"name\": \"a\"} ] }"));
  EDDY_ASSERT_OK_AND_ASSIGN(
      auto c, Parse(R"({"type":"record","name":"R","fields":[{"name":"a","type":"long"}]})"));
  EXPECT_TRUE(a->Equivalent(*b));
  EXPECT_FALSE(a->Equivalent(*c));
}

TEST(AvroSchemaTest, RejectsInvalidSchemas) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"type":"record","name":"R"})", "no fields"},
      {R"({"type":"record","name":"1R","fields":[]})", "Illegal name"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]})",
       "Duplicate field"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]})",
       "Invalid default"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":1}]})",
       "Invalid default"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":4294967296}]})",
       "Invalid default"},
      {R"({"type":"enum","name":"E","symbols":["A","A"]})", "Duplicate enum symbol"},
      {R"({"type":"enum","name":"E","symbols":["A"],"default":"B"})", "Enum Default"},
      {R"({"type":"fixed","name":"F","size":-1})", "size"},
      {R"({"type":"array"})", "no items"},
      {R"(["int","int"])", "Duplicate in union"},
      {R"(["int",["null"]])", "Nested union"},
      {R"("Undefined")", "not a defined name"},
      {R"({"type":"record","name":"int","fields":[]})", "primitives"},
      {R"([{"type":"fixed","name":"F","size":1},{"type":"fixed","name":"F","size":2}])",
       "redefine"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"up"}]})",
       "order"},
      {R"({"type":{"type":"int"}})", "No type"},
      {R"(42)", "Not a schema"},
      {R"({"type":"record", "name":)", "not valid JSON"},
  };
  for (const auto& [text, message] : cases) {
    EXPECT_THAT(Parse(text), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(message)))
        << text;
  }
}

TEST(AvroSchemaTest, DeepNestingIsRejectedWithoutRecursion) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += R"({"type":"array","items":)";
  deep += R"("int")";
  for (int i = 0; i < 10000; ++i) deep += "}";
  EXPECT_THAT(Parse(deep), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nests deeper")));
  std::string brackets(10000, '[');
  EXPECT_THAT(Parse(brackets), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(AvroSchemaTest, ReferencesDefineNamedTypes) {
  const ResolvedReference address{
      "com.acme.Address",
      SchemaType::kAvro,
      R"({"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"}]})",
      {}};
  EDDY_ASSERT_OK_AND_ASSIGN(
      auto s,
      Parse(
          R"({"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"home","type":"Address"},{"name":"work","type":"com.acme.Address"}]})",
          {address}));
  // The referenced type is stored by name, not inlined; the fingerprint form inlines it once.
  EXPECT_EQ(
      s->CanonicalString(),
      R"({"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"home","type":"Address"},{"name":"work","type":"Address"}]})");
  EXPECT_THAT(s->ParsingCanonicalForm(), HasSubstr(R"("street")"));
  EXPECT_THAT(
      Parse(
          R"({"type":"record","name":"User","fields":[{"name":"home","type":"com.acme.Address"}]})"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a defined name")));
  const ResolvedReference broken{"x", SchemaType::kAvro, "{", {}};
  EXPECT_THAT(Parse(R"("int")", {broken}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reference x")));
}

TEST(AvroSchemaTest, RecursiveTypesParseAndPrint) {
  EDDY_ASSERT_OK_AND_ASSIGN(
      auto s,
      Parse(
          R"({"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"],"default":null}]})"));
  EXPECT_EQ(s->ParsingCanonicalForm(),
            R"({"name":"Node","type":"record","fields":[{"name":"next","type":["null","Node"]}]})");
  EXPECT_THAT(s->Normalized(), HasSubstr(R"("default":null)"));
}

}  // namespace
}  // namespace eddy::registry::avro
