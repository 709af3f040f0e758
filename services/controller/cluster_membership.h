// ClusterMembership is the controller's record of registered members (brokers, coordinators,
// registries, gateways) and their heartbeat leases. It is gRPC-free and time comes from an
// injected Clock, so lease expiry is tested by advancing a ManualClock.
//
// Invariants:
// - A member is identified by (role, member_id); each successful registration gets a new,
//   strictly increasing member epoch, and heartbeats must carry the current one.
// - While a registration's lease is live and the member has not announced a controlled shutdown,
//   another incarnation cannot take the same (role, member_id) (Kafka's
//   DUPLICATE_BROKER_REGISTRATION): a process restarted after kill -9 waits out the old lease.
// - A member whose lease expires is FENCED; a heartbeat with its current epoch unfences it.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "proto/eddy/v1/controller.pb.h"

namespace eddy::controller {

struct MembershipOptions {
  // Lease granted by each registration and heartbeat (Kafka's broker.session.timeout.ms).
  absl::Duration session_timeout = absl::Seconds(9);
  // Interval members are asked to heartbeat at (Kafka's broker.heartbeat.interval.ms).
  absl::Duration heartbeat_interval = absl::Seconds(2);
};

class ClusterMembership {
 public:
  ClusterMembership(MembershipOptions options, const common::Clock& clock);

  // Register records a member. kInvalidArgument for a missing role; kAlreadyExists while another
  // incarnation holds a live lease on the same (role, member_id). `epoch`, when set, is the
  // registration's epoch (a broker's is the metadata log offset of its registration record);
  // otherwise the next of this controller's own counter.
  absl::StatusOr<eddy::v1::RegisterMemberResponse> Register(
      const eddy::v1::RegisterMemberRequest& request, std::optional<int64_t> epoch = std::nullopt);
  // CheckRegister is Register's validation alone, for a caller that must know before it writes.
  absl::Status CheckRegister(const eddy::v1::RegisterMemberRequest& request) const;

  // Adopt installs a registration known from elsewhere (the metadata image, after this controller
  // became leader) with a fresh lease.
  void Adopt(const eddy::v1::MemberStatus& status);
  // Clear forgets every member (this controller stopped leading: its leases mean nothing).
  void Clear();

  // Heartbeat renews the lease of the registration with the given epoch; `reregister` is set in
  // the response when the controller does not know that registration.
  eddy::v1::HeartbeatResponse Heartbeat(const eddy::v1::HeartbeatRequest& request);

  // ExpireLeases fences every member whose lease has run out and returns them.
  std::vector<eddy::v1::MemberStatus> ExpireLeases();

  // Members returns every known member, ordered by role then member id.
  std::vector<eddy::v1::MemberStatus> Members() const;

  absl::Duration session_timeout() const { return options_.session_timeout; }

 private:
  using Key = std::pair<int, int32_t>;  // (role, member_id)

  struct Member {
    eddy::v1::MemberStatus status;
    absl::Time lease_expiry;
  };

  void Renew(Member& member, absl::Time now) const;
  absl::Status CheckRegisterLocked(const eddy::v1::RegisterMemberRequest& request,
                                   absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const MembershipOptions options_;
  const common::Clock& clock_;
  mutable absl::Mutex mu_;
  std::map<Key, Member> members_ ABSL_GUARDED_BY(mu_);
  int64_t next_epoch_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace eddy::controller
