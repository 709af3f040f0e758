#include "libs/rpc/leader_hint.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/backoff.h"
#include "libs/rpc/deadline.h"
#include "libs/rpc/status.h"

namespace eddy::rpc {
namespace {

template <typename Context>
void AttachHint(Context& context, const eddy::v1::LeaderHint& hint) {
  context.AddTrailingMetadata(kLeaderHintMetadataKey, hint.SerializeAsString());
}

template <typename Context>
grpc::Status RejectNotLeader(Context& context, const std::optional<eddy::v1::LeaderHint>& leader,
                             std::string_view what) {
  const std::string who(what);
  if (!leader.has_value()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        absl::StrCat(who, " is not the leader and no leader is known"));
  }
  AttachHint(context, *leader);
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                      absl::StrCat(who, " is not the leader; leader is node ", leader->node_id(),
                                   " at ", TargetOf(leader->endpoint())));
}

// WithTarget appends the target an attempt went to, so errors say where they came from.
absl::Status WithTarget(const absl::Status& status, const std::string& target) {
  return absl::Status(status.code(), absl::StrCat(status.message(), " [", target, "]"));
}

}  // namespace

void AttachLeaderHint(grpc::CallbackServerContext& context, const eddy::v1::LeaderHint& hint) {
  AttachHint(context, hint);
}

void AttachLeaderHint(grpc::ServerContext& context, const eddy::v1::LeaderHint& hint) {
  AttachHint(context, hint);
}

grpc::Status NotLeader(grpc::CallbackServerContext& context,
                       const std::optional<eddy::v1::LeaderHint>& leader, std::string_view what) {
  return RejectNotLeader(context, leader, what);
}

grpc::Status NotLeader(grpc::ServerContext& context,
                       const std::optional<eddy::v1::LeaderHint>& leader, std::string_view what) {
  return RejectNotLeader(context, leader, what);
}

std::optional<eddy::v1::LeaderHint> LeaderHintFrom(const grpc::ClientContext& context) {
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find(kLeaderHintMetadataKey);
  if (it == trailers.end()) return std::nullopt;
  eddy::v1::LeaderHint hint;
  if (!hint.ParseFromArray(it->second.data(), static_cast<int>(it->second.size()))) {
    return std::nullopt;
  }
  return hint;
}

std::string TargetOf(const eddy::v1::Endpoint& endpoint) {
  const std::string& host = endpoint.host();
  if (host.find(':') != std::string::npos && !host.starts_with('[')) {
    return absl::StrCat("[", host, "]:", endpoint.port());
  }
  return absl::StrCat(host, ":", endpoint.port());
}

LeaderFollower::LeaderFollower(ChannelCache& channels, std::vector<std::string> targets,
                               RetryPolicy policy, absl::Duration per_call_timeout, Sleeper sleep,
                               uint64_t seed)
    : channels_(channels),
      targets_(std::move(targets)),
      policy_(std::move(policy)),
      per_call_timeout_(per_call_timeout),
      sleep_(std::move(sleep)),
      current_(targets_.empty() ? std::string() : targets_.front()),
      next_seed_(seed) {}

std::string LeaderFollower::current_target() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

std::string LeaderFollower::NextTarget(const std::string& target) const {
  auto it = std::find(targets_.begin(), targets_.end(), target);
  if (it == targets_.end() || ++it == targets_.end()) return targets_.front();
  return *it;
}

absl::Status LeaderFollower::Call(
    const std::function<grpc::Status(grpc::Channel& channel, grpc::ClientContext& context)>& call,
    Idempotency idempotency) {
  if (targets_.empty()) return absl::FailedPreconditionError("LeaderFollower has no targets");
  std::string target;
  uint64_t seed;
  {
    absl::MutexLock lock(&mu_);
    target = current_;
    seed = next_seed_++;
  }
  const int max_attempts = std::max(1, policy_.max_attempts);
  common::Backoff backoff(policy_.backoff, seed);
  std::set<std::string> hinted;  // Targets already reached through a hint in this Call.
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext context;
    SetDeadline(context, per_call_timeout_);
    grpc::Status result = call(*channels_.Get(target), context);
    if (result.ok()) {
      absl::MutexLock lock(&mu_);
      current_ = target;
      return absl::OkStatus();
    }
    absl::Status status = WithTarget(FromGrpcStatus(result), target);

    std::optional<eddy::v1::LeaderHint> hint = LeaderHintFrom(context);
    std::string next;
    bool wait = true;
    if (hint.has_value() && hint->endpoint().port() > 0) {
      next = TargetOf(hint->endpoint());
      wait = !hinted.insert(next).second;
    } else if (idempotency == Idempotency::kIdempotent ? IsRetryable(status)
                                                       : absl::IsUnavailable(status)) {
      next = NextTarget(target);
    } else {
      return status;
    }
    if (attempt >= max_attempts) return WithAttempts(status, attempt);
    {
      absl::MutexLock lock(&mu_);
      current_ = next;
    }
    if (wait) sleep_(backoff.Next());
    target = std::move(next);
  }
}

}  // namespace eddy::rpc
