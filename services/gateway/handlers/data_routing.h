// Shared plumbing of the data-path handlers (Produce, Fetch, ListOffsets, DeleteRecords,
// OffsetForLeaderEpoch, DescribeLogDirs): find each partition's leader broker, build one
// DataRequest per broker, send them all, and hand the handler every answer at once so it can merge
// them back in the client's order. Routing failures become the retriable Kafka errors that make
// clients refresh metadata (UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE,
// NOT_LEADER_OR_FOLLOWER); a broker that did not answer in time is REQUEST_TIMED_OUT.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/eddy/v1/broker.pb.h"
#include "services/runtime/broker_data_path.h"
#include "services/gateway/cluster_view.h"

namespace eddy::gateway {

// LeaderRoute is where a partition's request goes, or the Kafka error that stops it.
struct LeaderRoute {
  int16_t error = 0;
  const BrokerView* broker = nullptr;
  const TopicView* topic = nullptr;
};

LeaderRoute RouteToLeader(const ClusterView& view, std::string_view topic, int32_t partition);

// ProtoPartition names a partition for the broker (with its topic id).
eddy::v1::TopicPartition ProtoPartition(const TopicView& topic, int32_t partition);

// BrokerBatch is the one DataRequest a broker gets for one client request.
struct BrokerBatch {
  std::string target;
  eddy::v1::DataRequest request;
};

using BrokerAnswers = std::map<int32_t, absl::StatusOr<eddy::v1::DataResponse>>;

// ScatterGather sends every batch and calls `done` once with all answers (at once, inline, when
// `batches` is empty; else on the thread of the last answer).
void ScatterGather(runtime::BrokerDataPath& brokers, std::map<int32_t, BrokerBatch> batches,
                   absl::Duration timeout, std::function<void(BrokerAnswers)> done);

// DataPathErrorFor maps a failed broker call to the partition error clients retry on.
int16_t DataPathErrorFor(const absl::Status& status);

// PartitionKey identifies a partition in merged results.
using PartitionKey = std::pair<std::string, int32_t>;

}  // namespace eddy::gateway
