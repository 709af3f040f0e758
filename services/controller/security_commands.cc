#include "services/controller/security_commands.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "openssl/evp.h"
#include "openssl/hmac.h"
#include "services/controller/metadata_records.h"

namespace eddy::controller {
namespace {

using kafka::ErrorCode;

bool SameBinding(const AclBinding& b, const eddy::v1::AccessControlEntryRecord& r) {
  return b.resource_type == r.resource_type() && b.resource_name == r.resource_name() &&
         b.pattern_type == r.pattern_type() && b.principal == r.principal() && b.host == r.host() &&
         b.operation == r.operation() && b.permission_type == r.permission_type();
}

ApiError ValidateBinding(const AclBinding& b) {
  auto invalid = [](std::string message) {
    return ApiError(ErrorCode::kInvalidRequest, std::move(message));
  };
  if (b.resource_type <= kAclAny || b.resource_type > 7) {
    return invalid(absl::StrCat("Invalid resourceType ", b.resource_type));
  }
  if (b.pattern_type != kPatternLiteral && b.pattern_type != kPatternPrefixed) {
    return invalid(absl::StrCat("Invalid patternType ", b.pattern_type));
  }
  if (b.operation <= kAclAny || b.operation > 14) {
    return invalid(absl::StrCat("Invalid operation ", b.operation));
  }
  if (b.permission_type != kPermissionAllow && b.permission_type != kPermissionDeny) {
    return invalid(absl::StrCat("Invalid permissionType ", b.permission_type));
  }
  if (b.resource_name.empty()) return invalid("Resource name should not be empty");
  if (b.principal.find(':') == std::string::npos) {
    return invalid(absl::StrCat("Could not parse principal from `", b.principal,
                                "` (no colon is present separating the principal type from the "
                                "principal name)"));
  }
  if (b.host.empty()) return invalid("Host should not be empty");
  return ApiError();
}

bool NameMatches(const AclFilter& f, const eddy::v1::AccessControlEntryRecord& acl) {
  if (f.pattern_type == kPatternMatch) {
    if (!f.resource_name) return true;
    if (acl.pattern_type() == kPatternLiteral) {
      return acl.resource_name() == *f.resource_name || acl.resource_name() == "*";
    }
    return acl.pattern_type() == kPatternPrefixed &&
           absl::StartsWith(*f.resource_name, acl.resource_name());
  }
  if (f.pattern_type != kAclAny && f.pattern_type != acl.pattern_type()) return false;
  return !f.resource_name || *f.resource_name == acl.resource_name();
}

// ScramKeys derives RFC 5802's StoredKey = H(HMAC(SaltedPassword, "Client Key")) and
// ServerKey = HMAC(SaltedPassword, "Server Key") with the mechanism's hash.
std::pair<std::string, std::string> ScramKeys(int32_t mechanism, const std::string& salted) {
  const EVP_MD* md = mechanism == 1 ? EVP_sha256() : EVP_sha512();
  auto hmac = [&](std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out;
    unsigned int len = 0;
    HMAC(md, salted.data(), static_cast<int>(salted.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
    return std::string(reinterpret_cast<const char*>(out.data()), len);
  };
  const std::string client_key = hmac("Client Key");
  std::array<unsigned char, EVP_MAX_MD_SIZE> stored;
  unsigned int stored_len = 0;
  EVP_Digest(client_key.data(), client_key.size(), stored.data(), &stored_len, md, nullptr);
  return {std::string(reinterpret_cast<const char*>(stored.data()), stored_len),
          hmac("Server Key")};
}

ApiError CheckMechanism(int32_t mechanism) {
  if (mechanism != 1 && mechanism != 2) {
    return ApiError(ErrorCode::kUnsupportedSaslMechanism, "Unknown SCRAM mechanism");
  }
  return ApiError();
}

}  // namespace

bool Matches(const AclFilter& f, const eddy::v1::AccessControlEntryRecord& acl) {
  return (f.resource_type == kAclAny || f.resource_type == acl.resource_type()) &&
         NameMatches(f, acl) && (!f.principal || *f.principal == acl.principal()) &&
         (!f.host || *f.host == acl.host()) &&
         (f.operation == kAclAny || f.operation == acl.operation()) &&
         (f.permission_type == kAclAny || f.permission_type == acl.permission_type());
}

ControllerResult<std::vector<ApiError>> CreateAcls(const MetadataImage& image,
                                                   const std::vector<AclBinding>& bindings,
                                                   std::mt19937_64& random) {
  ControllerResult<std::vector<ApiError>> out;
  std::vector<eddy::v1::AccessControlEntryRecord> created;
  std::set<common::Uuid> ids;
  for (const AclBinding& b : bindings) {
    ApiError& error = out.response.emplace_back(ValidateBinding(b));
    if (!error.ok()) continue;
    auto same = [&](const eddy::v1::AccessControlEntryRecord& r) { return SameBinding(b, r); };
    if (std::any_of(image.acls().begin(), image.acls().end(),
                    [&](const auto& entry) { return same(entry.second); }) ||
        std::any_of(created.begin(), created.end(), same)) {
      continue;
    }
    common::Uuid id;
    do {
      id = common::Uuid::FromMsbLsb(random(), random());
    } while (id.IsZero() || image.acls().contains(id) || ids.contains(id));
    ids.insert(id);
    eddy::v1::AccessControlEntryRecord r;
    *r.mutable_id() = TopicIdToProto(id);
    r.set_resource_type(b.resource_type);
    r.set_resource_name(b.resource_name);
    r.set_pattern_type(b.pattern_type);
    r.set_principal(b.principal);
    r.set_host(b.host);
    r.set_operation(b.operation);
    r.set_permission_type(b.permission_type);
    created.push_back(r);
    out.records.push_back(Wrap(std::move(r)));
  }
  return out;
}

ControllerResult<std::vector<DeleteAclsResult>> DeleteAcls(const MetadataImage& image,
                                                           const std::vector<AclFilter>& filters) {
  ControllerResult<std::vector<DeleteAclsResult>> out;
  std::set<common::Uuid> removed;
  for (const AclFilter& filter : filters) {
    DeleteAclsResult& result = out.response.emplace_back();
    if (filter.resource_type == 0 || filter.pattern_type == 0 || filter.operation == 0 ||
        filter.permission_type == 0) {
      result.error = ApiError(ErrorCode::kInvalidRequest, "The filter contains UNKNOWN elements");
      continue;
    }
    for (const auto& [id, acl] : image.acls()) {
      if (!Matches(filter, acl) || !removed.insert(id).second) continue;
      result.deleted.push_back(acl);
      eddy::v1::RemoveAccessControlEntryRecord r;
      *r.mutable_id() = TopicIdToProto(id);
      out.records.push_back(Wrap(std::move(r)));
    }
  }
  return out;
}

ControllerResult<std::vector<UserResult>> AlterUserScramCredentials(
    const MetadataImage& image, const std::vector<ScramDeletion>& deletions,
    const std::vector<ScramUpsertion>& upsertions) {
  constexpr int32_t kMinIterations = 4096;
  constexpr int32_t kMaxIterations = 16384;
  std::vector<std::string> users;
  std::map<std::string, ApiError> errors;
  std::map<std::string, std::vector<eddy::v1::MetadataRecord>> records;
  std::set<ScramKey> touched;
  // note registers a user's result slot (first-seen order); fail keeps the user's first error.
  auto note = [&](const std::string& user) {
    if (errors.emplace(user, ApiError()).second) users.push_back(user);
  };
  auto fail = [&](const std::string& user, ApiError error) {
    ApiError& current = errors[user];
    if (current.ok()) current = std::move(error);
  };
  auto check = [&](const std::string& user, int32_t mechanism) {
    note(user);
    ApiError error;
    if (user.empty()) {
      error = ApiError(ErrorCode::kUnacceptableCredential, "Username must not be empty");
    } else if (ApiError e = CheckMechanism(mechanism); !e.ok()) {
      error = std::move(e);
    } else if (!touched.insert(ScramKey(user, mechanism)).second) {
      error = ApiError(ErrorCode::kDuplicateResource,
                       "A user credential cannot be altered twice in the same request");
    }
    if (error.ok()) return true;
    fail(user, std::move(error));
    return false;
  };
  for (const ScramDeletion& d : deletions) {
    if (!check(d.name, d.mechanism)) continue;
    if (!image.scram_credentials().contains(ScramKey(d.name, d.mechanism))) {
      fail(d.name, ApiError(ErrorCode::kResourceNotFound,
                            "Attempt to delete a user credential that does not exist"));
      continue;
    }
    eddy::v1::RemoveUserScramCredentialRecord r;
    r.set_name(d.name);
    r.set_mechanism(d.mechanism);
    records[d.name].push_back(Wrap(std::move(r)));
  }
  for (const ScramUpsertion& u : upsertions) {
    if (!check(u.name, u.mechanism)) continue;
    if (u.iterations < kMinIterations || u.iterations > kMaxIterations) {
      fail(u.name,
           ApiError(ErrorCode::kUnacceptableCredential,
                    u.iterations < kMinIterations ? "Too few iterations" : "Too many iterations"));
      continue;
    }
    auto [stored_key, server_key] = ScramKeys(u.mechanism, u.salted_password);
    eddy::v1::UserScramCredentialRecord r;
    r.set_name(u.name);
    r.set_mechanism(u.mechanism);
    r.set_salt(u.salt);
    r.set_stored_key(std::move(stored_key));
    r.set_server_key(std::move(server_key));
    r.set_iterations(u.iterations);
    records[u.name].push_back(Wrap(std::move(r)));
  }
  ControllerResult<std::vector<UserResult>> out;
  for (const std::string& user : users) {
    out.response.push_back(UserResult{user, errors[user]});
    if (!errors[user].ok()) continue;
    for (auto& r : records[user]) out.records.push_back(std::move(r));
  }
  return out;
}

}  // namespace eddy::controller
