// OffsetDelete (key 47), forwarded to the group's coordinator (GROUP_SUBSCRIBED_TO_TOPIC,
// NON_EMPTY_GROUP and GROUP_ID_NOT_FOUND are its answers).
#include "libs/kafka/messages/offset_delete.h"
#include "services/gateway/handlers/group_forwarding.h"

namespace eddy::gateway {

absl::Status HandleOffsetDelete(GatewayContext& context, ClientInfo&,
                                const kafka::RequestHeader& header, kafka::Reader& body,
                                Responder responder) {
  absl::StatusOr<kafka::OffsetDeleteRequest> request =
      DecodeBody<kafka::OffsetDeleteRequest>(header, body);
  if (!request.ok()) return request.status();
  eddy::v1::OffsetDeleteRequest call;
  call.set_group_id(request->group_id);
  for (const auto& topic : request->topics) {
    for (const auto& partition : topic.partitions) {
      eddy::v1::TopicPartition* p = call.add_partitions();
      p->set_topic(topic.name);
      p->set_partition(partition.partition_index);
    }
  }
  auto topics = std::make_shared<std::vector<kafka::OffsetDeleteRequest::OffsetDeleteRequestTopic>>(
      std::move(request->topics));
  ForwardToGroupCoordinator<eddy::v1::OffsetDeleteRequest, eddy::v1::OffsetDeleteResponse>(
      context, request->group_id, &CoordinatorCalls::Stub::async_interface::OffsetDelete,
      std::move(call), context.InternalTimeout(),
      [responder, topics](int16_t error, eddy::v1::OffsetDeleteResponse answer) {
        kafka::OffsetDeleteResponse response;
        response.error_code = error != 0 ? error : static_cast<int16_t>(answer.error_code());
        responder.Error(response.error_code);
        if (response.error_code == 0) {
          const PartitionErrorCodes errors(answer.results());
          for (const auto& topic : *topics) {
            kafka::OffsetDeleteResponse::OffsetDeleteResponseTopic out;
            out.name = topic.name;
            for (const auto& partition : topic.partitions) {
              const int16_t code = errors.Code(topic.name, partition.partition_index);
              responder.Error(code);
              out.partitions.push_back({.partition_index = partition.partition_index,
                                        .error_code = code});
            }
            response.topics.push_back(std::move(out));
          }
        }
        responder.Respond(response);
      });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
