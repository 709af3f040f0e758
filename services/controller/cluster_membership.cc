#include "services/controller/cluster_membership.h"

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace eddy::controller {

using eddy::v1::MemberRole_Name;
using eddy::v1::MemberState;

ClusterMembership::ClusterMembership(MembershipOptions options, const common::Clock& clock)
    : options_(options), clock_(clock) {}

void ClusterMembership::Renew(Member& member, absl::Time now) const {
  member.lease_expiry = now + options_.session_timeout;
  member.status.set_last_heartbeat_unix_ms(absl::ToUnixMillis(now));
  member.status.set_lease_expires_unix_ms(absl::ToUnixMillis(member.lease_expiry));
}

absl::Status ClusterMembership::CheckRegisterLocked(const eddy::v1::RegisterMemberRequest& request,
                                                    absl::Time now) const {
  if (request.role() == eddy::v1::MEMBER_ROLE_UNSPECIFIED ||
      request.role() == eddy::v1::MEMBER_ROLE_CONTROLLER) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot register a member with role ", MemberRole_Name(request.role())));
  }
  if (request.incarnation_id().empty()) {
    return absl::InvalidArgumentError("incarnation_id is required");
  }
  auto it = members_.find(Key{request.role(), request.member_id()});
  if (it != members_.end()) {
    const eddy::v1::MemberStatus& old = it->second.status;
    const bool live = old.state() == eddy::v1::MEMBER_STATE_ACTIVE && now < it->second.lease_expiry;
    if (live && old.incarnation_id() != request.incarnation_id()) {
      return absl::AlreadyExistsError(absl::StrCat(
          MemberRole_Name(request.role()), " ", request.member_id(),
          " is registered by another incarnation whose lease expires in ",
          absl::FormatDuration(it->second.lease_expiry - now)));
    }
  }
  return absl::OkStatus();
}

absl::Status ClusterMembership::CheckRegister(
    const eddy::v1::RegisterMemberRequest& request) const {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  return CheckRegisterLocked(request, now);
}

absl::StatusOr<eddy::v1::RegisterMemberResponse> ClusterMembership::Register(
    const eddy::v1::RegisterMemberRequest& request, std::optional<int64_t> epoch) {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  if (absl::Status status = CheckRegisterLocked(request, now); !status.ok()) return status;
  const Key key{request.role(), request.member_id()};
  Member& member = members_[key];
  member.status.set_role(request.role());
  member.status.set_member_id(request.member_id());
  member.status.set_incarnation_id(request.incarnation_id());
  member.status.set_member_epoch(epoch.has_value() ? *epoch : next_epoch_++);
  member.status.set_state(eddy::v1::MEMBER_STATE_ACTIVE);
  member.status.set_rack(request.rack());
  member.status.set_version(request.version());
  *member.status.mutable_endpoints() = request.endpoints();
  Renew(member, now);
  spdlog::info("member registered role={} id={} epoch={} incarnation={}",
               MemberRole_Name(request.role()), request.member_id(),
               member.status.member_epoch(), request.incarnation_id());

  eddy::v1::RegisterMemberResponse response;
  response.set_member_epoch(member.status.member_epoch());
  response.set_lease_duration_ms(absl::ToInt64Milliseconds(options_.session_timeout));
  response.set_heartbeat_interval_ms(absl::ToInt64Milliseconds(options_.heartbeat_interval));
  return response;
}

eddy::v1::HeartbeatResponse ClusterMembership::Heartbeat(
    const eddy::v1::HeartbeatRequest& request) {
  eddy::v1::HeartbeatResponse response;
  response.set_lease_duration_ms(absl::ToInt64Milliseconds(options_.session_timeout));
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  auto it = members_.find(Key{request.role(), request.member_id()});
  if (it == members_.end() || it->second.status.member_epoch() != request.member_epoch()) {
    response.set_reregister(true);
    return response;
  }
  Member& member = it->second;
  Renew(member, now);
  if (request.shutting_down()) {
    if (member.status.state() != eddy::v1::MEMBER_STATE_SHUTTING_DOWN) {
      spdlog::info("member shutting down role={} id={} epoch={}", MemberRole_Name(request.role()),
                   request.member_id(), request.member_epoch());
    }
    member.status.set_state(eddy::v1::MEMBER_STATE_SHUTTING_DOWN);
  } else if (member.status.state() != eddy::v1::MEMBER_STATE_ACTIVE) {
    spdlog::info("member unfenced role={} id={} epoch={}", MemberRole_Name(request.role()),
                 request.member_id(), request.member_epoch());
    member.status.set_state(eddy::v1::MEMBER_STATE_ACTIVE);
  }
  return response;
}

void ClusterMembership::Adopt(const eddy::v1::MemberStatus& status) {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  Member& member = members_[Key{status.role(), status.member_id()}];
  member.status = status;
  Renew(member, now);
}

void ClusterMembership::Clear() {
  absl::MutexLock lock(&mu_);
  members_.clear();
}

std::vector<eddy::v1::MemberStatus> ClusterMembership::ExpireLeases() {
  const absl::Time now = clock_.Now();
  std::vector<eddy::v1::MemberStatus> fenced;
  absl::MutexLock lock(&mu_);
  for (auto& [key, member] : members_) {
    if (member.status.state() == eddy::v1::MEMBER_STATE_FENCED || now < member.lease_expiry) {
      continue;
    }
    member.status.set_state(eddy::v1::MEMBER_STATE_FENCED);
    spdlog::warn("member fenced role={} id={} epoch={}: lease expired",
                 MemberRole_Name(member.status.role()), member.status.member_id(),
                 member.status.member_epoch());
    fenced.push_back(member.status);
  }
  return fenced;
}

std::vector<eddy::v1::MemberStatus> ClusterMembership::Members() const {
  absl::MutexLock lock(&mu_);
  std::vector<eddy::v1::MemberStatus> out;
  out.reserve(members_.size());
  for (const auto& [key, member] : members_) out.push_back(member.status);
  return out;
}

}  // namespace eddy::controller
