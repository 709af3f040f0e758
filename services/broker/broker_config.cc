#include "services/broker/broker_config.h"

namespace eddy::broker {

absl::Status BrokerConfig::Validate() const {
  if (replica_fetch_wait_max_ms >= replica_lag_time_max_ms) {
    return absl::InvalidArgumentError(
        "replica-fetch-wait-max-ms must be below replica-lag-time-max-ms, or followers would "
        "drop out of the ISR while idle");
  }
  return absl::OkStatus();
}

void AddBrokerConfig(common::ConfigSpec& spec, BrokerConfig* c) {
  constexpr int64_t kMaxInt = 2147483647;
  spec.Add("replica-lag-time-max-ms", &c->replica_lag_time_max_ms,
           "A follower not caught up for this long leaves the ISR (ms).", 100, 86400000);
  spec.Add("replica-fetch-wait-max-ms", &c->replica_fetch_wait_max_ms,
           "How long a leader holds a follower's fetch when there is nothing new (ms).", 1, 60000);
  spec.Add("replica-fetch-max-bytes", &c->replica_fetch_max_bytes,
           "Bytes a follower fetches per partition per request.", 1024, kMaxInt);
  spec.Add("replica-fetch-response-max-bytes", &c->replica_fetch_response_max_bytes,
           "Bytes a follower fetches per request.", 1024, kMaxInt);
  spec.Add("replica-fetch-backoff-ms", &c->replica_fetch_backoff_ms,
           "Pause after a replication error (ms).", 0, 60000);
  spec.Add("producer-id-expiration-ms", &c->producer_id_expiration_ms,
           "Idempotent producer state expires this long after the producer's last batch (ms).", 1,
           int64_t{1} << 50);
  spec.Add("log-retention-check-interval-ms", &c->log_retention_check_interval_ms,
           "How often time and size retention run (ms).", 1, int64_t{1} << 40);
  spec.Add("log-cleaner-dedupe-buffer-size", &c->log_cleaner_dedupe_buffer_size,
           "Key-map memory for one compaction pass (bytes).", 1 << 20, int64_t{1} << 40);
  spec.Add("log-cleaner-backoff-ms", &c->log_cleaner_backoff_ms,
           "The cleaner's pause after a sweep that found nothing to compact (ms).", 1,
           int64_t{1} << 40);
  spec.Add("request-timeout-ms", &c->request_timeout_ms,
           "Timeout of produce requests that carry none (ms).", 1, kMaxInt);
  spec.Add("per-topic-metrics", &c->per_topic_metrics,
           "Export byte and record counters per topic (else one series for all).");
}

}  // namespace eddy::broker
