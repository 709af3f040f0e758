#include "services/coordinator/group_metrics.h"

#include <algorithm>

namespace eddy::coordinator {

GroupMetrics::GroupMetrics(metrics::Registry& registry, bool partition_metrics)
    : partition_metrics_(partition_metrics),
      members_(registry.AddGauge("eddy_coordinator_group_members", "Members of a consumer group.",
                                 {"group"})),
      generation_(registry.AddGauge("eddy_coordinator_group_generation",
                                    "Current generation of a consumer group.", {"group"})),
      rebalances_(registry.AddCounter("eddy_coordinator_group_rebalances_total",
                                      "Completed rebalances of a consumer group.", {"group"})),
      rebalance_seconds_(
          registry.AddHistogram("eddy_coordinator_group_rebalance_duration_seconds",
                                "Time from a rebalance's start to its new generation.",
                                {0.01, 0.05, 0.1, 0.5, 1, 3, 5, 10, 30, 60, 300}, {"group"})),
      commit_latency_(
          registry
              .AddHistogram("eddy_coordinator_offset_commit_latency_seconds",
                            "OffsetCommit from arrival to its durable answer.",
                            {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5})
              .Get()),
      committed_(registry.AddGauge("eddy_coordinator_group_committed_offset",
                                   "Committed offset of a group for a partition.",
                                   {"group", "topic", "partition"})),
      lag_(registry.AddGauge("eddy_coordinator_group_lag_records",
                             "Log end offset minus the group's committed offset.",
                             {"group", "topic", "partition"})) {}

void GroupMetrics::OnRebalanceCompleted(const std::string& group_id, absl::Duration duration) {
  rebalances_.WithLabels({group_id}).Inc();
  rebalance_seconds_.WithLabels({group_id}).Observe(absl::ToDoubleSeconds(duration));
}

void GroupMetrics::OnGroupRemoved(const std::string& group_id) {
  members_.WithLabels({group_id}).Set(0);
}

void GroupMetrics::CommitLatency(absl::Duration latency) {
  commit_latency_.Observe(absl::ToDoubleSeconds(latency));
}

void GroupMetrics::SetLogEndOffsets(LogEndOffsets source) {
  absl::MutexLock lock(&mu_);
  log_end_ = std::move(source);
}

void GroupMetrics::Refresh(const std::vector<GroupSnapshot>& groups) {
  LogEndOffsets log_end;
  {
    absl::MutexLock lock(&mu_);
    log_end = log_end_;
  }
  for (const GroupSnapshot& g : groups) {
    members_.WithLabels({g.group_id}).Set(g.members);
    generation_.WithLabels({g.group_id}).Set(g.generation.value());
    if (!partition_metrics_) continue;
    for (const auto& [tp, offset] : g.committed) {
      const std::vector<std::string> labels = {g.group_id, tp.first, std::to_string(tp.second)};
      committed_.WithLabels(labels).Set(static_cast<double>(offset.value()));
      if (!log_end) continue;
      if (std::optional<int64_t> end = log_end(tp.first, tp.second)) {
        lag_.WithLabels(labels).Set(
            static_cast<double>(std::max<int64_t>(*end - offset.value(), 0)));
      }
    }
  }
}

}  // namespace eddy::coordinator
