// ListOffsets (key 2): offsets by timestamp (-1 latest, -2 earliest, -3 max timestamp) from each
// partition's leader, one DataRequest per broker.
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/list_offsets.h"
#include "services/gateway/handlers/data_routing.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {

absl::Status HandleListOffsets(GatewayContext& context, ClientInfo&,
                               const kafka::RequestHeader& header, kafka::Reader& body,
                               Responder responder) {
  using PartitionResponse = kafka::ListOffsetsResponse::ListOffsetsPartitionResponse;
  absl::StatusOr<kafka::ListOffsetsRequest> request =
      DecodeBody<kafka::ListOffsetsRequest>(header, body);
  if (!request.ok()) return request.status();
  struct Routed {
    PartitionResponse* out;
    int32_t broker;
  };
  kafka::ListOffsetsResponse response;
  std::map<PartitionKey, Routed> routed;
  std::map<int32_t, BrokerBatch> batches;
  std::shared_ptr<const ClusterView> view = context.metadata->Current();
  response.topics.reserve(request->topics.size());
  for (const auto& topic : request->topics) {
    auto& out_topic = response.topics.emplace_back();
    out_topic.name = topic.name;
    out_topic.partitions.reserve(topic.partitions.size());
    for (const auto& partition : topic.partitions) {
      PartitionResponse& out = out_topic.partitions.emplace_back();
      out.partition_index = partition.partition_index;
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
        batch.request.mutable_list_offsets()->set_isolation_level(request->isolation_level);
      }
      auto* p = batch.request.mutable_list_offsets()->add_partitions();
      *p->mutable_partition() = ProtoPartition(*route.topic, partition.partition_index);
      p->set_timestamp(partition.timestamp);
      p->set_current_leader_epoch(partition.current_leader_epoch);
    }
  }
  auto shared = std::make_shared<kafka::ListOffsetsResponse>(std::move(response));
  ScatterGather(
      *context.brokers, std::move(batches), context.InternalTimeout(),
      [shared, routed = std::move(routed), responder,
       version = header.api_version](BrokerAnswers answers) mutable {
        for (auto& [broker, answer] : answers) {
          if (!answer.ok() || !answer->has_list_offsets()) continue;
          for (const auto& r : answer->list_offsets().results()) {
            auto it = routed.find(PartitionKey(r.partition().topic(), r.partition().partition()));
            if (it == routed.end() || it->second.out == nullptr) continue;
            PartitionResponse& out = *it->second.out;
            out.error_code = static_cast<int16_t>(r.error_code());
            out.timestamp = r.timestamp();
            out.offset = r.offset();
            // leader_epoch exists from v4 and may not be dropped below it.
            if (version >= 4) out.leader_epoch = r.leader_epoch();
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
