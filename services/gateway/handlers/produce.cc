// Produce (key 0): each partition's record batches go, as the client's bytes, to its leader broker;
// one DataRequest per broker; results merged back in the client's order. acks=0 gets no response
// (kafka-protocol.md §2.1). Versions below 3 (legacy message sets) are refused by the dispatcher.
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/produce.h"
#include "services/gateway/handlers/data_routing.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {
namespace {

using kafka::ErrorCode;
using kafka::ToInt;
using PartitionResponse = kafka::ProduceResponse::PartitionProduceResponse;

// The broker enforces the client's timeout_ms for acks=all; the gateway gives it this much more
// before answering REQUEST_TIMED_OUT itself.
constexpr absl::Duration kBrokerGrace = absl::Seconds(5);

}  // namespace

absl::Status HandleProduce(GatewayContext& context, ClientInfo&,
                           const kafka::RequestHeader& header, kafka::Reader& body,
                           Responder responder) {
  absl::StatusOr<kafka::ProduceRequest> request = DecodeBody<kafka::ProduceRequest>(header, body);
  if (!request.ok()) return request.status();
  const bool valid_acks = request->acks == -1 || request->acks == 0 || request->acks == 1;

  // The response skeleton, in request order; partitions still routed carry kNone for now.
  kafka::ProduceResponse response;
  struct Routed {
    PartitionResponse* out;
    int32_t broker;
  };
  std::map<PartitionKey, Routed> routed;
  std::map<int32_t, BrokerBatch> batches;
  std::shared_ptr<const ClusterView> view = context.metadata->Current();
  response.responses.reserve(request->topic_data.size());
  for (auto& topic : request->topic_data) {
    auto& out_topic = response.responses.emplace_back();
    out_topic.name = topic.name;
    out_topic.partition_responses.reserve(topic.partition_data.size());
    for (auto& partition : topic.partition_data) {
      PartitionResponse& out = out_topic.partition_responses.emplace_back();
      out.index = partition.index;
      if (!valid_acks) {
        out.error_code = ToInt(ErrorCode::kInvalidRequiredAcks);
        continue;
      }
      if (!partition.records.has_value() || partition.records->empty()) {
        out.error_code = ToInt(ErrorCode::kCorruptMessage);
        continue;
      }
      LeaderRoute route = RouteToLeader(*view, topic.name, partition.index);
      if (route.error != 0) {
        out.error_code = route.error;
        continue;
      }
      if (!routed.emplace(PartitionKey(topic.name, partition.index), Routed{&out, route.broker->id})
               .second) {
        out.error_code = ToInt(ErrorCode::kInvalidRequest);
        continue;
      }
      BrokerBatch& batch = batches[route.broker->id];
      if (batch.target.empty()) {
        batch.target = route.broker->grpc_target;
        eddy::v1::ProduceRequest* produce = batch.request.mutable_produce();
        produce->set_acks(request->acks);
        produce->set_timeout_ms(request->timeout_ms);
        if (request->transactional_id.has_value()) {
          produce->set_transactional_id(*request->transactional_id);
        }
      }
      eddy::v1::ProducePartition* p = batch.request.mutable_produce()->add_partitions();
      *p->mutable_partition() = ProtoPartition(*route.topic, partition.index);
      p->set_records(std::move(*partition.records));
    }
  }
  const bool acks_zero = request->acks == 0;
  const absl::Duration timeout = absl::Milliseconds(std::max(request->timeout_ms, 0)) + kBrokerGrace;
  auto shared = std::make_shared<kafka::ProduceResponse>(std::move(response));
  ScatterGather(
      *context.brokers, std::move(batches), timeout,
      [shared, routed = std::move(routed), responder, acks_zero](BrokerAnswers answers) mutable {
        if (acks_zero) return;
        for (auto& [broker, answer] : answers) {
          if (!answer.ok() || !answer->has_produce()) continue;
          for (const auto& r : answer->produce().results()) {
            auto it = routed.find(PartitionKey(r.partition().topic(), r.partition().partition()));
            if (it == routed.end() || it->second.out == nullptr) continue;
            PartitionResponse& out = *it->second.out;
            out.error_code = static_cast<int16_t>(r.error_code());
            if (!r.error_message().empty()) out.error_message = r.error_message();
            out.base_offset = r.error_code() == 0 ? r.base_offset() : -1;
            out.log_append_time_ms = r.log_append_time_ms();
            out.log_start_offset = r.log_start_offset();
            it->second.out = nullptr;
          }
        }
        // Partitions without an answer: their broker's stream failed or left them out.
        for (auto& [key, slot] : routed) {
          if (slot.out == nullptr) continue;
          const absl::StatusOr<eddy::v1::DataResponse>& answer = answers.at(slot.broker);
          slot.out->error_code = answer.ok() ? ToInt(ErrorCode::kNotLeaderOrFollower)
                                             : DataPathErrorFor(answer.status());
          slot.out->base_offset = -1;
        }
        for (const auto& topic : shared->responses) {
          for (const auto& p : topic.partition_responses) responder.Error(p.error_code);
        }
        responder.Respond(*shared);
      });
  if (acks_zero) responder.NoResponse();
  return absl::OkStatus();
}

}  // namespace eddy::gateway
