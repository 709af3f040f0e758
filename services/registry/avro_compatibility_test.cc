// Avro compatibility table: pairs written from the Avro specification's schema resolution rules,
// each checked under all seven levels (services/registry/testing/compatibility_table.h).
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/registry/schema.h"
#include "services/registry/testing/compatibility_table.h"

namespace eddy::registry {
namespace {

using testing::CompatibilityCase;

// Record builds {"type":"record","name":name,"fields":[fields]}.
std::string Record(const std::string& fields, const std::string& name = "User",
                   const std::string& extra = "") {
  return R"({"type":"record","name":")" + name + "\"" + extra + R"(,"fields":[)" + fields + "]}";
}

std::string Field(const std::string& name, const std::string& type, const std::string& extra = "") {
  return R"({"name":")" + name + R"(","type":)" + type + extra + "}";
}

const std::vector<CompatibilityCase>& Cases() {
  static const auto* cases = new std::vector<CompatibilityCase>{
      {"identical", Record(Field("a", "\"int\"")), Record(Field("a", "\"int\""))},
      {"add field with default", Record(Field("a", "\"int\"")),
       Record(Field("a", "\"int\"") + "," + Field("b", "\"string\"", R"(,"default":"")"))},
      {"add field without default", Record(Field("a", "\"int\"")),
       Record(Field("a", "\"int\"") + "," + Field("b", "\"string\"")), false, true,
       "READER_FIELD_MISSING_DEFAULT_VALUE"},
      {"remove field without default",
       Record(Field("a", "\"int\"") + "," + Field("b", "\"string\"")),
       Record(Field("a", "\"int\"")), true, false, "", "READER_FIELD_MISSING_DEFAULT_VALUE"},
      {"remove field with default",
       Record(Field("a", "\"int\"") + "," + Field("b", "\"string\"", R"(,"default":"x")")),
       Record(Field("a", "\"int\""))},
      {"int to long", Record(Field("a", "\"int\"")), Record(Field("a", "\"long\"")), true, false,
       "", "TYPE_MISMATCH"},
      {"long to int", Record(Field("a", "\"long\"")), Record(Field("a", "\"int\"")), false, true,
       "TYPE_MISMATCH"},
      {"int to float", Record(Field("a", "\"int\"")), Record(Field("a", "\"float\"")), true, false,
       "", "TYPE_MISMATCH"},
      {"long to double", Record(Field("a", "\"long\"")), Record(Field("a", "\"double\"")), true,
       false, "", "TYPE_MISMATCH"},
      {"float to double", Record(Field("a", "\"float\"")), Record(Field("a", "\"double\"")), true,
       false, "", "TYPE_MISMATCH"},
      {"string to bytes", Record(Field("a", "\"string\"")), Record(Field("a", "\"bytes\""))},
      {"int to string", Record(Field("a", "\"int\"")), Record(Field("a", "\"string\"")), false,
       false, "TYPE_MISMATCH", "TYPE_MISMATCH"},
      {"enum symbol added", R"({"type":"enum","name":"E","symbols":["A","B"]})",
       R"({"type":"enum","name":"E","symbols":["A","B","C"]})", true, false, "",
       "MISSING_ENUM_SYMBOLS"},
      {"enum symbol removed", R"({"type":"enum","name":"E","symbols":["A","B","C"]})",
       R"({"type":"enum","name":"E","symbols":["A","B"]})", false, true, "MISSING_ENUM_SYMBOLS"},
      {"enum symbol removed, new reader has a default",
       R"({"type":"enum","name":"E","symbols":["A","B","C"]})",
       R"({"type":"enum","name":"E","symbols":["A","B"],"default":"A"})"},
      {"enum symbol added, old reader has a default",
       R"({"type":"enum","name":"E","symbols":["A","B"],"default":"A"})",
       R"({"type":"enum","name":"E","symbols":["A","B","C"],"default":"A"})"},
      {"fixed size changed", R"({"type":"fixed","name":"F","size":16})",
       R"({"type":"fixed","name":"F","size":8})", false, false, "FIXED_SIZE_MISMATCH",
       "FIXED_SIZE_MISMATCH"},
      {"record renamed", Record(Field("a", "\"int\"")), Record(Field("a", "\"int\""), "Person"),
       false, false, "NAME_MISMATCH", "NAME_MISMATCH"},
      {"record renamed with alias", Record(Field("a", "\"int\"")),
       Record(Field("a", "\"int\""), "Person", R"(,"aliases":["User"])"), true, false, "",
       "NAME_MISMATCH"},
      {"field renamed with alias", Record(Field("a", "\"int\"")),
       Record(Field("b", "\"int\"", R"(,"aliases":["a"])")), true, false, "",
       "READER_FIELD_MISSING_DEFAULT_VALUE"},
      {"field made nullable", Record(Field("a", "\"int\"")),
       Record(Field("a", R"(["null","int"])")), true, false, "", "TYPE_MISMATCH"},
      {"union branch added", Record(Field("a", R"(["null","string"])")),
       Record(Field("a", R"(["null","string","int"])")), true, false, "", "MISSING_UNION_BRANCH"},
      {"union branch removed", Record(Field("a", R"(["null","string","int"])")),
       Record(Field("a", R"(["null","string"])")), false, true, "MISSING_UNION_BRANCH"},
      {"union to its branch", Record(Field("a", R"(["null","string"])")),
       Record(Field("a", "\"string\"")), false, true, "TYPE_MISMATCH"},
      {"union reordered", Record(Field("a", R"(["null","string"])", R"(,"default":null)")),
       Record(Field("a", R"(["string","null"])", R"(,"default":"x")"))},
      {"array items promoted", Record(Field("a", R"({"type":"array","items":"int"})")),
       Record(Field("a", R"({"type":"array","items":"long"})")), true, false, "", "TYPE_MISMATCH"},
      {"map values changed", Record(Field("a", R"({"type":"map","values":"string"})")),
       Record(Field("a", R"({"type":"map","values":"int"})")), false, false, "TYPE_MISMATCH",
       "TYPE_MISMATCH"},
      {"array to map", Record(Field("a", R"({"type":"array","items":"int"})")),
       Record(Field("a", R"({"type":"map","values":"int"})")), false, false, "TYPE_MISMATCH",
       "TYPE_MISMATCH"},
      {"nested record gains a field without default",
       Record(Field("addr", Record(Field("street", "\"string\""), "Address"))),
       Record(Field("addr", Record(Field("street", "\"string\"") + "," + Field("zip", "\"string\""),
                                   "Address"))),
       false, true, "READER_FIELD_MISSING_DEFAULT_VALUE"},
      {"doc changed", Record(Field("a", "\"int\"", R"(,"doc":"one")")),
       Record(Field("a", "\"int\"", R"(,"doc":"two")"), "User", R"(,"doc":"users")")},
      {"namespace changed, simple name kept",
       Record(Field("a", "\"int\""), "User", R"(,"namespace":"com.a")"),
       Record(Field("a", "\"int\""), "User", R"(,"namespace":"com.b")")},
      {"primitive changed", R"("string")", R"("int")", false, false, "TYPE_MISMATCH",
       "TYPE_MISMATCH"},
      {"logical type added", Record(Field("ts", "\"long\"")),
       Record(Field("ts", R"({"type":"long","logicalType":"timestamp-millis"})"))},
      {"recursive list gains a defaulted field",
       R"({"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"]}]})",
       R"({"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"]},{"name":"w","type":"int","default":0}]})"},
      {"enum field symbol removed inside record",
       Record(Field("e", R"({"type":"enum","name":"Color","symbols":["RED","GREEN","BLUE"]})")),
       Record(Field("e", R"({"type":"enum","name":"Color","symbols":["RED","GREEN"]})")), false,
       true, "MISSING_ENUM_SYMBOLS"},
  };
  return *cases;
}

TEST(AvroCompatibilityTest, TableUnderAllSevenLevels) {
  ASSERT_GE(Cases().size(), 30u);
  for (const CompatibilityCase& c : Cases()) testing::ExpectVerdicts(SchemaType::kAvro, c);
}

TEST(AvroCompatibilityTest, VerboseMessageFollowsConfluent) {
  auto old_schema = ParseSchema(SchemaType::kAvro, Record(Field("a", "\"int\"")), {});
  auto new_schema = ParseSchema(SchemaType::kAvro,
                                Record(Field("a", "\"int\"") + "," + Field("b", "\"string\"")), {});
  ASSERT_TRUE(old_schema.ok() && new_schema.ok());
  EXPECT_THAT(
      CheckCompatibility(CompatibilityLevel::kBackward, **new_schema, {{old_schema->get(), 3}}),
      ::testing::ElementsAre(
          "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path "
          "'/fields/1' in the new schema has no default value and is missing in the old schema', "
          "additionalInfo:'b'}",
          "{oldSchemaVersion: 3}",
          R"({oldSchema: '{"type":"record","name":"User","fields":[{"name":"a","type":"int"}]}'})",
          "{compatibility: 'BACKWARD'}"));
}

TEST(AvroCompatibilityTest, TransitiveLevelsCheckEveryVersion) {
  // v1 has no "b"; v2 adds it with a default; v3 drops the default. v3 reads v2 data but not v1's.
  auto v1 = ParseSchema(SchemaType::kAvro, Record(Field("a", "\"int\"")), {});
  auto v2 = ParseSchema(
      SchemaType::kAvro,
      Record(Field("a", "\"int\"") + "," + Field("b", "\"int\"", R"(,"default":0)")), {});
  auto v3 = ParseSchema(SchemaType::kAvro,
                        Record(Field("a", "\"int\"") + "," + Field("b", "\"int\"")), {});
  ASSERT_TRUE(v1.ok() && v2.ok() && v3.ok());
  const std::vector<PreviousSchema> previous = {{v1->get(), 1}, {v2->get(), 2}};
  EXPECT_TRUE(CheckCompatibility(CompatibilityLevel::kBackward, **v3, previous).empty());
  const auto transitive =
      CheckCompatibility(CompatibilityLevel::kBackwardTransitive, **v3, previous);
  EXPECT_TRUE(testing::HasErrorType(transitive, "READER_FIELD_MISSING_DEFAULT_VALUE"));
  EXPECT_THAT(transitive, ::testing::Contains("{oldSchemaVersion: 1}"));
  EXPECT_TRUE(CheckCompatibility(CompatibilityLevel::kFull, **v3, previous).empty());
  EXPECT_FALSE(CheckCompatibility(CompatibilityLevel::kFullTransitive, **v3, previous).empty());
  EXPECT_TRUE(CheckCompatibility(CompatibilityLevel::kForwardTransitive, **v3, previous).empty());
}

TEST(AvroCompatibilityTest, TypesFromReferencesTakePartInResolution) {
  auto address = [](const std::string& extra_field) {
    return ResolvedReference{
        "com.acme.Address",
        SchemaType::kAvro,
        R"({"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"})" +
            extra_field + "]}",
        {}};
  };
  const std::string user =
      R"({"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"home","type":"Address"}]})";
  auto v1 = ParseSchema(SchemaType::kAvro, user, {address("")});
  auto v2 = ParseSchema(SchemaType::kAvro, user, {address(R"(,{"name":"zip","type":"string"})")});
  ASSERT_TRUE(v1.ok()) << v1.status();
  ASSERT_TRUE(v2.ok()) << v2.status();
  const auto messages = CheckCompatibility(CompatibilityLevel::kBackward, **v2, {{v1->get(), 1}});
  EXPECT_TRUE(testing::HasErrorType(messages, "READER_FIELD_MISSING_DEFAULT_VALUE"));
  EXPECT_THAT(messages.front(), ::testing::HasSubstr("'/fields/0/type/fields/1'"));
  EXPECT_TRUE(CheckCompatibility(CompatibilityLevel::kForward, **v2, {{v1->get(), 1}}).empty());
}

TEST(AvroCompatibilityTest, DifferentSchemaTypesAreIncompatible) {
  auto avro = ParseSchema(SchemaType::kAvro, R"("string")", {});
  auto json = ParseSchema(SchemaType::kJson, R"({"type":"string"})", {});
  ASSERT_TRUE(avro.ok() && json.ok());
  EXPECT_THAT(CheckCompatibility(CompatibilityLevel::kBackward, **avro, {{json->get(), 1}}),
              ::testing::Contains("Incompatible because of different schema type"));
}

}  // namespace
}  // namespace eddy::registry
