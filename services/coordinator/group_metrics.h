// GroupMetrics: the coordinator's Prometheus series (eddy_coordinator_group_*). Rebalances and
// commit latency are recorded as they happen; members and committed offsets are refreshed from
// each shard's GroupSnapshot on its executor every few seconds. Lag (log end − committed) needs
// each partition's log end offset, which comes from the brokers: SetLogEndOffsets installs that
// source (the broker client once the data plane lands); without it the lag series are absent.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "libs/metrics/registry.h"
#include "services/coordinator/group_coordinator.h"

namespace eddy::coordinator {

// LogEndOffsets returns a partition's log end offset (high watermark), if known.
using LogEndOffsets = std::function<std::optional<int64_t>(const std::string& topic, int32_t)>;

class GroupMetrics final : public GroupObserver {
 public:
  GroupMetrics(metrics::Registry& registry, bool partition_metrics);

  void OnRebalanceCompleted(const std::string& group_id, absl::Duration duration) override;
  void OnGroupRemoved(const std::string& group_id) override;
  // CommitLatency records one OffsetCommit from arrival to answer (durable).
  void CommitLatency(absl::Duration latency);
  // Refresh publishes one shard's groups (members, generation, committed offsets, lag).
  void Refresh(const std::vector<GroupSnapshot>& groups);
  void SetLogEndOffsets(LogEndOffsets source);

 private:
  const bool partition_metrics_;
  metrics::Family<metrics::Gauge>& members_;
  metrics::Family<metrics::Gauge>& generation_;
  metrics::Family<metrics::Counter>& rebalances_;
  metrics::Family<metrics::Histogram>& rebalance_seconds_;
  metrics::Histogram& commit_latency_;
  metrics::Family<metrics::Gauge>& committed_;
  metrics::Family<metrics::Gauge>& lag_;
  absl::Mutex mu_;
  LogEndOffsets log_end_ ABSL_GUARDED_BY(mu_);
};

}  // namespace eddy::coordinator
