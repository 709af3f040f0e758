#pragma once

// Keepalive settings shared by GrpcServer and ChannelCache. Clients ping idle-but-open calls (the
// metadata watch and replication streams) so a dead peer is noticed within ~30 s; servers must
// accept pings at least that often or they answer GOAWAY "too_many_pings".
// Invariant: kServerMinPingInterval <= kClientKeepaliveTime.

#include "absl/time/time.h"

namespace eddy::rpc::internal {

inline constexpr absl::Duration kClientKeepaliveTime = absl::Seconds(20);
inline constexpr absl::Duration kClientKeepaliveTimeout = absl::Seconds(10);
inline constexpr absl::Duration kServerMinPingInterval = absl::Seconds(10);

}  // namespace eddy::rpc::internal
