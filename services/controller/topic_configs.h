// Kafka's dynamic config schema for the resources the controller stores: topic configs (Kafka's
// LogConfig / TopicConfig names, types, defaults and validators) and the dynamic broker configs
// that provide their cluster-wide defaults (log.retention.ms for retention.ms, ...). Validation
// returns Kafka's ConfigException wording ("Invalid value x for configuration y: Value must be at
// least -1") for INVALID_CONFIG responses.
//
// Resolution of a topic's effective value, as Kafka's KRaft controller does it: the topic's own
// value, else the cluster default of its broker synonym (CLUSTER resource), else Kafka's default.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "services/controller/metadata_image.h"

namespace eddy::controller {

enum class ConfigType { kBoolean, kInt, kLong, kDouble, kString, kList };

struct ConfigDef {
  std::string_view name;
  ConfigType type;
  // Kafka's default, as DescribeConfigs reports it.
  std::string_view default_value;
  // For topic configs: the broker config whose cluster-wide value is the default ("" if none).
  std::string_view broker_synonym;
  // Inclusive numeric bounds (kInt, kLong, kDouble).
  std::optional<double> min;
  std::optional<double> max;
  // Allowed values (kString) or allowed elements (kList); empty: anything.
  std::vector<std::string_view> allowed;
};

// ConfigTypeName is Kafka's ConfigDef.Type name ("LONG", "LIST", ...).
std::string_view ConfigTypeName(ConfigType type);

std::span<const ConfigDef> TopicConfigDefs();
std::span<const ConfigDef> BrokerConfigDefs();
const ConfigDef* FindTopicConfig(std::string_view name);
const ConfigDef* FindBrokerConfig(std::string_view name);

// ValidateConfigValue returns Kafka's message for a `value` that `def` rejects, or nullopt.
std::optional<std::string> ValidateConfigValue(const ConfigDef& def, std::string_view value);

// ValidateConfigs checks a resource's whole resulting config set: unknown names ("Unknown topic
// config name: x"), bad values, and Kafka's cross-config rules (min.compaction.lag.ms must not
// exceed max.compaction.lag.ms). Returns the first error message, or nullopt.
std::optional<std::string> ValidateConfigs(eddy::v1::ConfigResourceType type,
                                           const ConfigMap& configs);

// SplitList splits a LIST value as Kafka does (trimmed, comma-separated; "" is the empty list).
std::vector<std::string> SplitList(std::string_view value);

// EffectiveTopicConfig resolves `name` for `topic` (topic value, cluster default, Kafka default).
// REQUIRES: `name` is a topic config.
std::string EffectiveTopicConfig(const MetadataImage& image, std::string_view topic,
                                 std::string_view name);

// The two configs leader election reads, resolved and parsed (invalid stored values fall back to
// Kafka's defaults, which validation prevents from being written in the first place).
int32_t MinInsyncReplicas(const MetadataImage& image, std::string_view topic);
bool UncleanLeaderElectionEnabled(const MetadataImage& image, std::string_view topic);

}  // namespace eddy::controller
