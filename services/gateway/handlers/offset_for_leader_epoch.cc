// OffsetForLeaderEpoch (key 23): consumers ask the leader where an epoch ended (KIP-320) to detect
// log truncation after a leader change.
#include "libs/kafka/messages/offset_for_leader_epoch.h"
#include "services/gateway/handlers/data_routing.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {

absl::Status HandleOffsetForLeaderEpoch(GatewayContext& context, ClientInfo&,
                                        const kafka::RequestHeader& header, kafka::Reader& body,
                                        Responder responder) {
  absl::StatusOr<kafka::OffsetForLeaderEpochRequest> request =
      DecodeBody<kafka::OffsetForLeaderEpochRequest>(header, body);
  if (!request.ok()) return request.status();
  PartitionFanOut<kafka::OffsetForLeaderEpochResponse> fan_out(context.metadata->Current());
  auto& topics = fan_out.response().topics;
  topics.reserve(request->topics.size());
  for (const auto& topic : request->topics) {
    auto& out_topic = topics.emplace_back();
    out_topic.topic = topic.topic;
    out_topic.partitions.reserve(topic.partitions.size());
    for (const auto& partition : topic.partitions) {
      auto& out = out_topic.partitions.emplace_back();
      out.partition = partition.partition;
      const TopicView* topic_view = nullptr;
      eddy::v1::DataRequest* to_leader =
          fan_out.Route(topic.topic, partition.partition, out, topic_view);
      if (to_leader == nullptr) continue;
      to_leader->mutable_offset_for_leader_epoch()->set_replica_id(-1);
      auto* p = to_leader->mutable_offset_for_leader_epoch()->add_partitions();
      *p->mutable_partition() = ProtoPartition(*topic_view, partition.partition);
      p->set_current_leader_epoch(partition.current_leader_epoch);
      p->set_leader_epoch(partition.leader_epoch);
    }
  }
  std::move(fan_out).Send(
      *context.brokers, context.InternalTimeout(), responder,
      [](const eddy::v1::DataResponse& answer) {
        return answer.has_offset_for_leader_epoch() ? &answer.offset_for_leader_epoch().results()
                                                    : nullptr;
      },
      [](const eddy::v1::OffsetForLeaderEpochPartitionResult& result,
         kafka::OffsetForLeaderEpochResponse::EpochEndOffset& out) {
        out.leader_epoch = result.leader_epoch();
        out.end_offset = result.end_offset();
      });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
