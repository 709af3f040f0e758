// DeleteRecords (key 21): moves each partition's log start offset, at its leader.
#include <algorithm>

#include "libs/kafka/messages/delete_records.h"
#include "services/gateway/handlers/data_routing.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {

absl::Status HandleDeleteRecords(GatewayContext& context, ClientInfo&,
                                 const kafka::RequestHeader& header, kafka::Reader& body,
                                 Responder responder) {
  absl::StatusOr<kafka::DeleteRecordsRequest> request =
      DecodeBody<kafka::DeleteRecordsRequest>(header, body);
  if (!request.ok()) return request.status();
  PartitionFanOut<kafka::DeleteRecordsResponse> fan_out(context.metadata->Current());
  auto& topics = fan_out.response().topics;
  topics.reserve(request->topics.size());
  for (const auto& topic : request->topics) {
    auto& out_topic = topics.emplace_back();
    out_topic.name = topic.name;
    out_topic.partitions.reserve(topic.partitions.size());
    for (const auto& partition : topic.partitions) {
      auto& out = out_topic.partitions.emplace_back();
      out.partition_index = partition.partition_index;
      out.low_watermark = -1;
      const TopicView* topic_view = nullptr;
      eddy::v1::DataRequest* to_leader =
          fan_out.Route(topic.name, partition.partition_index, out, topic_view);
      if (to_leader == nullptr) continue;
      to_leader->mutable_delete_records()->set_timeout_ms(request->timeout_ms);
      auto* p = to_leader->mutable_delete_records()->add_partitions();
      *p->mutable_partition() = ProtoPartition(*topic_view, partition.partition_index);
      p->set_offset(partition.offset);
    }
  }
  const absl::Duration timeout =
      absl::Milliseconds(std::max(request->timeout_ms, 0)) + absl::Seconds(5);
  std::move(fan_out).Send(
      *context.brokers, timeout, responder,
      [](const eddy::v1::DataResponse& answer) {
        return answer.has_delete_records() ? &answer.delete_records().results() : nullptr;
      },
      [](const eddy::v1::DeleteRecordsPartitionResult& result,
         kafka::DeleteRecordsResponse::DeleteRecordsPartitionResult& out) {
        out.low_watermark = result.low_watermark();
      });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
