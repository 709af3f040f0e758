#pragma once

// Leader hints: how a call that reached the wrong member finds the right one.
//
// Some RPCs must be served by one member: the controller Raft leader, or the coordinator that owns
// a group's shard. A member that is not it fails the call without executing it, and:
//   * if it knows who is, with kFailedPrecondition ("not leader") plus an eddy.v1.LeaderHint
//     serialized into the binary trailing metadata entry kLeaderHintMetadataKey;
//   * if it does not (an election is in progress), with kUnavailable and no hint: retry later.
// This follows etcd's split (FailedPrecondition "not leader" vs Unavailable "no leader") and the
// Abseil code guide: kFailedPrecondition because this member's state will not change by retrying
// here, kUnavailable because retrying (elsewhere or later) will succeed. NotLeader() builds both.
//
// LeaderFollower is the client side: it remembers the last known leader, follows hints, rotates
// through the configured endpoints when a member is unreachable, and bounds it all by a
// RetryPolicy with a deadline on every attempt.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/rpc/channel_cache.h"
#include "libs/rpc/retry.h"
#include "proto/eddy/v1/common.pb.h"

namespace eddy::rpc {

// kLeaderHintMetadataKey is the trailing metadata key carrying a serialized eddy.v1.LeaderHint
// ("-bin" makes gRPC transport the value as binary).
inline constexpr char kLeaderHintMetadataKey[] = "eddy-leader-hint-bin";

// AttachLeaderHint adds `hint` to the trailing metadata of the call being handled.
// REQUIRES: called before the call is finished.
void AttachLeaderHint(grpc::CallbackServerContext& context, const eddy::v1::LeaderHint& hint);
void AttachLeaderHint(grpc::ServerContext& context, const eddy::v1::LeaderHint& hint);

// NotLeader returns the status a non-leader finishes a call with: kFailedPrecondition with the
// hint attached when `leader` is known, else kUnavailable. `what` names this member's role, e.g.
// "controller node 2".
grpc::Status NotLeader(grpc::CallbackServerContext& context,
                       const std::optional<eddy::v1::LeaderHint>& leader, std::string_view what);
grpc::Status NotLeader(grpc::ServerContext& context,
                       const std::optional<eddy::v1::LeaderHint>& leader, std::string_view what);

// LeaderHintFrom returns the hint a finished client call carried, if any (nullopt when absent or
// unparseable). REQUIRES: the call has completed.
std::optional<eddy::v1::LeaderHint> LeaderHintFrom(const grpc::ClientContext& context);

// TargetOf formats an endpoint as a gRPC target "host:port" (IPv6 literals bracketed).
std::string TargetOf(const eddy::v1::Endpoint& endpoint);

// Idempotency tells LeaderFollower which failures it may retry.
enum class Idempotency {
  kIdempotent,     // Retry every IsRetryable failure and every not-leader redirect.
  kNotIdempotent,  // Retry only not-leader redirects and kUnavailable (see LeaderFollower::Call).
};

// LeaderFollower calls a unary RPC on whichever of a fixed set of members currently leads.
// Thread-safety: thread-safe; concurrent Calls share the remembered leader.
class LeaderFollower {
 public:
  // REQUIRES: `channels` outlives this; `targets` non-empty ("host:port" each).
  LeaderFollower(ChannelCache& channels, std::vector<std::string> targets, RetryPolicy policy,
                 absl::Duration per_call_timeout, Sleeper sleep = RealSleeper(),
                 uint64_t seed = RandomSeed());

  // Call runs `call` (one RPC on `channel` using `context`, whose deadline is already set) against
  // the last known leader; `call` makes its stub with e.g.
  // `eddy::v1::Controller::Stub stub(channel.shared_from_this());`. Then:
  //   * OK: remembers that target as leader and returns OK;
  //   * failure with a leader hint: tries the hinted member next (at once the first time a target
  //     is hinted in this Call, after a backoff delay when hints go round in circles);
  //   * other retryable failure (IsRetryable; with kNotIdempotent only kUnavailable): backs off
  //     and tries the next target in order;
  //   * anything else: returns it.
  // At most policy.max_attempts RPCs are made. The returned error names the last target tried.
  // kNotIdempotent still retries kUnavailable: Eddy servers use it for "no leader yet" and gRPC
  // mostly for calls that never reached a handler, but a connection lost mid-call can also show
  // up as UNAVAILABLE, so such RPCs should carry a request id the server deduplicates.
  absl::Status Call(
      const std::function<grpc::Status(grpc::Channel& channel, grpc::ClientContext& context)>&
          call,
      Idempotency idempotency = Idempotency::kIdempotent);

  // current_target is the member the next Call starts with: the last known leader (initially
  // targets[0]).
  std::string current_target() const;

 private:
  // NextTarget is the target after `target` in targets_ order (targets_[0] if not listed).
  std::string NextTarget(const std::string& target) const;

  ChannelCache& channels_;
  const std::vector<std::string> targets_;
  const RetryPolicy policy_;
  const absl::Duration per_call_timeout_;
  const Sleeper sleep_;
  mutable absl::Mutex mu_;
  std::string current_ ABSL_GUARDED_BY(mu_);
  uint64_t next_seed_ ABSL_GUARDED_BY(mu_);
};

}  // namespace eddy::rpc
