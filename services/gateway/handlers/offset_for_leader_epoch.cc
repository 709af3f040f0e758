// OffsetForLeaderEpoch (key 23): consumers ask the leader where an epoch ended (KIP-320) to detect
// log truncation after a leader change.
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/offset_for_leader_epoch.h"
#include "services/gateway/handlers/data_routing.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {

absl::Status HandleOffsetForLeaderEpoch(GatewayContext& context, ClientInfo&,
                                        const kafka::RequestHeader& header, kafka::Reader& body,
                                        Responder responder) {
  using EpochEndOffset = kafka::OffsetForLeaderEpochResponse::EpochEndOffset;
  absl::StatusOr<kafka::OffsetForLeaderEpochRequest> request =
      DecodeBody<kafka::OffsetForLeaderEpochRequest>(header, body);
  if (!request.ok()) return request.status();
  struct Routed {
    EpochEndOffset* out;
    int32_t broker;
  };
  kafka::OffsetForLeaderEpochResponse response;
  std::map<PartitionKey, Routed> routed;
  std::map<int32_t, BrokerBatch> batches;
  std::shared_ptr<const ClusterView> view = context.metadata->Current();
  response.topics.reserve(request->topics.size());
  for (const auto& topic : request->topics) {
    auto& out_topic = response.topics.emplace_back();
    out_topic.topic = topic.topic;
    out_topic.partitions.reserve(topic.partitions.size());
    for (const auto& partition : topic.partitions) {
      EpochEndOffset& out = out_topic.partitions.emplace_back();
      out.partition = partition.partition;
      LeaderRoute route = RouteToLeader(*view, topic.topic, partition.partition);
      if (route.error != 0) {
        out.error_code = route.error;
        continue;
      }
      if (!routed.emplace(PartitionKey(topic.topic, partition.partition),
                          Routed{&out, route.broker->id})
               .second) {
        out.error_code = kafka::ToInt(kafka::ErrorCode::kInvalidRequest);
        continue;
      }
      BrokerBatch& batch = batches[route.broker->id];
      if (batch.target.empty()) {
        batch.target = route.broker->grpc_target;
        batch.request.mutable_offset_for_leader_epoch()->set_replica_id(-1);
      }
      auto* p = batch.request.mutable_offset_for_leader_epoch()->add_partitions();
      *p->mutable_partition() = ProtoPartition(*route.topic, partition.partition);
      p->set_current_leader_epoch(partition.current_leader_epoch);
      p->set_leader_epoch(partition.leader_epoch);
    }
  }
  auto shared = std::make_shared<kafka::OffsetForLeaderEpochResponse>(std::move(response));
  ScatterGather(
      *context.brokers, std::move(batches), context.InternalTimeout(),
      [shared, routed = std::move(routed), responder](BrokerAnswers answers) mutable {
        for (auto& [broker, answer] : answers) {
          if (!answer.ok() || !answer->has_offset_for_leader_epoch()) continue;
          for (const auto& r : answer->offset_for_leader_epoch().results()) {
            auto it = routed.find(PartitionKey(r.partition().topic(), r.partition().partition()));
            if (it == routed.end() || it->second.out == nullptr) continue;
            it->second.out->error_code = static_cast<int16_t>(r.error_code());
            it->second.out->leader_epoch = r.leader_epoch();
            it->second.out->end_offset = r.end_offset();
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
