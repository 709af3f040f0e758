// How the admin handlers turn an infrastructure failure of a controller call into the Kafka
// error code of each resource: a deadline → REQUEST_TIMED_OUT, no reachable controller leader →
// NOT_CONTROLLER (both retriable, so admin clients retry), anything else UNKNOWN_SERVER_ERROR.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "libs/kafka/error_codes.h"

namespace eddy::gateway {

inline int16_t AdminErrorFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk: return 0;
    case absl::StatusCode::kDeadlineExceeded: return kafka::ToInt(kafka::ErrorCode::kRequestTimedOut);
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kFailedPrecondition:
      return kafka::ToInt(kafka::ErrorCode::kNotController);
    default: return kafka::ToInt(kafka::ErrorCode::kUnknownServerError);
  }
}

}  // namespace eddy::gateway
