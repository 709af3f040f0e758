// BrokerConfig: eddy-broker's data-plane settings, next to the ServerConfig and MembershipConfig
// every member daemon has. Names follow Kafka's broker configs (replica.lag.time.max.ms becomes
// --replica-lag-time-max-ms, EDDY_REPLICA_LAG_TIME_MAX_MS); defaults are Kafka's unless noted.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "libs/common/config.h"

namespace eddy::broker {

struct BrokerConfig {
  // replica.lag.time.max.ms: a follower not caught up for this long leaves the ISR (ms, >= 100).
  int64_t replica_lag_time_max_ms = 30000;
  // replica.fetch.wait.max.ms: how long a leader holds a follower's fetch (ms, 1..60000).
  int32_t replica_fetch_wait_max_ms = 500;
  // replica.fetch.max.bytes: per partition and follower fetch (bytes).
  int32_t replica_fetch_max_bytes = 1 << 20;
  // replica.fetch.response.max.bytes: per follower fetch (bytes).
  int32_t replica_fetch_response_max_bytes = 10 << 20;
  // replica.fetch.backoff.ms: pause after a replication error (ms). Kafka: 1000; 100 here so a
  // follower reaches a new leader quickly after a failover.
  int32_t replica_fetch_backoff_ms = 100;
  // producer.id.expiration.ms: idempotent producer state expires this long after its last batch.
  int64_t producer_id_expiration_ms = 86400000;
  // log.retention.check.interval.ms: how often retention runs (ms).
  int64_t log_retention_check_interval_ms = 300000;
  // log.cleaner.dedupe.buffer.size: key-map memory for one compaction pass (bytes).
  int64_t log_cleaner_dedupe_buffer_size = 128LL << 20;
  // log.cleaner.backoff.ms: the cleaner's pause after a sweep with nothing to do (ms).
  int64_t log_cleaner_backoff_ms = 15000;
  // request.timeout.ms for produce requests that carry none (ms).
  int32_t request_timeout_ms = 30000;
  // Per-topic byte/record metrics (labels bounded by the topic count); off: one series.
  bool per_topic_metrics = true;

  absl::Status Validate() const;
};

void AddBrokerConfig(common::ConfigSpec& spec, BrokerConfig* config);

}  // namespace eddy::broker
