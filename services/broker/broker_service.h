// BrokerService is the broker's gRPC face (proto/eddy/v1/broker.proto), a thin adapter over the
// ReplicaManager and its Partitions:
//   Data          one long-lived bidirectional stream per gateway; every DataRequest is handled as
//                 it arrives and answered by id when done (answers may overtake each other):
//                 produce (acks=all answers once committed), fetch (long-poll on max_wait_ms /
//                 min_bytes), list_offsets, delete_records, offset_for_leader_epoch,
//                 describe_log_dirs.
//   ReplicaFetch  one stream per follower broker; each FetchRequest is a follower fetch of many
//                 partitions, long-polled like a consumer fetch but read up to the log end.
// Kafka errors are response data (per partition); the streams themselves only fail on transport
// errors. The service is registered before the daemon's server starts and bound to the replica
// manager once that exists; streams opened before are refused with UNAVAILABLE (retry).
#pragma once

#include <atomic>
#include <string>

#include "libs/common/clock.h"
#include "proto/eddy/v1/broker.grpc.pb.h"
#include "services/broker/broker_metrics.h"
#include "services/broker/internal/stream_reactor.h"
#include "services/broker/replica_manager.h"

namespace eddy::broker {

struct BrokerServiceOptions {
  // Used for a produce request with no (or a negative) timeout_ms: Kafka's request.timeout.ms.
  absl::Duration default_produce_timeout = absl::Seconds(30);
  // fetch.max.bytes: the response cap when a fetch asks for none. Default 50 MiB (Kafka).
  int32_t default_fetch_max_bytes = 50 << 20;
  // The cap on a fetch's max_wait_ms (a client cannot park a request for longer).
  absl::Duration max_fetch_wait = absl::Seconds(30);
};

class BrokerService final : public eddy::v1::Broker::CallbackService {
 public:
  BrokerService(common::Clock& clock, BrokerServiceOptions options = {});

  // Bind connects the service to its backend. REQUIRES: called once; both outlive the service's
  // streams (the daemon stops the server before destroying them).
  void Bind(ReplicaManager* replicas, BrokerMetrics* metrics);

  grpc::ServerBidiReactor<eddy::v1::DataRequest, eddy::v1::DataResponse>* Data(
      grpc::CallbackServerContext* context) override;
  grpc::ServerBidiReactor<eddy::v1::FetchRequest, eddy::v1::FetchResponse>* ReplicaFetch(
      grpc::CallbackServerContext* context) override;

 private:
  void HandleData(ReplicaManager& replicas, BrokerMetrics* metrics, eddy::v1::DataRequest& request,
                  std::shared_ptr<internal::Outbox<eddy::v1::DataResponse>> outbox);

  std::atomic<ReplicaManager*> replicas_{nullptr};
  std::atomic<BrokerMetrics*> metrics_{nullptr};
  common::Clock& clock_;
  const BrokerServiceOptions options_;
};

}  // namespace eddy::broker
