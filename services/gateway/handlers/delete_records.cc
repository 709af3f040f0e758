// DeleteRecords (key 21): moves each partition's log start offset, at its leader.
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/delete_records.h"
#include "services/gateway/handlers/data_routing.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {

absl::Status HandleDeleteRecords(GatewayContext& context, ClientInfo&,
                                 const kafka::RequestHeader& header, kafka::Reader& body,
                                 Responder responder) {
  using PartitionResult = kafka::DeleteRecordsResponse::DeleteRecordsPartitionResult;
  absl::StatusOr<kafka::DeleteRecordsRequest> request =
      DecodeBody<kafka::DeleteRecordsRequest>(header, body);
  if (!request.ok()) return request.status();
  struct Routed {
    PartitionResult* out;
    int32_t broker;
  };
  kafka::DeleteRecordsResponse response;
  std::map<PartitionKey, Routed> routed;
  std::map<int32_t, BrokerBatch> batches;
  std::shared_ptr<const ClusterView> view = context.metadata->Current();
  response.topics.reserve(request->topics.size());
  for (const auto& topic : request->topics) {
    auto& out_topic = response.topics.emplace_back();
    out_topic.name = topic.name;
    out_topic.partitions.reserve(topic.partitions.size());
    for (const auto& partition : topic.partitions) {
      PartitionResult& out = out_topic.partitions.emplace_back();
      out.partition_index = partition.partition_index;
      out.low_watermark = -1;
      LeaderRoute route = RouteToLeader(*view, topic.name, partition.partition_index);
      if (route.error != 0) {
        out.error_code = route.error;
        continue;
      }
      if (!routed.emplace(PartitionKey(topic.name, partition.partition_index),
                          Routed{&out, route.broker->id})
               .second) {
        out.error_code = kafka::ToInt(kafka::ErrorCode::kInvalidRequest);
        continue;
      }
      BrokerBatch& batch = batches[route.broker->id];
      if (batch.target.empty()) {
        batch.target = route.broker->grpc_target;
        batch.request.mutable_delete_records()->set_timeout_ms(request->timeout_ms);
      }
      auto* p = batch.request.mutable_delete_records()->add_partitions();
      *p->mutable_partition() = ProtoPartition(*route.topic, partition.partition_index);
      p->set_offset(partition.offset);
    }
  }
  const absl::Duration timeout =
      absl::Milliseconds(std::max(request->timeout_ms, 0)) + absl::Seconds(5);
  auto shared = std::make_shared<kafka::DeleteRecordsResponse>(std::move(response));
  ScatterGather(
      *context.brokers, std::move(batches), timeout,
      [shared, routed = std::move(routed), responder](BrokerAnswers answers) mutable {
        for (auto& [broker, answer] : answers) {
          if (!answer.ok() || !answer->has_delete_records()) continue;
          for (const auto& r : answer->delete_records().results()) {
            auto it = routed.find(PartitionKey(r.partition().topic(), r.partition().partition()));
            if (it == routed.end() || it->second.out == nullptr) continue;
            it->second.out->error_code = static_cast<int16_t>(r.error_code());
            it->second.out->low_watermark = r.low_watermark();
            it->second.out = nullptr;
          }
        }
        for (auto& [key, slot] : routed) {
          if (slot.out == nullptr) continue;
          const absl::StatusOr<eddy::v1::DataResponse>& answer = answers.at(slot.broker);
          slot.out->error_code = answer.ok() ? kafka::ToInt(kafka::ErrorCode::kNotLeaderOrFollower)
                                             : DataPathErrorFor(answer.status());
        }
        for (const auto& topic : shared->topics) {
          for (const auto& p : topic.partitions) responder.Error(p.error_code);
        }
        responder.Respond(*shared);
      });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
