// OffsetCommit (key 8), forwarded to the group's coordinator, which checks generation and member
// (or takes a simple consumer's commit, generation -1) and answers once the commit is durable.
// Answers come back per partition, in the request's topic and partition order.
#include "libs/kafka/messages/offset_commit.h"
#include "services/gateway/handlers/group_forwarding.h"

namespace eddy::gateway {

absl::Status HandleOffsetCommit(GatewayContext& context, ClientInfo&,
                                const kafka::RequestHeader& header, kafka::Reader& body,
                                Responder responder) {
  absl::StatusOr<kafka::OffsetCommitRequest> request =
      DecodeBody<kafka::OffsetCommitRequest>(header, body);
  if (!request.ok()) return request.status();
  eddy::v1::OffsetCommitRequest call;
  call.set_group_id(request->group_id);
  call.set_generation_id(request->generation_id_or_member_epoch);
  call.set_member_id(request->member_id);
  call.set_group_instance_id(request->group_instance_id.value_or(""));
  call.set_retention_time_ms(request->retention_time_ms);
  for (const auto& topic : request->topics) {
    for (const auto& partition : topic.partitions) {
      eddy::v1::OffsetCommitPartition* p = call.add_partitions();
      p->mutable_partition()->set_topic(topic.name);
      p->mutable_partition()->set_partition(partition.partition_index);
      p->set_committed_offset(partition.committed_offset);
      p->set_committed_leader_epoch(partition.committed_leader_epoch);
      p->set_metadata(partition.committed_metadata.value_or(""));
    }
  }
  auto topics = std::make_shared<std::vector<kafka::OffsetCommitRequest::OffsetCommitRequestTopic>>(
      std::move(request->topics));
  ForwardToGroupCoordinator<eddy::v1::OffsetCommitRequest, eddy::v1::OffsetCommitResponse>(
      context, request->group_id, &CoordinatorCalls::Stub::async_interface::OffsetCommit,
      std::move(call), context.InternalTimeout(),
      [responder, topics](int16_t error, eddy::v1::OffsetCommitResponse answer) {
        const PartitionErrorCodes errors(answer.results());
        kafka::OffsetCommitResponse response;
        for (const auto& topic : *topics) {
          kafka::OffsetCommitResponse::OffsetCommitResponseTopic out;
          out.name = topic.name;
          for (const auto& partition : topic.partitions) {
            const int16_t code =
                error != 0 ? error : errors.Code(topic.name, partition.partition_index);
            responder.Error(code);
            out.partitions.push_back({.partition_index = partition.partition_index,
                                      .error_code = code});
          }
          response.topics.push_back(std::move(out));
        }
        responder.Respond(response);
      });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
