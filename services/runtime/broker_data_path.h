// BrokerDataPath: how the gateway and the coordinator reach partition leaders. Each broker is
// served over one long-lived bidirectional `Broker.Data` stream (proto/eddy/v1/broker.proto)
// carrying many requests tagged by id, so a request costs one stream message per broker rather
// than a unary call (ARCHITECTURE.md: ~14 µs per stream message vs ~95 µs per unary call). A broken stream fails
// its outstanding requests with kUnavailable and is reopened by the next Send.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/eddy/v1/broker.pb.h"

namespace eddy::runtime {

class BrokerDataPath {
 public:
  using Callback = std::function<void(absl::StatusOr<eddy::v1::DataResponse>)>;
  virtual ~BrokerDataPath() = default;
  // Send sends `request` (its id is assigned here) to broker `broker_id` at gRPC `target`.
  // `callback` runs exactly once, on some other thread (never inside Send), with the broker's
  // answer, kUnavailable when the stream broke, or kDeadlineExceeded after `timeout`.
  virtual void Send(int32_t broker_id, const std::string& target, eddy::v1::DataRequest request,
                    absl::Duration timeout, Callback callback) = 0;
};

}  // namespace eddy::runtime
