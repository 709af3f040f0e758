#include "services/controller/topic_commands.h"

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/controller/metadata_records.h"
#include "services/controller/replica_assignment.h"
#include "services/controller/topic_configs.h"
#include "services/controller/topic_names.h"

namespace eddy::controller {
namespace {

using kafka::ErrorCode;
using Assignment = std::vector<std::vector<BrokerId>>;

// NewTopicId draws a Kafka-style random id (version 4, never zero, never the metadata topic id,
// never starting with '-') that no topic uses yet.
common::Uuid NewTopicId(std::mt19937_64& random, const MetadataImage& image,
                        const std::set<common::Uuid>& taken) {
  while (true) {
    std::array<uint8_t, 16> bytes;
    for (size_t i = 0; i < bytes.size(); i += 8) {
      uint64_t word = random();
      for (size_t j = 0; j < 8; ++j) bytes[i + j] = static_cast<uint8_t>(word >> (8 * j));
    }
    bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);
    common::Uuid id = common::Uuid::FromBytes(bytes);
    if (id.IsZero() || id == common::Uuid::MetadataTopicId() || id.ToString().front() == '-' ||
        image.FindTopic(id) != nullptr || taken.contains(id)) {
      continue;
    }
    return id;
  }
}

std::vector<BrokerPlacement> UsablePlacements(const MetadataImage& image) {
  std::vector<BrokerPlacement> out;
  for (BrokerId id : image.UsableBrokers()) out.push_back({id, image.FindBroker(id)->rack()});
  return out;
}

// CheckManualReplicas validates one explicitly assigned replica list as KRaft's
// validateManualPartitionAssignment does; `expected_rf` is the count all lists must share.
ApiError CheckManualReplicas(const MetadataImage& image, const std::vector<BrokerId>& replicas,
                             std::optional<size_t>& expected_rf) {
  if (replicas.empty()) {
    return ApiError(ErrorCode::kInvalidReplicaAssignment,
                    "The manual partition assignment includes an empty replica list.");
  }
  std::set<BrokerId> seen;
  for (BrokerId b : replicas) {
    if (image.FindBroker(b) == nullptr) {
      return ApiError(ErrorCode::kInvalidReplicaAssignment,
                      absl::StrCat("The manual partition assignment includes broker ", b.value(),
                                   ", but no such broker is registered."));
    }
    if (!seen.insert(b).second) {
      return ApiError(ErrorCode::kInvalidReplicaAssignment,
                      absl::StrCat("The manual partition assignment includes the broker ",
                                   b.value(), " more than once."));
    }
  }
  if (expected_rf && *expected_rf != replicas.size()) {
    return ApiError(
        ErrorCode::kInvalidReplicaAssignment,
        absl::StrCat("The manual partition assignment includes a partition with ", replicas.size(),
                     " replica(s), but this is not consistent with previous "
                     "partitions, which have ",
                     *expected_rf, " replica(s)."));
  }
  expected_rf = replicas.size();
  return ApiError();
}

// NewPartition makes a new partition's state: ISR = usable replicas, led by the first of them.
std::optional<PartitionState> NewPartition(const MetadataImage& image,
                                           const std::vector<BrokerId>& replicas) {
  PartitionState p;
  p.replicas = replicas;
  for (BrokerId b : replicas) {
    if (image.IsUsable(b)) p.isr.push_back(b);
  }
  if (p.isr.empty()) return std::nullopt;
  p.leader = p.isr.front();
  return p;
}

// InternalTopicError refuses to delete an internal topic: its partitions hold every group's state.
// Kafka's brokers leave this to authorization (its kafka-topics tool refuses: "is a kafka internal
// topic and is not allowed to be marked for deletion"); Eddy has no authorizer yet, so it answers
// as Kafka's brokers answer DeleteRecords on an internal topic.
ApiError InternalTopicError(const std::string& name) {
  return ApiError(ErrorCode::kInvalidTopicException,
                  absl::StrCat("Topic ", name,
                               " is a kafka internal topic and is not allowed to be marked for "
                               "deletion."));
}

ApiError PlacementError(int32_t rf, size_t usable) {
  return ApiError(
      ErrorCode::kInvalidReplicationFactor,
      absl::StrCat("Unable to replicate the partition ", rf,
                   " time(s): The target replication factor of ", rf,
                   " cannot be reached because only ", usable, " broker(s) are registered."));
}

ApiError AllFenced(int32_t partition) {
  return ApiError(ErrorCode::kInvalidReplicaAssignment,
                  absl::StrCat("All brokers specified in the manual partition assignment for "
                               "partition ",
                               partition, " are fenced or in controlled shutdown."));
}

ApiError TooManyPartitions(int64_t count, const ControllerOptions& options) {
  return ApiError(ErrorCode::kInvalidPartitions,
                  absl::StrCat("Number of partitions ", count, " exceeds the limit of ",
                               options.max_partitions_per_topic, " per topic."));
}

// PlanTopic validates one CreatableTopic's counts and placement and returns its partitions.
ApiError PlanTopic(const MetadataImage& image, const ControllerOptions& options,
                   const eddy::v1::CreatableTopic& topic, std::mt19937_64& random,
                   std::vector<PartitionState>& partitions) {
  Assignment assignment;
  if (!topic.assignments().empty()) {
    if (topic.replication_factor() != -1) {
      return ApiError(ErrorCode::kInvalidRequest,
                      "A manual partition assignment was specified, but replication factor was "
                      "not set to -1.");
    }
    if (topic.num_partitions() != -1) {
      return ApiError(ErrorCode::kInvalidRequest,
                      "A manual partition assignment was specified, but numPartitions was not "
                      "set to -1.");
    }
    std::map<int32_t, eddy::v1::BrokerList> sorted(topic.assignments().begin(),
                                                   topic.assignments().end());
    std::optional<size_t> rf;
    int32_t expected = 0;
    for (const auto& [index, list] : sorted) {
      if (index != expected++) {
        return ApiError(ErrorCode::kInvalidReplicaAssignment,
                        "partitions should be a consecutive 0-based integer sequence");
      }
      std::vector<BrokerId> replicas = BrokerIdsFromProto(list.broker_ids());
      ApiError error = CheckManualReplicas(image, replicas, rf);
      if (!error.ok()) return error;
      assignment.push_back(std::move(replicas));
    }
  } else {
    if (topic.replication_factor() < -1 || topic.replication_factor() == 0) {
      return ApiError(ErrorCode::kInvalidReplicationFactor,
                      "Replication factor must be larger than 0, or -1 to use the default value.");
    }
    if (topic.num_partitions() < -1 || topic.num_partitions() == 0) {
      return ApiError(ErrorCode::kInvalidPartitions,
                      "Number of partitions was set to an invalid non-positive value.");
    }
    const int32_t num_partitions =
        topic.num_partitions() == -1 ? options.default_num_partitions : topic.num_partitions();
    const int32_t rf = topic.replication_factor() == -1 ? options.default_replication_factor
                                                        : topic.replication_factor();
    if (num_partitions > options.max_partitions_per_topic) {
      return TooManyPartitions(num_partitions, options);
    }
    std::vector<BrokerPlacement> brokers = UsablePlacements(image);
    if (rf > static_cast<int32_t>(brokers.size())) return PlacementError(rf, brokers.size());
    auto placed = AssignReplicas(std::move(brokers), num_partitions, rf, {.seed = random()});
    if (!placed.ok()) {
      return ApiError(ErrorCode::kInvalidReplicationFactor, std::string(placed.status().message()));
    }
    assignment = *std::move(placed);
  }
  for (size_t i = 0; i < assignment.size(); ++i) {
    std::optional<PartitionState> p = NewPartition(image, assignment[i]);
    if (!p) return AllFenced(static_cast<int32_t>(i));
    partitions.push_back(*std::move(p));
  }
  return ApiError();
}

template <typename Result>
void SetError(Result& result, const ApiError& error) {
  result.set_error_code(error.code_value());
  result.set_error_message(error.message);
}

}  // namespace

ControllerResult<eddy::v1::CreateTopicsResponse> CreateTopics(
    const MetadataImage& image, const ControllerOptions& options,
    const eddy::v1::CreateTopicsRequest& request, std::mt19937_64& random) {
  ControllerResult<eddy::v1::CreateTopicsResponse> out;
  std::map<std::string, int> mentions;
  for (const auto& topic : request.topics()) ++mentions[topic.name()];
  // Topics created earlier in this request count as existing for the later ones.
  std::map<std::string, std::string> created_by_unified_name;
  std::set<common::Uuid> created_ids;

  for (const eddy::v1::CreatableTopic& topic : request.topics()) {
    eddy::v1::TopicResult* result = out.response.add_results();
    result->set_name(topic.name());
    result->set_num_partitions(-1);
    result->set_replication_factor(-1);
    auto fail = [&](const ApiError& error) { SetError(*result, error); };

    if (mentions[topic.name()] > 1) {
      fail(ApiError(ErrorCode::kInvalidRequest, "Duplicate topic name."));
      continue;
    }
    if (std::optional<std::string> error = TopicNameError(topic.name())) {
      fail(ApiError(ErrorCode::kInvalidTopicException, *error));
      continue;
    }
    const std::string unified = UnifyCollisionChars(topic.name());
    if (image.FindTopicByName(topic.name()) != nullptr) {
      fail(ApiError(ErrorCode::kTopicAlreadyExists,
                    absl::StrCat("Topic '", topic.name(), "' already exists.")));
      continue;
    }
    std::optional<std::string> collision;
    if (auto it = created_by_unified_name.find(unified); it != created_by_unified_name.end()) {
      collision = it->second;
    } else if (HasCollisionChars(topic.name())) {
      for (const auto& [name, id] : image.topics_by_name()) {
        if (UnifyCollisionChars(name) == unified) {
          collision = name;
          break;
        }
      }
    }
    if (collision) {
      fail(ApiError(
          ErrorCode::kInvalidTopicException,
          absl::StrCat("Topic '", topic.name(), "' collides with existing topic: ", *collision)));
      continue;
    }
    ConfigMap configs(topic.configs().begin(), topic.configs().end());
    if (std::optional<std::string> error =
            ValidateConfigs(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC, configs)) {
      fail(ApiError(ErrorCode::kInvalidConfig, *error));
      continue;
    }
    std::vector<PartitionState> partitions;
    if (ApiError error = PlanTopic(image, options, topic, random, partitions); !error.ok()) {
      fail(error);
      continue;
    }

    const common::Uuid id = NewTopicId(random, image, created_ids);
    created_ids.insert(id);
    created_by_unified_name.emplace(unified, topic.name());
    *result->mutable_topic_id() = TopicIdToProto(id);
    result->set_num_partitions(static_cast<int32_t>(partitions.size()));
    result->set_replication_factor(static_cast<int32_t>(partitions.front().replicas.size()));
    if (request.validate_only()) continue;

    eddy::v1::TopicRecord record;
    record.set_name(topic.name());
    *record.mutable_topic_id() = TopicIdToProto(id);
    out.records.push_back(Wrap(std::move(record)));
    for (size_t i = 0; i < partitions.size(); ++i) {
      out.records.push_back(Wrap(PartitionToRecord(id, static_cast<int32_t>(i), partitions[i])));
    }
    for (const auto& [name, value] : configs) {
      eddy::v1::ConfigRecord config;
      config.set_resource_type(eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC);
      config.set_resource_name(topic.name());
      config.set_name(name);
      config.set_value(value);
      out.records.push_back(Wrap(std::move(config)));
    }
  }
  return out;
}

ControllerResult<eddy::v1::DeleteTopicsResponse> DeleteTopics(
    const MetadataImage& image, const eddy::v1::DeleteTopicsRequest& request) {
  ControllerResult<eddy::v1::DeleteTopicsResponse> out;
  std::map<std::string, int> name_mentions;
  std::map<std::string, int> id_mentions;
  for (const std::string& name : request.names()) ++name_mentions[name];
  for (const eddy::v1::TopicId& id : request.topic_ids()) ++id_mentions[id.value()];
  std::set<common::Uuid> removed;
  auto remove = [&](const TopicState& topic, eddy::v1::TopicResult& result) {
    result.set_name(topic.name);
    *result.mutable_topic_id() = TopicIdToProto(topic.id);
    if (!removed.insert(topic.id).second) return;
    eddy::v1::RemoveTopicRecord record;
    *record.mutable_topic_id() = TopicIdToProto(topic.id);
    out.records.push_back(Wrap(std::move(record)));
  };

  for (const std::string& name : request.names()) {
    eddy::v1::TopicResult* result = out.response.add_results();
    result->set_name(name);
    const TopicState* topic = image.FindTopicByName(name);
    if (name_mentions[name] > 1) {
      SetError(*result, ApiError(ErrorCode::kInvalidRequest, "Duplicate topic name."));
    } else if (topic == nullptr) {
      SetError(*result, ApiError(ErrorCode::kUnknownTopicOrPartition));
    } else if (IsInternalTopic(topic->name)) {
      SetError(*result, InternalTopicError(topic->name));
    } else {
      remove(*topic, *result);
    }
  }
  for (const eddy::v1::TopicId& proto_id : request.topic_ids()) {
    eddy::v1::TopicResult* result = out.response.add_results();
    *result->mutable_topic_id() = proto_id;
    absl::StatusOr<common::Uuid> id = TopicIdFromProto(proto_id);
    const TopicState* topic = id.ok() ? image.FindTopic(*id) : nullptr;
    if (id_mentions[proto_id.value()] > 1) {
      SetError(*result, ApiError(ErrorCode::kInvalidRequest, "Duplicate topic id."));
    } else if (!id.ok() || id->IsZero()) {
      SetError(*result, ApiError(ErrorCode::kInvalidRequest, "Invalid topic id."));
    } else if (topic == nullptr) {
      SetError(*result, ApiError(ErrorCode::kUnknownTopicId));
    } else if (IsInternalTopic(topic->name)) {
      result->set_name(topic->name);
      SetError(*result, InternalTopicError(topic->name));
    } else {
      remove(*topic, *result);
    }
  }
  return out;
}

ControllerResult<eddy::v1::CreatePartitionsResponse> CreatePartitions(
    const MetadataImage& image, const ControllerOptions& options,
    const eddy::v1::CreatePartitionsRequest& request, std::mt19937_64& random) {
  ControllerResult<eddy::v1::CreatePartitionsResponse> out;
  std::map<std::string, int> mentions;
  for (const auto& topic : request.topics()) ++mentions[topic.name()];

  for (const auto& spec : request.topics()) {
    eddy::v1::TopicResult* result = out.response.add_results();
    result->set_name(spec.name());
    auto fail = [&](const ApiError& error) { SetError(*result, error); };
    const TopicState* topic = image.FindTopicByName(spec.name());
    if (mentions[spec.name()] > 1) {
      fail(ApiError(ErrorCode::kInvalidRequest, "Duplicate topic name."));
      continue;
    }
    if (topic == nullptr || topic->partitions.empty()) {
      fail(ApiError(ErrorCode::kUnknownTopicOrPartition));
      continue;
    }
    const auto current = static_cast<int32_t>(topic->partitions.size());
    if (spec.count() == current) {
      fail(ApiError(ErrorCode::kInvalidPartitions,
                    absl::StrCat("Topic already has ", current, " partition(s).")));
      continue;
    }
    if (spec.count() < current) {
      fail(ApiError(ErrorCode::kInvalidPartitions,
                    absl::StrCat("The topic ", spec.name(), " currently has ", current,
                                 " partition(s); ", spec.count(), " would not be an increase.")));
      continue;
    }
    if (spec.count() > options.max_partitions_per_topic) {
      fail(TooManyPartitions(spec.count(), options));
      continue;
    }
    const int32_t additional = spec.count() - current;
    const auto rf = static_cast<int32_t>(topic->partitions.begin()->second.replicas.size());
    Assignment assignment;
    ApiError error;
    if (!spec.assignments().empty()) {
      if (spec.assignments_size() != additional) {
        fail(ApiError(
            ErrorCode::kInvalidReplicaAssignment,
            absl::StrCat("Attempted to add ", additional, " additional partition(s), but only ",
                         spec.assignments_size(), " assignment(s) were specified.")));
        continue;
      }
      std::optional<size_t> expected_rf = static_cast<size_t>(rf);
      for (const eddy::v1::BrokerList& list : spec.assignments()) {
        std::vector<BrokerId> replicas = BrokerIdsFromProto(list.broker_ids());
        error = CheckManualReplicas(image, replicas, expected_rf);
        if (!error.ok()) break;
        assignment.push_back(std::move(replicas));
      }
    } else {
      std::vector<BrokerPlacement> brokers = UsablePlacements(image);
      if (rf > static_cast<int32_t>(brokers.size())) {
        error = PlacementError(rf, brokers.size());
      } else {
        auto placed = AssignReplicas(std::move(brokers), additional, rf,
                                     {.start_partition = current, .seed = random()});
        if (placed.ok()) {
          assignment = *std::move(placed);
        } else {
          error = ApiError(ErrorCode::kInvalidReplicationFactor,
                           std::string(placed.status().message()));
        }
      }
    }
    std::vector<eddy::v1::MetadataRecord> records;
    for (size_t i = 0; error.ok() && i < assignment.size(); ++i) {
      const int32_t index = current + static_cast<int32_t>(i);
      std::optional<PartitionState> p = NewPartition(image, assignment[i]);
      if (!p) {
        error = AllFenced(index);
        break;
      }
      records.push_back(Wrap(PartitionToRecord(topic->id, index, *p)));
    }
    if (!error.ok()) {
      fail(error);
      continue;
    }
    *result->mutable_topic_id() = TopicIdToProto(topic->id);
    result->set_num_partitions(spec.count());
    result->set_replication_factor(rf);
    if (request.validate_only()) continue;
    for (auto& record : records) out.records.push_back(std::move(record));
  }
  return out;
}

}  // namespace eddy::controller
