// Config admin commands: DescribeConfigs, AlterConfigs (replace a resource's whole dynamic config
// set) and IncrementalAlterConfigs (SET / DELETE / APPEND / SUBTRACT per key, KIP-339), for topic
// resources, single brokers and the cluster-wide default (Kafka's broker resource with an empty
// name, which these functions accept too). Values are validated against topic_configs.h; a bad
// value or unknown name fails its resource with INVALID_CONFIG and Kafka's message, and nothing of
// that resource is written. Changing min.insync.replicas clears the ELR of the partitions it
// governs, as KIP-966 requires.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/controller/controller_result.h"
#include "services/controller/metadata_image.h"
#include "services/controller/topic_configs.h"

namespace eddy::controller {

// ConfigSource values are Kafka's DescribeConfigs ConfigSource codes.
enum class ConfigSource : int8_t {
  kDynamicTopicConfig = 1,
  kDynamicBrokerConfig = 2,
  kDynamicDefaultBrokerConfig = 3,
  kDefaultConfig = 5,
};

struct DescribedConfig {
  std::string name;
  std::string value;
  ConfigSource source = ConfigSource::kDefaultConfig;
  ConfigType type = ConfigType::kString;
  bool is_default() const { return source == ConfigSource::kDefaultConfig; }
};

struct DescribeConfigsItem {
  ConfigResource resource;
  // Unset: every config of the resource.
  std::optional<std::vector<std::string>> names;
};

struct DescribeConfigsResult {
  ConfigResource resource;
  ApiError error;
  std::vector<DescribedConfig> configs;
};

// DescribeConfigs reports each config's effective value and where it comes from. Errors:
// UNKNOWN_TOPIC_OR_PARTITION (no such topic), INVALID_REQUEST (broker name not an id).
std::vector<DescribeConfigsResult> DescribeConfigs(const MetadataImage& image,
                                                   const std::vector<DescribeConfigsItem>& items);

struct ResourceResult {
  ConfigResource resource;
  ApiError error;
};

struct AlterConfigsItem {
  ConfigResource resource;
  ConfigMap configs;  // the resource's complete new dynamic config set
};

ControllerResult<std::vector<ResourceResult>> AlterConfigs(
    const MetadataImage& image, const std::vector<AlterConfigsItem>& items, bool validate_only);

// AlterConfigOp values are Kafka's AlterConfigOp.OpType codes.
enum class AlterConfigOp : int8_t { kSet = 0, kDelete = 1, kAppend = 2, kSubtract = 3 };

struct ConfigOperation {
  std::string name;
  AlterConfigOp op = AlterConfigOp::kSet;
  std::string value;
};

struct IncrementalAlterConfigsItem {
  ConfigResource resource;
  std::vector<ConfigOperation> operations;
};

// IncrementalAlterConfigs: APPEND/SUBTRACT only apply to LIST configs (INVALID_CONFIG otherwise)
// and start from the current value or Kafka's default; a key named twice in one resource is
// INVALID_REQUEST.
ControllerResult<std::vector<ResourceResult>> IncrementalAlterConfigs(
    const MetadataImage& image, const std::vector<IncrementalAlterConfigsItem>& items,
    bool validate_only);

}  // namespace eddy::controller
