#include "services/coordinator/coordinator_config.h"

namespace eddy::coordinator {

absl::Status CoordinatorConfig::Validate() const {
  if (group_min_session_timeout_ms > group_max_session_timeout_ms) {
    return absl::InvalidArgumentError(
        "invalid value for --group-min-session-timeout-ms: larger than "
        "--group-max-session-timeout-ms");
  }
  return absl::OkStatus();
}

GroupConfig CoordinatorConfig::ToGroupConfig() const {
  GroupConfig c;
  c.min_session_timeout = absl::Milliseconds(group_min_session_timeout_ms);
  c.max_session_timeout = absl::Milliseconds(group_max_session_timeout_ms);
  c.initial_rebalance_delay = absl::Milliseconds(group_initial_rebalance_delay_ms);
  c.max_size = group_max_size;
  c.offsets_retention = absl::Minutes(offsets_retention_minutes);
  c.offsets_retention_check_interval = absl::Milliseconds(offsets_retention_check_interval_ms);
  c.offset_metadata_max_bytes = offset_metadata_max_bytes;
  return c;
}

void AddCoordinatorConfig(common::ConfigSpec& spec, CoordinatorConfig* config) {
  spec.Add("offsets-topic-partitions", &config->offsets_topic_partitions,
           "Partitions of __consumer_offsets = group shards (Kafka's "
           "offsets.topic.num.partitions); a group's shard is abs(hash(group.id)) % this.",
           1, 1000);
  spec.Add("coordinator-threads", &config->threads,
           "Shard executor threads; each shard's requests and timers run on one of them.", 1, 64);
  spec.Add("coordinator-tick-ms", &config->tick_ms,
           "How often due group timers (sessions, rebalance timeouts) fire, in ms.", 10, 1000);
  spec.AddChoice("group-log", &config->group_log, {"broker", "memory"},
                 "Where group shards persist: broker (partition n of __consumer_offsets on the "
                 "brokers, written with acks=all; shards follow the controller's assignment) or "
                 "memory (this process serves every shard and forgets them on restart; for "
                 "tests without brokers).");
  spec.Add("offsets-commit-timeout-ms", &config->offsets_commit_timeout_ms,
           "How long a group log write may take, retries included, before the request fails "
           "with COORDINATOR_NOT_AVAILABLE / NOT_COORDINATOR (offsets.commit.timeout.ms).",
           1, 3600000);
  spec.Add("offsets-load-buffer-size", &config->offsets_load_buffer_size,
           "Bytes fetched per read while a shard loads its log (offsets.load.buffer.size).", 1024,
           1 << 30);
  spec.Add("lag-poll-interval-ms", &config->lag_poll_interval_ms,
           "How often the log end offsets behind the lag metrics are refreshed, in ms.", 100,
           3600000);
  spec.Add("group-min-session-timeout-ms", &config->group_min_session_timeout_ms,
           "Smallest session timeout a member may ask for (group.min.session.timeout.ms).", 1,
           86400000);
  spec.Add("group-max-session-timeout-ms", &config->group_max_session_timeout_ms,
           "Largest session timeout a member may ask for (group.max.session.timeout.ms).", 1,
           86400000);
  spec.Add("group-initial-rebalance-delay-ms", &config->group_initial_rebalance_delay_ms,
           "How long a new group waits for more members before its first rebalance "
           "(group.initial.rebalance.delay.ms).",
           0, 3600000);
  spec.Add("group-max-size", &config->group_max_size,
           "Most members a group may have; more get GROUP_MAX_SIZE_REACHED (group.max.size).", 1,
           2147483647);
  spec.Add("offsets-retention-minutes", &config->offsets_retention_minutes,
           "How long committed offsets of an empty group are kept (offsets.retention.minutes).", 1,
           52560000);
  spec.Add("offsets-retention-check-interval-ms", &config->offsets_retention_check_interval_ms,
           "How often expired offsets are removed (offsets.retention.check.interval.ms).", 1,
           86400000);
  spec.Add("offset-metadata-max-bytes", &config->offset_metadata_max_bytes,
           "Largest commit metadata string; longer ones get OFFSET_METADATA_TOO_LARGE "
           "(offset.metadata.max.bytes).",
           0, 1048576);
  spec.Add("group-partition-metrics", &config->partition_metrics,
           "Export committed offsets (and lag) per group and partition.");
}

}  // namespace eddy::coordinator
