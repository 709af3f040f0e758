#pragma once

// Per-call deadlines. Every Eddy client call carries one (ARCHITECTURE.md: "Every internal call has
// a deadline"); a call without one can hang forever on a half-dead peer. gRPC propagates the
// deadline to the server, where ServerContext::deadline() tells handlers how long they have.

#include <grpcpp/client_context.h>

#include "absl/time/time.h"

namespace eddy::rpc {

// kMaxCallTimeout caps any single call's deadline; longer (or infinite) timeouts are clamped.
inline constexpr absl::Duration kMaxCallTimeout = absl::Hours(24);

// SetDeadline gives `context` a deadline `timeout` from now (wall clock, as gRPC requires).
// A timeout <= 0 sets the deadline to now: any call that does not complete at once fails with
// DEADLINE_EXCEEDED.
void SetDeadline(grpc::ClientContext& context, absl::Duration timeout);

// SetDeadlineAt gives `context` the absolute deadline `deadline`, e.g. one inherited from the
// server call being handled, so a chain of calls shares one budget.
void SetDeadlineAt(grpc::ClientContext& context, absl::Time deadline);

}  // namespace eddy::rpc
