#include "services/coordinator/internal/responses.h"

#include "libs/kafka/consumer_protocol.h"

namespace eddy::coordinator::internal {

eddy::v1::JoinGroupResponse JoinError(const std::string& member_id, kafka::ErrorCode code) {
  eddy::v1::JoinGroupResponse response;
  response.set_error_code(Code(code));
  response.set_generation_id(-1);
  response.set_member_id(member_id);
  return response;
}

eddy::v1::SyncGroupResponse SyncError(kafka::ErrorCode code) {
  eddy::v1::SyncGroupResponse response;
  response.set_error_code(Code(code));
  return response;
}

std::optional<std::set<std::string>> SubscribedTopics(const Group& group) {
  if (!group.IsConsumerGroup()) return std::nullopt;
  std::set<std::string> topics;
  if (group.members.empty()) return topics;
  if (!group.protocol_name) return std::nullopt;
  for (const auto& [id, member] : group.members) {
    auto subscription = kafka::DecodeSubscription(member.Metadata(*group.protocol_name));
    if (!subscription.ok()) return std::nullopt;
    topics.insert(subscription->value.topics.begin(), subscription->value.topics.end());
  }
  return topics;
}

}  // namespace eddy::coordinator::internal
