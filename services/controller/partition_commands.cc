#include "services/controller/partition_commands.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/controller/broker_lifecycle.h"
#include "services/controller/metadata_records.h"
#include "services/controller/partition_change.h"

namespace eddy::controller {
namespace {

using kafka::ErrorCode;

ApiError CheckNewIsr(const MetadataImage& image, const PartitionState& partition,
                     const std::vector<BrokerId>& isr, const std::string& name) {
  std::set<BrokerId> seen;
  for (BrokerId b : isr) {
    if (!Contains(partition.replicas, b) || !seen.insert(b).second) {
      return ApiError(ErrorCode::kInvalidRequest,
                      absl::StrCat("Invalid ISR ", FormatBrokerIds(isr), " for ", name,
                                   ": members must be distinct replicas of ",
                                   FormatBrokerIds(partition.replicas)));
    }
  }
  if (!Contains(isr, partition.leader)) {
    return ApiError(ErrorCode::kInvalidRequest,
                    absl::StrCat("Invalid ISR ", FormatBrokerIds(isr), " for ", name,
                                 ": it must include the leader ", partition.leader.value()));
  }
  std::vector<BrokerId> ineligible;
  for (BrokerId b : isr) {
    if (!image.IsUsable(b)) ineligible.push_back(b);
  }
  if (!ineligible.empty()) {
    return ApiError(ErrorCode::kIneligibleReplica,
                    absl::StrCat("Rejected ISR ", FormatBrokerIds(isr), " for ", name,
                                 " because it includes fenced or shutting-down replicas ",
                                 FormatBrokerIds(ineligible)));
  }
  return ApiError();
}

// ElectOne runs one ElectLeaders election and appends its record.
ApiError ElectOne(const MetadataImage& image, const TopicState& topic, int32_t index,
                  ElectionType type, std::vector<eddy::v1::MetadataRecord>& records) {
  auto it = topic.partitions.find(index);
  if (it == topic.partitions.end()) {
    return ApiError(ErrorCode::kUnknownTopicOrPartition,
                    absl::StrCat("No such partition as ", topic.name, "-", index));
  }
  const PartitionState& partition = it->second;
  if (type == ElectionType::kPreferred && partition.leader == partition.PreferredLeader()) {
    return ApiError(ErrorCode::kElectionNotNeeded);
  }
  if (type == ElectionType::kUnclean && partition.HasLeader()) {
    return ApiError(ErrorCode::kElectionNotNeeded);
  }
  PartitionChangeRequest request;
  request.election = type == ElectionType::kPreferred ? Election::kPreferred : Election::kUnclean;
  std::optional<PartitionChange> change =
      BuildPartitionChange(topic.id, index, partition, request, ContextFor(image, topic));
  if (!change || !change->record.has_leader()) {
    return type == ElectionType::kPreferred ? ApiError(ErrorCode::kPreferredLeaderNotAvailable)
                                            : ApiError(ErrorCode::kEligibleLeadersNotAvailable);
  }
  records.push_back(Wrap(std::move(change->record)));
  return ApiError();
}

}  // namespace

ControllerResult<AlterPartitionResult> AlterPartition(
    const MetadataImage& image, const eddy::v1::AlterPartitionRequest& request) {
  ControllerResult<AlterPartitionResult> result;
  ApiError& error = result.response.error;
  error =
      CheckBrokerEpoch(image, BrokerId(request.broker_id()), BrokerEpoch(request.broker_epoch()));
  if (!error.ok()) return result;

  const TopicState* topic = nullptr;
  const eddy::v1::TopicPartition& tp = request.partition();
  if (!tp.topic_id().value().empty()) {
    absl::StatusOr<common::Uuid> id = TopicIdFromProto(tp.topic_id());
    if (id.ok()) topic = image.FindTopic(*id);
    if (topic == nullptr) {
      error = ApiError(ErrorCode::kUnknownTopicId);
      return result;
    }
  } else {
    topic = image.FindTopicByName(tp.topic());
  }
  const PartitionState* partition = nullptr;
  if (topic != nullptr) {
    auto it = topic->partitions.find(tp.partition());
    if (it != topic->partitions.end()) partition = &it->second;
  }
  if (partition == nullptr) {
    error = ApiError(ErrorCode::kUnknownTopicOrPartition);
    return result;
  }
  result.response.partition = *partition;
  const std::string name = absl::StrCat(topic->name, "-", tp.partition());
  if (request.leader_epoch() != partition->leader_epoch.value()) {
    error = ApiError(
        ErrorCode::kFencedLeaderEpoch,
        absl::StrCat("Leader epoch ", request.leader_epoch(), " of ", name,
                     " does not match the current leader epoch ", partition->leader_epoch.value()));
    return result;
  }
  if (request.broker_id() != partition->leader.value()) {
    error = ApiError(ErrorCode::kNotLeaderOrFollower,
                     absl::StrCat("Broker ", request.broker_id(), " is not the leader of ", name,
                                  "; the leader is ", partition->leader.value()));
    return result;
  }
  if (request.partition_epoch() != partition->partition_epoch.value()) {
    error = ApiError(ErrorCode::kInvalidUpdateVersion,
                     absl::StrCat("Partition epoch ", request.partition_epoch(), " of ", name,
                                  " is stale; the current partition epoch is ",
                                  partition->partition_epoch.value()));
    return result;
  }
  std::vector<BrokerId> new_isr = BrokerIdsFromProto(request.new_isr());
  error = CheckNewIsr(image, *partition, new_isr, name);
  if (!error.ok()) return result;

  PartitionChangeRequest change_request;
  change_request.target_isr = std::move(new_isr);
  std::optional<PartitionChange> change = BuildPartitionChange(
      topic->id, tp.partition(), *partition, change_request, ContextFor(image, *topic));
  if (change) {
    result.response.partition = change->next;
    result.records.push_back(Wrap(std::move(change->record)));
  }
  return result;
}

ControllerResult<std::vector<PartitionResult>> ElectLeaders(const MetadataImage& image,
                                                            const ElectLeadersRequest& request) {
  ControllerResult<std::vector<PartitionResult>> result;
  auto elect = [&](const std::string& name, int32_t index) {
    const TopicState* topic = image.FindTopicByName(name);
    ApiError error =
        topic == nullptr
            ? ApiError(ErrorCode::kUnknownTopicOrPartition, absl::StrCat("No such topic as ", name))
            : ElectOne(image, *topic, index, request.type, result.records);
    result.response.push_back(PartitionResult{name, index, std::move(error)});
  };
  if (!request.topic_partitions) {
    for (const auto& [name, id] : image.topics_by_name()) {
      for (const auto& [index, partition] : image.FindTopic(id)->partitions) elect(name, index);
    }
    return result;
  }
  for (const TopicPartitions& tp : *request.topic_partitions) {
    for (int32_t index : tp.partitions) elect(tp.topic, index);
  }
  return result;
}

ControllerResult<std::vector<PartitionResult>> RebalancePreferredLeaders(
    const MetadataImage& image, const RebalanceOptions& options) {
  struct Load {
    int64_t preferred = 0;
    std::vector<std::pair<const TopicState*, int32_t>> not_led;
  };
  std::map<BrokerId, Load> loads;
  for (const auto& [name, id] : image.topics_by_name()) {
    const TopicState* topic = image.FindTopic(id);
    for (const auto& [index, partition] : topic->partitions) {
      const BrokerId preferred = partition.PreferredLeader();
      Load& load = loads[preferred];
      ++load.preferred;
      if (partition.leader != preferred && Contains(partition.isr, preferred) &&
          image.IsUsable(preferred)) {
        load.not_led.emplace_back(topic, index);
      }
    }
  }
  ControllerResult<std::vector<PartitionResult>> result;
  for (const auto& [broker, load] : loads) {
    if (load.not_led.empty() || static_cast<int64_t>(load.not_led.size()) * 100 <=
                                    load.preferred * options.imbalance_percentage) {
      continue;
    }
    for (const auto& [topic, index] : load.not_led) {
      if (result.response.size() >= options.max_elections) return result;
      ApiError error = ElectOne(image, *topic, index, ElectionType::kPreferred, result.records);
      result.response.push_back(PartitionResult{topic->name, index, std::move(error)});
    }
  }
  return result;
}

}  // namespace eddy::controller
