#include "services/controller/security_commands.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "services/controller/metadata_test_fixture.h"

namespace eddy::controller {
namespace {

using kafka::ErrorCode;
using testing::MetadataFixture;

constexpr int32_t kRead = 3;
constexpr int32_t kWrite = 4;
constexpr int32_t kGroup = 3;

AclBinding Acl(std::string name, int32_t pattern, std::string principal, int32_t op) {
  return AclBinding{kResourceTopic,  std::move(name), pattern, std::move(principal), "*", op,
                    kPermissionAllow};
}

class SecurityCommandsTest : public ::testing::Test {
 protected:
  std::vector<ApiError> Create(const std::vector<AclBinding>& bindings) {
    auto result = CreateAcls(f_.image(), bindings, random_);
    f_.Apply(result.records);
    return result.response;
  }

  std::vector<DeleteAclsResult> Delete(const std::vector<AclFilter>& filters) {
    auto result = DeleteAcls(f_.image(), filters);
    f_.Apply(result.records);
    return result.response;
  }

  MetadataFixture f_;
  std::mt19937_64 random_{11};
};

TEST_F(SecurityCommandsTest, CreatesValidAclsOnceAndRejectsInvalidOnes) {
  auto results = Create({Acl("orders", kPatternLiteral, "User:alice", kRead),
                         Acl("orders", kPatternLiteral, "User:alice", kRead),
                         Acl("orders", kAclAny, "User:alice", kRead),
                         Acl("orders", kPatternLiteral, "alice", kRead),
                         Acl("", kPatternLiteral, "User:alice", kRead),
                         Acl("orders", kPatternLiteral, "User:alice", kAclAny)});
  ASSERT_EQ(results.size(), 6u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_TRUE(results[1].ok()) << "an existing binding is not an error";
  for (size_t i = 2; i < results.size(); ++i) {
    EXPECT_EQ(results[i].code, ErrorCode::kInvalidRequest) << i;
    EXPECT_FALSE(results[i].message.empty());
  }
  EXPECT_EQ(f_.image().acls().size(), 1u);
  EXPECT_TRUE(Create({Acl("orders", kPatternLiteral, "User:alice", kRead)})[0].ok());
  EXPECT_EQ(f_.image().acls().size(), 1u);
}

TEST_F(SecurityCommandsTest, DeleteFiltersMatchLikeKafka) {
  Create({Acl("orders", kPatternLiteral, "User:alice", kRead),
          Acl("*", kPatternLiteral, "User:bob", kRead),
          Acl("ord", kPatternPrefixed, "User:carol", kWrite),
          Acl("payments", kPatternLiteral, "User:alice", kWrite),
          AclBinding{kGroup, "g", kPatternLiteral, "User:alice", "*", kRead, kPermissionDeny}});
  ASSERT_EQ(f_.image().acls().size(), 5u);

  AclFilter match{
      .resource_type = kResourceTopic, .resource_name = "orders", .pattern_type = kPatternMatch};
  auto matched = Delete({match});
  ASSERT_EQ(matched.size(), 1u);
  EXPECT_EQ(matched[0].deleted.size(), 3u) << "literal orders, literal *, prefixed ord";
  EXPECT_EQ(f_.image().acls().size(), 2u);

  AclFilter alice{.principal = "User:alice", .permission_type = kPermissionDeny};
  auto denied = Delete({alice, alice});
  EXPECT_EQ(denied[0].deleted.size(), 1u);
  EXPECT_EQ(denied[1].deleted.size(), 0u) << "already removed by the first filter";
  EXPECT_EQ(f_.image().acls().size(), 1u);

  EXPECT_EQ(Delete({AclFilter{.operation = 0}})[0].error.code, ErrorCode::kInvalidRequest);
}

TEST_F(SecurityCommandsTest, ScramCredentialsAreStoredAsKeysPerUser) {
  auto result = AlterUserScramCredentials(
      f_.image(), {},
      {{"alice", 1, 4096, "salt", "salted-password"}, {"bob", 2, 8192, "s2", "pw2"}});
  ASSERT_EQ(result.response.size(), 2u);
  EXPECT_TRUE(result.response[0].error.ok());
  EXPECT_TRUE(result.response[1].error.ok());
  f_.Apply(result.records);
  const auto& alice = f_.image().scram_credentials().at(ScramKey("alice", 1));
  // Expected keys computed independently (Python hmac/hashlib) from RFC 5802's definitions.
  EXPECT_EQ(absl::BytesToHexString(alice.stored_key()),
            "b5e4c0d06efa385d664035071e661a9b86967d64d141de9984fc5470c3f67b3d");
  EXPECT_EQ(absl::BytesToHexString(alice.server_key()),
            "9152f5894df2e7fe1ea179f2f6dbc4c4f7ecd5ac45708d2d9dc622c715330377");
  EXPECT_EQ(alice.iterations(), 4096);
  EXPECT_EQ(f_.image().scram_credentials().at(ScramKey("bob", 2)).stored_key().size(), 64u);

  auto bad = AlterUserScramCredentials(f_.image(), {{"carol", 1}, {"alice", 1}},
                                       {{"alice", 1, 4096, "x", "y"},
                                        {"dave", 1, 100, "x", "y"},
                                        {"erin", 9, 4096, "x", "y"},
                                        {"", 1, 4096, "x", "y"}});
  ASSERT_EQ(bad.response.size(), 5u);
  EXPECT_EQ(bad.response[0].error.code, ErrorCode::kResourceNotFound);
  EXPECT_EQ(bad.response[1].error.code, ErrorCode::kDuplicateResource);
  EXPECT_EQ(bad.response[2].error.code, ErrorCode::kUnacceptableCredential);
  EXPECT_EQ(bad.response[3].error.code, ErrorCode::kUnsupportedSaslMechanism);
  EXPECT_EQ(bad.response[4].error.code, ErrorCode::kUnacceptableCredential);
  EXPECT_TRUE(bad.records.empty()) << "failed users keep their credentials unchanged";

  auto removed = AlterUserScramCredentials(f_.image(), {{"alice", 1}}, {});
  ASSERT_TRUE(removed.response[0].error.ok());
  f_.Apply(removed.records);
  EXPECT_FALSE(f_.image().scram_credentials().contains(ScramKey("alice", 1)));
}

}  // namespace
}  // namespace eddy::controller
