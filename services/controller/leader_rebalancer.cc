#include "services/controller/leader_rebalancer.h"

namespace eddy::controller {

LeaderRebalancer::LeaderRebalancer(LeaderRebalanceOptions options, const common::Clock& clock)
    : options_(options), clock_(clock) {}

void LeaderRebalancer::StartLeading() {
  if (options_.enabled) next_check_ = clock_.Now() + options_.check_interval;
}

void LeaderRebalancer::StopLeading() { next_check_.reset(); }

bool LeaderRebalancer::Due() {
  if (!next_check_.has_value()) return false;
  const absl::Time now = clock_.Now();
  if (now < *next_check_) return false;
  // From now rather than from the missed slot: a stalled tick thread does not run a burst.
  next_check_ = now + options_.check_interval;
  return true;
}

ControllerResult<std::vector<PartitionResult>> LeaderRebalancer::Rebalance(
    const MetadataImage& image) const {
  return RebalancePreferredLeaders(image, {.imbalance_percentage = options_.imbalance_percentage});
}

}  // namespace eddy::controller
