// QuorumForwarder: how a follower replica of a replicated registry answers a REST write. It sends
// the request unchanged to the leader's ForwardRest RPC (over the quorum's channels), which runs it
// as the leader's own REST server would, then waits until its own store holds the leader's applied
// index before answering, so the client reads its own write on this replica too. Fails with
// Confluent's 50004 when no leader is known and 50003 when the leader cannot be reached.
#pragma once

#include <optional>

#include "absl/time/time.h"
#include "services/registry/registry_quorum.h"
#include "services/registry/rest_dispatch.h"

namespace eddy::registry {

class QuorumForwarder final : public RestForwarder {
 public:
  // `quorum` must outlive the forwarder; `timeout` bounds the forwarded call and the wait after it.
  QuorumForwarder(RegistryQuorum& quorum, absl::Duration timeout)
      : quorum_(quorum), timeout_(timeout) {}

  std::optional<absl::StatusOr<RestReply>> Forward(const RestCall& call) override;

 private:
  RegistryQuorum& quorum_;
  const absl::Duration timeout_;
};

}  // namespace eddy::registry
