// ProducerIdBlocks hands out producer ids for idempotent producers (InitProducerId with a null
// transactional id), which any Kafka broker answers from a block of ids the controller allocated to
// it (KIP-730). The gateway does the same: it asks the controller for a block (AllocateProducerIds)
// when the current one runs out. Each call hands out a fresh id with epoch 0. The controller hands
// blocks to registered brokers only (it checks the broker epoch, as KRaft does), so the gateway
// asks in the name of a live broker from its metadata: ids stay unique because the controller
// records every block it hands out, whoever asked.
//
// Thread-safety: thread-safe; Next blocks on the controller call, so run it off the event loop.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/gateway/controller_calls.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {

class ProducerIdBlocks {
 public:
  ProducerIdBlocks(ControllerCalls& controller, const ClusterViewSource& metadata)
      : controller_(controller), metadata_(metadata) {}

  // Next returns an unused producer id, or the Kafka error code the controller gave.
  absl::StatusOr<int64_t> Next(int16_t* kafka_error);

 private:
  ControllerCalls& controller_;
  const ClusterViewSource& metadata_;
  absl::Mutex mu_;
  int64_t next_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t end_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace eddy::gateway
