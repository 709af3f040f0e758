#include "services/registry/protobuf_schema.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace eddy::registry::protobuf {
namespace {

using ::eddy::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

absl::StatusOr<std::unique_ptr<ProtobufSchema>> Parse(
    const std::string& text, const std::vector<ResolvedReference>& refs = {}) {
  return ProtobufSchema::Parse(text, refs);
}

TEST(ProtobufSchemaTest, CanonicalStringIsReprintedFromTheDescriptor) {
  EDDY_ASSERT_OK_AND_ASSIGN(auto s, Parse(R"(
    // a comment that is not kept
    syntax = "proto3";
    package acme.v1;
    message User { string name = 1;   int64 id = 2; map<string, int32> tags = 3; }
  )"));
  EXPECT_THAT(s->CanonicalString(), HasSubstr("package acme.v1;"));
  EXPECT_THAT(s->CanonicalString(), HasSubstr("map<string, int32> tags = 3;"));
  EXPECT_THAT(s->CanonicalString(), Not(HasSubstr("comment")));
  // Whitespace and comments do not make a different schema.
  EDDY_ASSERT_OK_AND_ASSIGN(auto t, Parse("syntax=\"proto3\";package acme.v1;message User{string "
                                          "name=1;int64 id=2;map<string,int32> tags=3;}"));
  EXPECT_TRUE(s->Equivalent(*t));
  // The canonical string parses back to the same schema.
  EDDY_ASSERT_OK_AND_ASSIGN(auto again, Parse(s->CanonicalString()));
  EXPECT_EQ(again->CanonicalString(), s->CanonicalString());
}

TEST(ProtobufSchemaTest, NormalizedSortsFieldsByNumber) {
  EDDY_ASSERT_OK_AND_ASSIGN(auto a,
                            Parse(R"(syntax = "proto3"; message M { int32 b = 2; int32 a = 1; })"));
  EDDY_ASSERT_OK_AND_ASSIGN(auto b,
                            Parse(R"(syntax = "proto3"; message M { int32 a = 1; int32 b = 2; })"));
  EXPECT_FALSE(a->Equivalent(*b));
  EXPECT_EQ(a->Normalized(), b->Normalized());
}

TEST(ProtobufSchemaTest, WellKnownTypesAreBuiltIn) {
  EDDY_ASSERT_OK_AND_ASSIGN(auto s, Parse(R"(
    syntax = "proto3";
    import "google/protobuf/timestamp.proto";
    import "google/protobuf/any.proto";
    import "google/protobuf/struct.proto";
    import "google/protobuf/wrappers.proto";
    import "google/protobuf/duration.proto";
    import "google/protobuf/empty.proto";
    import "google/protobuf/field_mask.proto";
    message Event {
      google.protobuf.Timestamp at = 1; google.protobuf.Any payload = 2;
      google.protobuf.Struct attrs = 3; google.protobuf.StringValue note = 4;
      google.protobuf.Duration took = 5; google.protobuf.Empty nothing = 6;
      google.protobuf.FieldMask mask = 7;
    })"));
  EXPECT_EQ(s->file()->dependency_count(), 7);
}

TEST(ProtobufSchemaTest, ImportsResolveToReferences) {
  const ResolvedReference address{
      "acme/address.proto",
      SchemaType::kProtobuf,
      R"(syntax = "proto3"; package acme; message Address { string street = 1; })",
      {}};
  EDDY_ASSERT_OK_AND_ASSIGN(auto s, Parse(R"(
    syntax = "proto3"; package acme; import "acme/address.proto";
    message User { Address home = 1; })",
                                          {address}));
  EXPECT_EQ(s->file()->message_type(0)->field(0)->message_type()->full_name(), "acme.Address");
  EXPECT_THAT(Parse(R"(syntax = "proto3"; import "acme/missing.proto"; message M {})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("acme/missing.proto")));
}

TEST(ProtobufSchemaTest, AcceptsBase64FileDescriptorsAsConfluentDoes) {
  EDDY_ASSERT_OK_AND_ASSIGN(auto text, Parse(R"(syntax = "proto3"; package acme;
    import "google/protobuf/timestamp.proto";
    message User { string name = 1; google.protobuf.Timestamp at = 2; })"));
  google::protobuf::FileDescriptorProto proto;
  text->file()->CopyTo(&proto);
  proto.set_name("user.proto");
  std::string encoded;
  absl::Base64Escape(proto.SerializeAsString(), &encoded);
  // The import arrives as a reference holding the base64 descriptor of timestamp.proto.
  google::protobuf::FileDescriptorProto timestamp;
  google::protobuf::Timestamp::descriptor()->file()->CopyTo(&timestamp);
  std::string timestamp_encoded;
  absl::Base64Escape(timestamp.SerializeAsString(), &timestamp_encoded);
  EDDY_ASSERT_OK_AND_ASSIGN(
      auto binary,
      Parse(encoded,
            {{"google/protobuf/timestamp.proto", SchemaType::kProtobuf, timestamp_encoded, {}}}));
  EXPECT_EQ(binary->CanonicalString(), text->CanonicalString());
  EXPECT_THAT(Parse("bm90IGEgZGVzY3JpcHRvcg=="),  // base64 of "not a descriptor"
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ProtobufSchemaTest, RejectsInvalidProto) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"syntax = \"proto3\"; message M { int32 a = 1; int32 b = 1; }", "has already been used"},
      {"syntax = \"proto3\"; message M { Unknown a = 1; }", "not defined"},
      {"syntax = \"proto3\"; message M { int32 a = 1 }", "Expected"},
      {"message {", "Expected"},
      {"syntax = \"proto3\"; message M { required int32 a = 1; }", "Required"},
      {"syntax = \"proto3\"; enum E { A = 1; }", "zero"},
  };
  for (const auto& [text, message] : cases) {
    EXPECT_THAT(Parse(text), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(message)))
        << text;
  }
}

TEST(ProtobufSchemaTest, DeepNestingIsRejectedWithoutRecursion) {
  std::string deep = "syntax = \"proto3\";";
  for (int i = 0; i < 10000; ++i) deep += "message M" + std::to_string(i) + " {";
  deep += std::string(10000, '}');
  EXPECT_THAT(Parse(deep), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nests deeper")));
  EXPECT_THAT(Parse("option (x) = " + std::string(10000, '{')),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace eddy::registry::protobuf
