#include "libs/rpc/deadline.h"

#include <algorithm>

namespace eddy::rpc {

void SetDeadline(grpc::ClientContext& context, absl::Duration timeout) {
  timeout = std::clamp(timeout, absl::ZeroDuration(), kMaxCallTimeout);
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

void SetDeadlineAt(grpc::ClientContext& context, absl::Time deadline) {
  deadline = std::min(deadline, absl::Now() + kMaxCallTimeout);
  context.set_deadline(absl::ToChronoTime(deadline));
}

}  // namespace eddy::rpc
