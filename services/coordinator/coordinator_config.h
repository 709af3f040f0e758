// CoordinatorConfig: eddy-coordinator's own settings, bound to --flags / EDDY_* env / config file.
// Names and defaults follow the Kafka broker settings they stand for.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "libs/common/config.h"
#include "services/coordinator/group_coordinator.h"

namespace eddy::coordinator {

struct CoordinatorConfig {
  // Partitions of __consumer_offsets, i.e. group shards (offsets.topic.num.partitions). 1..1000.
  int32_t offsets_topic_partitions = 50;
  // Shard executor threads; each shard runs on one of them. 1..64.
  int32_t threads = 2;
  // How often each executor fires due timers (sessions, rebalance timeouts), ms. 10..1000.
  int32_t tick_ms = 50;
  // Where shards persist: "broker" (__consumer_offsets, shards as the controller assigns them)
  // or "memory" (every shard here, lost on restart; tests without brokers).
  std::string group_log = "broker";
  int32_t offsets_commit_timeout_ms = 5000;         // offsets.commit.timeout.ms
  int32_t offsets_load_buffer_size = 5 * 1024 * 1024;  // offsets.load.buffer.size
  int32_t lag_poll_interval_ms = 5000;
  int32_t group_min_session_timeout_ms = 6000;           // group.min.session.timeout.ms
  int32_t group_max_session_timeout_ms = 1800000;        // group.max.session.timeout.ms
  int32_t group_initial_rebalance_delay_ms = 3000;       // group.initial.rebalance.delay.ms
  int32_t group_max_size = 2147483647;                   // group.max.size
  int32_t offsets_retention_minutes = 10080;             // offsets.retention.minutes (7 days)
  int64_t offsets_retention_check_interval_ms = 600000;  // offsets.retention.check.interval.ms
  int32_t offset_metadata_max_bytes = 4096;              // offset.metadata.max.bytes
  // Export committed offsets per group and partition (cardinality: groups × partitions).
  bool partition_metrics = true;

  absl::Status Validate() const;
  GroupConfig ToGroupConfig() const;
};

void AddCoordinatorConfig(common::ConfigSpec& spec, CoordinatorConfig* config);

}  // namespace eddy::coordinator
