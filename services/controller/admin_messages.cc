#include "services/controller/admin_messages.h"

#include <limits>
#include <string>
#include <utility>

namespace eddy::controller {
namespace {

ConfigResource FromProto(const eddy::v1::ConfigResourceRef& ref) {
  return ConfigResource{.type = ref.type(), .name = ref.name()};
}

eddy::v1::ConfigResourceRef ToProto(const ConfigResource& resource) {
  eddy::v1::ConfigResourceRef ref;
  ref.set_type(resource.type);
  ref.set_name(resource.name);
  return ref;
}

}  // namespace

int32_t KafkaConfigType(ConfigType type) {
  switch (type) {
    case ConfigType::kBoolean:
      return 1;
    case ConfigType::kString:
      return 2;
    case ConfigType::kInt:
      return 3;
    case ConfigType::kLong:
      return 5;
    case ConfigType::kDouble:
      return 6;
    case ConfigType::kList:
      return 7;
  }
  return 0;  // Kafka's UNKNOWN
}

std::vector<DescribeConfigsItem> FromProto(const eddy::v1::DescribeConfigsRequest& request) {
  std::vector<DescribeConfigsItem> items;
  for (const auto& resource : request.resources()) {
    DescribeConfigsItem& item = items.emplace_back();
    item.resource = FromProto(resource.resource());
    if (!resource.names().empty()) {
      item.names.emplace(resource.names().begin(), resource.names().end());
    }
  }
  return items;
}

std::vector<AlterConfigsItem> FromProto(const eddy::v1::AlterConfigsRequest& request) {
  std::vector<AlterConfigsItem> items;
  for (const auto& resource : request.resources()) {
    AlterConfigsItem& item = items.emplace_back();
    item.resource = FromProto(resource.resource());
    item.configs.insert(resource.configs().begin(), resource.configs().end());
  }
  return items;
}

std::vector<IncrementalAlterConfigsItem> FromProto(
    const eddy::v1::IncrementalAlterConfigsRequest& request) {
  std::vector<IncrementalAlterConfigsItem> items;
  for (const auto& resource : request.resources()) {
    IncrementalAlterConfigsItem& item = items.emplace_back();
    item.resource = FromProto(resource.resource());
    for (const auto& op : resource.operations()) {
      // An op code outside int8 stays out of Kafka's range; the command rejects it by value.
      const int32_t code = op.op() < std::numeric_limits<int8_t>::min() ||
                                   op.op() > std::numeric_limits<int8_t>::max()
                               ? std::numeric_limits<int8_t>::max()
                               : op.op();
      item.operations.push_back(ConfigOperation{
          .name = op.name(), .op = static_cast<AlterConfigOp>(code), .value = op.value()});
    }
  }
  return items;
}

ElectLeadersRequest FromProto(const eddy::v1::ElectLeadersRequest& request) {
  ElectLeadersRequest out;
  out.type = request.election_type() == 1 ? ElectionType::kUnclean : ElectionType::kPreferred;
  if (!request.all_partitions()) {
    out.topic_partitions.emplace();
    for (const auto& topic : request.topics()) {
      out.topic_partitions->push_back(TopicPartitions{
          .topic = topic.name(), .partitions = {topic.partitions().begin(), topic.partitions().end()}});
    }
  }
  return out;
}

eddy::v1::DescribeConfigsResponse ToProto(const std::vector<DescribeConfigsResult>& results) {
  eddy::v1::DescribeConfigsResponse response;
  for (const DescribeConfigsResult& result : results) {
    eddy::v1::DescribeConfigsResult* out = response.add_results();
    *out->mutable_resource() = ToProto(result.resource);
    out->set_error_code(result.error.code_value());
    out->set_error_message(result.error.message);
    for (const DescribedConfig& config : result.configs) {
      eddy::v1::DescribedConfigEntry* entry = out->add_configs();
      entry->set_name(config.name);
      entry->set_value(config.value);
      entry->set_source(static_cast<int32_t>(config.source));
      entry->set_type(KafkaConfigType(config.type));
    }
  }
  return response;
}

void ToProto(const std::vector<ResourceResult>& results,
             google::protobuf::RepeatedPtrField<eddy::v1::ConfigResourceResult>* out) {
  for (const ResourceResult& result : results) {
    eddy::v1::ConfigResourceResult* item = out->Add();
    *item->mutable_resource() = ToProto(result.resource);
    item->set_error_code(result.error.code_value());
    item->set_error_message(result.error.message);
  }
}

eddy::v1::ElectLeadersResponse ToProto(const std::vector<PartitionResult>& results) {
  eddy::v1::ElectLeadersResponse response;
  for (const PartitionResult& result : results) {
    eddy::v1::ElectLeadersResult* item = response.add_results();
    item->set_topic(result.topic);
    item->set_partition(result.partition);
    item->set_error_code(result.error.code_value());
    item->set_error_message(result.error.message);
  }
  return response;
}

eddy::v1::AllocateProducerIdsResponse ToProto(const AllocateProducerIdsResult& result) {
  eddy::v1::AllocateProducerIdsResponse response;
  response.set_error_code(result.error.code_value());
  response.set_error_message(result.error.message);
  if (result.error.ok()) {
    response.set_first_producer_id(result.block.first_producer_id.value());
    response.set_producer_id_count(static_cast<int32_t>(result.block.size));
  }
  return response;
}

}  // namespace eddy::controller
