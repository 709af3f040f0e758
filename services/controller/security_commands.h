// Security metadata commands: ACL bindings (CreateAcls / DeleteAcls, KIP-140) and SCRAM credentials
// (AlterUserScramCredentials, KIP-554). The controller only stores them, as KRaft's
// AclControlManager and ScramControlManager do; the gateway enforces them from the metadata it
// watches. Codes are Kafka's: resource types, pattern types, operations and permission types use
// the numbering of org.apache.kafka.common.{resource,acl}; SCRAM mechanisms 1 = SCRAM-SHA-256,
// 2 = SCRAM-SHA-512. Credentials are stored as RFC 5802 StoredKey / ServerKey, never the password.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "services/controller/controller_result.h"
#include "services/controller/metadata_image.h"

namespace eddy::controller {

// Kafka's codes for the fields of an ACL binding.
inline constexpr int32_t kAclAny = 1;           // ResourceType/PatternType/Operation/Permission
inline constexpr int32_t kPatternMatch = 2;     // PatternType.MATCH (filters only)
inline constexpr int32_t kPatternLiteral = 3;   // PatternType.LITERAL
inline constexpr int32_t kPatternPrefixed = 4;  // PatternType.PREFIXED
inline constexpr int32_t kResourceTopic = 2;    // ResourceType.TOPIC
inline constexpr int32_t kPermissionDeny = 2;   // AclPermissionType.DENY
inline constexpr int32_t kPermissionAllow = 3;  // AclPermissionType.ALLOW

struct AclBinding {
  int32_t resource_type = 0;
  std::string resource_name;
  int32_t pattern_type = kPatternLiteral;
  std::string principal;  // "User:alice"
  std::string host = "*";
  int32_t operation = 0;
  int32_t permission_type = kPermissionAllow;
};

// CreateAcls stores each valid binding (INVALID_REQUEST with Kafka's message otherwise); a binding
// that already exists succeeds without a new record. Binding ids come from `random`.
ControllerResult<std::vector<ApiError>> CreateAcls(const MetadataImage& image,
                                                   const std::vector<AclBinding>& bindings,
                                                   std::mt19937_64& random);

// AclFilter matches bindings (Kafka's AclBindingFilter): an unset string or an ANY code matches
// everything; pattern MATCH matches literal bindings of the same name or "*" and prefixed
// bindings whose prefix starts the filter's name.
struct AclFilter {
  int32_t resource_type = kAclAny;
  std::optional<std::string> resource_name;
  int32_t pattern_type = kAclAny;
  std::optional<std::string> principal;
  std::optional<std::string> host;
  int32_t operation = kAclAny;
  int32_t permission_type = kAclAny;
};

bool Matches(const AclFilter& filter, const eddy::v1::AccessControlEntryRecord& acl);

struct DeleteAclsResult {
  ApiError error;
  std::vector<eddy::v1::AccessControlEntryRecord> deleted;
};

// DeleteAcls removes every binding each filter matches (a binding matched by two filters is
// removed once and reported by the first).
ControllerResult<std::vector<DeleteAclsResult>> DeleteAcls(const MetadataImage& image,
                                                           const std::vector<AclFilter>& filters);

struct ScramUpsertion {
  std::string name;
  int32_t mechanism = 0;
  int32_t iterations = 0;
  std::string salt;
  std::string salted_password;  // Hi(password, salt, iterations), as clients send it
};

struct ScramDeletion {
  std::string name;
  int32_t mechanism = 0;
};

struct UserResult {
  std::string user;
  ApiError error;
};

// AlterUserScramCredentials applies deletions and upsertions, one result per user (in first-seen
// order); a user with any invalid operation keeps its credentials unchanged. Errors:
// UNACCEPTABLE_CREDENTIAL (empty name, iterations outside [4096, 16384]),
// UNSUPPORTED_SASL_MECHANISM, DUPLICATE_RESOURCE (a user's mechanism altered twice),
// RESOURCE_NOT_FOUND (deleting a missing credential).
ControllerResult<std::vector<UserResult>> AlterUserScramCredentials(
    const MetadataImage& image, const std::vector<ScramDeletion>& deletions,
    const std::vector<ScramUpsertion>& upsertions);

}  // namespace eddy::controller
