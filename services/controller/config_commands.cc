#include "services/controller/config_commands.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/controller/metadata_records.h"
#include "services/controller/partition_change.h"

namespace eddy::controller {
namespace {

using eddy::v1::ConfigResourceType;
using kafka::ErrorCode;

// Normalize maps Kafka's broker resource with an empty name to the cluster default.
ConfigResource Normalize(ConfigResource resource) {
  if (resource.type == eddy::v1::CONFIG_RESOURCE_TYPE_BROKER && resource.name.empty()) {
    resource.type = eddy::v1::CONFIG_RESOURCE_TYPE_CLUSTER;
  }
  return resource;
}

ApiError CheckResource(const MetadataImage& image, const ConfigResource& resource) {
  switch (resource.type) {
    case eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC:
      if (image.FindTopicByName(resource.name) == nullptr) {
        return ApiError(ErrorCode::kUnknownTopicOrPartition,
                        absl::StrCat("The topic '", resource.name, "' does not exist."));
      }
      return ApiError();
    case eddy::v1::CONFIG_RESOURCE_TYPE_BROKER: {
      int32_t id;
      if (!absl::SimpleAtoi(resource.name, &id) || id < 0) {
        return ApiError(ErrorCode::kInvalidRequest,
                        absl::StrCat("Invalid broker name ", resource.name));
      }
      return ApiError();
    }
    case eddy::v1::CONFIG_RESOURCE_TYPE_CLUSTER:
      return resource.name.empty()
                 ? ApiError()
                 : ApiError(ErrorCode::kInvalidRequest, "The cluster resource has an empty name");
    default:
      return ApiError(ErrorCode::kInvalidRequest, "Unsupported config resource type");
  }
}

ConfigMap Current(const MetadataImage& image, const ConfigResource& resource) {
  auto it = image.configs().find(resource);
  return it == image.configs().end() ? ConfigMap() : it->second;
}

const ConfigDef* DefFor(const ConfigResource& resource, std::string_view name) {
  return resource.type == eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC ? FindTopicConfig(name)
                                                               : FindBrokerConfig(name);
}

// WriteDiff validates `next` and appends the records turning `current` into it, plus the ELR
// resets a min.insync.replicas change requires.
ApiError WriteDiff(const MetadataImage& image, const ConfigResource& resource,
                   const ConfigMap& current, const ConfigMap& next,
                   std::vector<eddy::v1::MetadataRecord>& records) {
  if (std::optional<std::string> error = ValidateConfigs(resource.type, next)) {
    return ApiError(ErrorCode::kInvalidConfig, *error);
  }
  auto record = [&](const std::string& name, std::optional<std::string> value) {
    eddy::v1::ConfigRecord r;
    r.set_resource_type(resource.type);
    r.set_resource_name(resource.name);
    r.set_name(name);
    if (value) r.set_value(*value);
    records.push_back(Wrap(std::move(r)));
  };
  for (const auto& [name, value] : current) {
    if (!next.contains(name)) record(name, std::nullopt);
  }
  for (const auto& [name, value] : next) {
    auto it = current.find(name);
    if (it == current.end() || it->second != value) record(name, value);
  }
  auto value_of = [](const ConfigMap& m) {
    auto it = m.find("min.insync.replicas");
    return it == m.end() ? std::optional<std::string>() : it->second;
  };
  if (value_of(current) == value_of(next) ||
      resource.type == eddy::v1::CONFIG_RESOURCE_TYPE_BROKER) {
    return ApiError();
  }
  for (const auto& [id, topic] : image.topics()) {
    if (resource.type == eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC && topic.name != resource.name) {
      continue;
    }
    PartitionChangeContext context = ContextFor(image, topic);
    for (const auto& [index, partition] : topic.partitions) {
      if (partition.elr.empty() && partition.last_known_elr.empty()) continue;
      PartitionChangeRequest request;
      request.clear_elr = true;
      if (auto change = BuildPartitionChange(id, index, partition, request, context)) {
        records.push_back(Wrap(std::move(change->record)));
      }
    }
  }
  return ApiError();
}

std::vector<std::string> ApplyListOp(const ConfigDef& def, const ConfigMap& configs,
                                     const ConfigOperation& op) {
  auto it = configs.find(op.name);
  std::vector<std::string> list =
      SplitList(it != configs.end() ? std::string_view(it->second) : def.default_value);
  for (const std::string& element : SplitList(op.value)) {
    auto pos = std::find(list.begin(), list.end(), element);
    if (op.op == AlterConfigOp::kAppend && pos == list.end()) list.push_back(element);
    if (op.op == AlterConfigOp::kSubtract && pos != list.end()) list.erase(pos);
  }
  return list;
}

}  // namespace

std::vector<DescribeConfigsResult> DescribeConfigs(const MetadataImage& image,
                                                   const std::vector<DescribeConfigsItem>& items) {
  std::vector<DescribeConfigsResult> out;
  for (const DescribeConfigsItem& item : items) {
    DescribeConfigsResult& result = out.emplace_back();
    result.resource = Normalize(item.resource);
    result.error = CheckResource(image, result.resource);
    if (!result.error.ok()) continue;
    const bool topic = result.resource.type == eddy::v1::CONFIG_RESOURCE_TYPE_TOPIC;
    const ConfigMap own = Current(image, result.resource);
    const ConfigMap cluster = Current(image, {eddy::v1::CONFIG_RESOURCE_TYPE_CLUSTER, ""});
    for (const ConfigDef& def : topic ? TopicConfigDefs() : BrokerConfigDefs()) {
      if (item.names &&
          std::find(item.names->begin(), item.names->end(), def.name) == item.names->end()) {
        continue;
      }
      DescribedConfig config{std::string(def.name), std::string(def.default_value),
                             ConfigSource::kDefaultConfig, def.type};
      const std::string_view cluster_key = topic ? def.broker_synonym : def.name;
      if (auto it = own.find(def.name); it != own.end()) {
        config.value = it->second;
        config.source = topic ? ConfigSource::kDynamicTopicConfig
                        : result.resource.type == eddy::v1::CONFIG_RESOURCE_TYPE_BROKER
                            ? ConfigSource::kDynamicBrokerConfig
                            : ConfigSource::kDynamicDefaultBrokerConfig;
      } else if (auto c = cluster.find(cluster_key); !cluster_key.empty() && c != cluster.end()) {
        config.value = c->second;
        config.source = ConfigSource::kDynamicDefaultBrokerConfig;
      }
      result.configs.push_back(std::move(config));
    }
  }
  return out;
}

ControllerResult<std::vector<ResourceResult>> AlterConfigs(
    const MetadataImage& image, const std::vector<AlterConfigsItem>& items, bool validate_only) {
  ControllerResult<std::vector<ResourceResult>> out;
  for (const AlterConfigsItem& item : items) {
    ResourceResult& result = out.response.emplace_back();
    result.resource = Normalize(item.resource);
    result.error = CheckResource(image, result.resource);
    if (!result.error.ok()) continue;
    std::vector<eddy::v1::MetadataRecord> records;
    result.error =
        WriteDiff(image, result.resource, Current(image, result.resource), item.configs, records);
    if (result.error.ok() && !validate_only) {
      for (auto& r : records) out.records.push_back(std::move(r));
    }
  }
  return out;
}

ControllerResult<std::vector<ResourceResult>> IncrementalAlterConfigs(
    const MetadataImage& image, const std::vector<IncrementalAlterConfigsItem>& items,
    bool validate_only) {
  ControllerResult<std::vector<ResourceResult>> out;
  for (const IncrementalAlterConfigsItem& item : items) {
    ResourceResult& result = out.response.emplace_back();
    result.resource = Normalize(item.resource);
    result.error = CheckResource(image, result.resource);
    if (!result.error.ok()) continue;
    const ConfigMap current = Current(image, result.resource);
    ConfigMap next = current;
    std::set<std::string> seen;
    for (const ConfigOperation& op : item.operations) {
      if (!seen.insert(op.name).second) {
        result.error = ApiError(ErrorCode::kInvalidRequest,
                                absl::StrCat("Error due to duplicate config keys: ", op.name));
        break;
      }
      const ConfigDef* def = DefFor(result.resource, op.name);
      switch (op.op) {
        case AlterConfigOp::kSet:
          next[op.name] = op.value;
          break;
        case AlterConfigOp::kDelete:
          next.erase(op.name);
          break;
        case AlterConfigOp::kAppend:
        case AlterConfigOp::kSubtract:
          if (def == nullptr || def->type != ConfigType::kList) {
            result.error =
                ApiError(ErrorCode::kInvalidConfig,
                         absl::StrCat("Config value ",
                                      op.op == AlterConfigOp::kAppend ? "append" : "subtract",
                                      " is not allowed for config key: ", op.name));
            break;
          }
          next[op.name] = absl::StrJoin(ApplyListOp(*def, next, op), ",");
          break;
        default:
          result.error =
              ApiError(ErrorCode::kInvalidRequest,
                       absl::StrCat("Unknown alter config operation ", static_cast<int>(op.op)));
      }
      if (!result.error.ok()) break;
    }
    if (!result.error.ok()) continue;
    std::vector<eddy::v1::MetadataRecord> records;
    result.error = WriteDiff(image, result.resource, current, next, records);
    if (result.error.ok() && !validate_only) {
      for (auto& r : records) out.records.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace eddy::controller
