// TopicConfig is what a broker derives from a topic's config map (TopicMetadata.configs, which
// carries only values that differ from Kafka's defaults): the partition log's settings, the
// produce validation rules and min.insync.replicas. Unknown keys are ignored (the controller
// validated them); a malformed value falls back to Kafka's default and is reported, so one bad
// config never stops a partition from serving.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "libs/storage/log_config.h"
#include "services/broker/produce_validation.h"

namespace eddy::broker {

struct TopicConfig {
  storage::LogConfig log;
  ProduceValidationConfig produce;
  // min.insync.replicas: default 1.
  int32_t min_insync_replicas = 1;
};

struct ParsedTopicConfig {
  TopicConfig config;
  // Problems found ("retention.ms: not a number"), for the log.
  std::vector<std::string> errors;
};

// ParseTopicConfig reads `configs` over Kafka's defaults.
ParsedTopicConfig ParseTopicConfig(const std::map<std::string, std::string>& configs);

}  // namespace eddy::broker
