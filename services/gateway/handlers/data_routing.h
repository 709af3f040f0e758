// Shared plumbing of the data-path handlers (Produce, Fetch, ListOffsets, DeleteRecords,
// OffsetForLeaderEpoch, DescribeLogDirs): find each partition's leader broker, build one
// DataRequest per broker, send them all, and hand the handler every answer at once so it can merge
// them back in the client's order (PartitionFanOut does all of it for the per-partition requests).
// Routing failures become the retriable Kafka errors that make clients refresh metadata
// (UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER); a broker that did not
// answer in time is REQUEST_TIMED_OUT.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/error_codes.h"
#include "proto/eddy/v1/broker.pb.h"
#include "services/runtime/broker_data_path.h"
#include "services/gateway/cluster_view.h"
#include "services/gateway/handlers/handler.h"

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

// PartitionFanOut answers a per-partition request (ListOffsets, DeleteRecords,
// OffsetForLeaderEpoch) through the partitions' leaders. The handler lays out the response in the
// client's order and Route()s each partition with its slot there; Send() asks each leader once and
// fills every slot from the leaders' results. A slot no result covers gets its broker call's error
// (DataPathErrorFor), or NOT_LEADER_OR_FOLLOWER when the broker answered without it. `Response`
// is a Kafka response with topics[].partitions[].error_code.
template <typename Response>
class PartitionFanOut {
 public:
  using Out = typename decltype(decltype(Response::topics)::value_type::partitions)::value_type;

  explicit PartitionFanOut(std::shared_ptr<const ClusterView> view)
      : view_(std::move(view)), response_(std::make_shared<Response>()) {}

  // The response to lay out. Slots must keep their addresses until Send (reserve the vectors).
  Response& response() { return *response_; }

  // Route returns the DataRequest to `topic`/`partition`'s leader, for the handler to add the
  // partition to (naming it with ProtoPartition(*topic_view, partition)); or nullptr after setting
  // out.error_code to the routing error, or INVALID_REQUEST for a partition already routed.
  eddy::v1::DataRequest* Route(std::string_view topic, int32_t partition, Out& out,
                               const TopicView*& topic_view) {
    LeaderRoute route = RouteToLeader(*view_, topic, partition);
    if (route.error != 0) {
      out.error_code = route.error;
      return nullptr;
    }
    if (!slots_.emplace(PartitionKey(topic, partition), Slot{&out, route.broker->id}).second) {
      out.error_code = kafka::ToInt(kafka::ErrorCode::kInvalidRequest);
      return nullptr;
    }
    BrokerBatch& batch = batches_[route.broker->id];
    if (batch.target.empty()) batch.target = route.broker->grpc_target;
    topic_view = route.topic;
    return &batch.request;
  }

  // Send sends the leaders' requests and answers the client once all are back: `results_of(answer)`
  // is the answer's repeated per-partition results (nullptr for an answer of another kind), and
  // `fill(result, out)` copies a result's fields besides error_code into its slot.
  template <typename ResultsOf, typename Fill>
  void Send(runtime::BrokerDataPath& brokers, absl::Duration timeout, Responder responder,
            ResultsOf results_of, Fill fill) && {
    ScatterGather(brokers, std::move(batches_), timeout,
                  [response = std::move(response_), slots = std::move(slots_), responder,
                   results_of, fill](BrokerAnswers answers) mutable {
                    for (auto& [broker, answer] : answers) {
                      if (!answer.ok()) continue;
                      const auto* results = results_of(*answer);
                      if (results == nullptr) continue;
                      for (const auto& result : *results) {
                        auto it = slots.find(PartitionKey(result.partition().topic(),
                                                          result.partition().partition()));
                        if (it == slots.end() || it->second.out == nullptr) continue;
                        it->second.out->error_code = static_cast<int16_t>(result.error_code());
                        fill(result, *it->second.out);
                        it->second.out = nullptr;
                      }
                    }
                    for (auto& [key, slot] : slots) {
                      if (slot.out == nullptr) continue;
                      const absl::StatusOr<eddy::v1::DataResponse>& answer =
                          answers.at(slot.broker);
                      slot.out->error_code =
                          answer.ok() ? kafka::ToInt(kafka::ErrorCode::kNotLeaderOrFollower)
                                      : DataPathErrorFor(answer.status());
                    }
                    for (const auto& topic : response->topics) {
                      for (const auto& p : topic.partitions) responder.Error(p.error_code);
                    }
                    responder.Respond(*response);
                  });
  }

 private:
  struct Slot {
    Out* out;  // nullptr once filled
    int32_t broker;
  };

  std::shared_ptr<const ClusterView> view_;
  std::shared_ptr<Response> response_;
  std::map<PartitionKey, Slot> slots_;
  std::map<int32_t, BrokerBatch> batches_;
};

}  // namespace eddy::gateway
