// ListOffsets (key 2): offsets by timestamp (-1 latest, -2 earliest, -3 max timestamp) from each
// partition's leader, one DataRequest per broker.
#include "libs/kafka/messages/list_offsets.h"
#include "services/gateway/handlers/data_routing.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {

absl::Status HandleListOffsets(GatewayContext& context, ClientInfo&,
                               const kafka::RequestHeader& header, kafka::Reader& body,
                               Responder responder) {
  absl::StatusOr<kafka::ListOffsetsRequest> request =
      DecodeBody<kafka::ListOffsetsRequest>(header, body);
  if (!request.ok()) return request.status();
  PartitionFanOut<kafka::ListOffsetsResponse> fan_out(context.metadata->Current());
  auto& topics = fan_out.response().topics;
  topics.reserve(request->topics.size());
  for (const auto& topic : request->topics) {
    auto& out_topic = topics.emplace_back();
    out_topic.name = topic.name;
    out_topic.partitions.reserve(topic.partitions.size());
    for (const auto& partition : topic.partitions) {
      auto& out = out_topic.partitions.emplace_back();
      out.partition_index = partition.partition_index;
      const TopicView* topic_view = nullptr;
      eddy::v1::DataRequest* to_leader =
          fan_out.Route(topic.name, partition.partition_index, out, topic_view);
      if (to_leader == nullptr) continue;
      to_leader->mutable_list_offsets()->set_isolation_level(request->isolation_level);
      auto* p = to_leader->mutable_list_offsets()->add_partitions();
      *p->mutable_partition() = ProtoPartition(*topic_view, partition.partition_index);
      p->set_timestamp(partition.timestamp);
      p->set_current_leader_epoch(partition.current_leader_epoch);
    }
  }
  std::move(fan_out).Send(
      *context.brokers, context.InternalTimeout(), responder,
      [](const eddy::v1::DataResponse& answer) {
        return answer.has_list_offsets() ? &answer.list_offsets().results() : nullptr;
      },
      [version = header.api_version](
          const eddy::v1::ListOffsetsPartitionResult& result,
          kafka::ListOffsetsResponse::ListOffsetsPartitionResponse& out) {
        out.timestamp = result.timestamp();
        out.offset = result.offset();
        // leader_epoch exists from v4 and may not be dropped below it.
        if (version >= 4) out.leader_epoch = result.leader_epoch();
      });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
