// FetchOperation answers one fetch (consumer or follower) and, when nothing is there yet, waits as
// a DelayedOperation until data arrives (min_bytes) or max_wait_ms passes, as Kafka's
// DelayedFetch.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "proto/eddy/v1/broker.pb.h"
#include "services/broker/broker_metrics.h"
#include "services/broker/replica_manager.h"

namespace eddy::broker::internal {

class FetchOperation : public DelayedOperation {
 public:
  using Reply = std::function<void(eddy::v1::FetchResponse response)>;

  FetchOperation(ReplicaManager& replicas, BrokerMetrics* metrics, common::Clock& clock,
                 eddy::v1::FetchRequest request, int32_t default_max_bytes, absl::Duration max_wait_cap,
                 Reply reply);

  // Start answers at once when it can; else parks this operation in the manager.
  static void Start(std::shared_ptr<FetchOperation> operation, ReplicaManager& replicas);

  bool TryComplete(bool expired) override;
  absl::Time deadline() const override { return deadline_; }

 private:
  // Build reads every partition; `ready` says whether the answer should go now.
  eddy::v1::FetchResponse Build(bool* ready, bool expired);
  bool AnyReadable() const;

  ReplicaManager& replicas_;
  BrokerMetrics* const metrics_;
  const eddy::v1::FetchRequest request_;
  const bool follower_;
  const int32_t max_bytes_;
  common::Clock& clock_;
  const absl::Time start_;
  const absl::Time deadline_;
  const Reply reply_;
  std::atomic<bool> done_{false};
};

}  // namespace eddy::broker::internal
