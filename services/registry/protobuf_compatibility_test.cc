// Protobuf compatibility table: pairs written from Confluent's Protobuf rules and protobuf's wire
// compatibility groups, each checked under all seven levels.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/registry/schema.h"
#include "services/registry/testing/compatibility_table.h"

namespace eddy::registry {
namespace {

using testing::CompatibilityCase;

std::string P3(const std::string& body) { return "syntax = \"proto3\";\npackage acme;\n" + body; }
std::string P2(const std::string& body) { return "syntax = \"proto2\";\npackage acme;\n" + body; }

const std::vector<CompatibilityCase>& Cases() {
  static const auto* cases = new std::vector<CompatibilityCase>{
      {"field added", P3("message M { string a = 1; }"),
       P3("message M { string a = 1; int32 b = 2; }")},
      {"field removed", P3("message M { string a = 1; int32 b = 2; }"),
       P3("message M { string a = 1; }")},
      {"field renamed", P3("message M { string a = 1; }"), P3("message M { string b = 1; }")},
      {"int32 to int64 (same wire group)", P3("message M { int32 a = 1; }"),
       P3("message M { int64 a = 1; }")},
      {"int32 to sint32", P3("message M { int32 a = 1; }"), P3("message M { sint32 a = 1; }"),
       false, false, "FIELD_SCALAR_KIND_CHANGED", "FIELD_SCALAR_KIND_CHANGED"},
      {"string to bytes", P3("message M { string a = 1; }"), P3("message M { bytes a = 1; }")},
      {"string to int32", P3("message M { string a = 1; }"), P3("message M { int32 a = 1; }"),
       false, false, "FIELD_SCALAR_KIND_CHANGED", "FIELD_SCALAR_KIND_CHANGED"},
      {"fixed32 to sfixed32", P3("message M { fixed32 a = 1; }"),
       P3("message M { sfixed32 a = 1; }")},
      {"scalar to message", P3("message N {} message M { int32 a = 1; }"),
       P3("message N {} message M { N a = 1; }"), false, false, "FIELD_KIND_CHANGED",
       "FIELD_KIND_CHANGED"},
      {"message field type changed", P3("message A {} message B {} message M { A a = 1; }"),
       P3("message A {} message B {} message M { B a = 1; }"), false, false,
       "FIELD_NAMED_TYPE_CHANGED", "FIELD_NAMED_TYPE_CHANGED"},
      {"message removed", P3("message M { int32 a = 1; } message N { int32 b = 1; }"),
       P3("message M { int32 a = 1; }"), false, true, "MESSAGE_REMOVED"},
      {"message added", P3("message M { int32 a = 1; }"),
       P3("message M { int32 a = 1; } message N { int32 b = 1; }"), true, false, "",
       "MESSAGE_REMOVED"},
      {"package changed", "syntax = \"proto3\"; package a; message M { int32 x = 1; }",
       "syntax = \"proto3\"; package b; message M { int32 x = 1; }", false, false,
       "PACKAGE_CHANGED", "PACKAGE_CHANGED"},
      {"enum constant added", P3("enum E { A = 0; } message M { E e = 1; }"),
       P3("enum E { A = 0; B = 1; } message M { E e = 1; }")},
      {"enum field to int32", P3("enum E { A = 0; } message M { E e = 1; }"),
       P3("enum E { A = 0; } message M { int32 e = 1; }")},
      {"required field added", P2("message M { optional int32 a = 1; }"),
       P2("message M { optional int32 a = 1; required int32 b = 2; }"), false, false,
       "REQUIRED_FIELD_ADDED", "REQUIRED_FIELD_REMOVED"},
      {"numeric label changed", P2("message M { optional int32 a = 1; }"),
       P2("message M { repeated int32 a = 1; }"), false, false, "FIELD_NUMERIC_LABEL_CHANGED",
       "FIELD_NUMERIC_LABEL_CHANGED"},
      {"string label changed", P2("message M { optional string a = 1; }"),
       P2("message M { repeated string a = 1; }")},
      {"one field moved into a new oneof", P3("message M { int32 a = 1; int32 b = 2; }"),
       P3("message M { oneof o { int32 a = 1; } int32 b = 2; }")},
      {"two fields moved into a new oneof", P3("message M { int32 a = 1; int32 b = 2; }"),
       P3("message M { oneof o { int32 a = 1; int32 b = 2; } }"), false, true,
       "MULTIPLE_FIELDS_MOVED_TO_ONEOF"},
      {"field moved into an existing oneof",
       P3("message M { oneof o { int32 a = 1; } int32 b = 2; }"),
       P3("message M { oneof o { int32 a = 1; int32 b = 2; } }"), false, false,
       "FIELD_MOVED_TO_EXISTING_ONEOF", "ONEOF_FIELD_REMOVED"},
      {"oneof field removed", P3("message M { oneof o { int32 a = 1; string b = 2; } }"),
       P3("message M { oneof o { int32 a = 1; } }"), false, true, "ONEOF_FIELD_REMOVED"},
      {"map value kind changed", P3("message M { map<string, int32> m = 1; }"),
       P3("message M { map<string, string> m = 1; }"), false, false, "FIELD_SCALAR_KIND_CHANGED",
       "FIELD_SCALAR_KIND_CHANGED"},
      {"well-known type swapped",
       P3("import \"google/protobuf/timestamp.proto\"; import \"google/protobuf/duration.proto\";"
          " message M { google.protobuf.Timestamp t = 1; }"),
       P3("import \"google/protobuf/timestamp.proto\"; import \"google/protobuf/duration.proto\";"
          " message M { google.protobuf.Duration t = 1; }"),
       false, false, "FIELD_NAMED_TYPE_CHANGED", "FIELD_NAMED_TYPE_CHANGED"},
      {"messages reordered", P3("message A { int32 a = 1; } message B { int32 b = 1; }"),
       P3("message B { int32 b = 1; } message A { int32 a = 1; }")},
      {"nested message field changes kind",
       P3("message M { message Inner { int32 x = 1; } Inner i = 1; }"),
       P3("message M { message Inner { string x = 1; } Inner i = 1; }"), false, false,
       "FIELD_SCALAR_KIND_CHANGED", "FIELD_SCALAR_KIND_CHANGED"},
  };
  return *cases;
}

TEST(ProtobufCompatibilityTest, TableUnderAllSevenLevels) {
  ASSERT_GE(Cases().size(), 20u);
  for (const CompatibilityCase& c : Cases()) testing::ExpectVerdicts(SchemaType::kProtobuf, c);
}

TEST(ProtobufCompatibilityTest, VerboseMessageFollowsConfluent) {
  auto old_schema =
      ParseSchema(SchemaType::kProtobuf, P3("message M { int32 a = 1; } message N {}"), {});
  auto new_schema = ParseSchema(SchemaType::kProtobuf, P3("message M { int32 a = 1; }"), {});
  ASSERT_TRUE(old_schema.ok() && new_schema.ok());
  const auto messages =
      CheckCompatibility(CompatibilityLevel::kBackward, **new_schema, {{old_schema->get(), 2}});
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(
      messages.front(),
      "{errorType:\"MESSAGE_REMOVED\", description:\"The new schema is missing a MESSAGE type "
      "at path '#/N' in the old schema\"}");
}

TEST(ProtobufCompatibilityTest, ImportedTypesAreComparedStructurally) {
  auto ref = [](const std::string& body) {
    return ResolvedReference{"acme/inner.proto", SchemaType::kProtobuf, P3(body), {}};
  };
  const std::string outer = P3("import \"acme/inner.proto\"; message M { Inner i = 1; }");
  auto v1 = ParseSchema(SchemaType::kProtobuf, outer, {ref("message Inner { int32 x = 1; }")});
  auto v2 = ParseSchema(SchemaType::kProtobuf, outer, {ref("message Inner { string x = 1; }")});
  ASSERT_TRUE(v1.ok()) << v1.status();
  ASSERT_TRUE(v2.ok()) << v2.status();
  const auto messages = CheckCompatibility(CompatibilityLevel::kBackward, **v2, {{v1->get(), 1}});
  EXPECT_TRUE(testing::HasErrorType(messages, "FIELD_SCALAR_KIND_CHANGED"));
  EXPECT_TRUE(testing::HasErrorType(messages, "FIELD_NAMED_TYPE_CHANGED"));
}

}  // namespace
}  // namespace eddy::registry
