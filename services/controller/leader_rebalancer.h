// LeaderRebalancer is the active controller's preferred-leader rebalancing timer (Kafka's
// auto.leader.rebalance.enable, leader.imbalance.check.interval.seconds and
// leader.imbalance.per.broker.percentage): every interval after a controller starts leading, it
// runs RebalancePreferredLeaders against the image and returns the elections to append.
//
// Kafka's controller schedules the first check one interval after it becomes active (not at
// once: brokers are still re-registering then), and so does this.
//
// Thread-safety: not thread-safe; the controller calls it from its single tick thread.
#pragma once

#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "proto/eddy/v1/metadata.pb.h"
#include "services/controller/metadata_image.h"
#include "services/controller/partition_commands.h"

namespace eddy::controller {

struct LeaderRebalanceOptions {
  bool enabled = true;                                // auto.leader.rebalance.enable
  absl::Duration check_interval = absl::Seconds(300);  // leader.imbalance.check.interval.seconds
  int32_t imbalance_percentage = 10;                   // leader.imbalance.per.broker.percentage
};

class LeaderRebalancer {
 public:
  LeaderRebalancer(LeaderRebalanceOptions options, const common::Clock& clock);

  // StartLeading schedules the first check one interval from now; call it on winning an election.
  void StartLeading();
  // StopLeading cancels the schedule; call it on losing leadership.
  void StopLeading();

  // Due is true when a check is due; it then schedules the next one an interval later.
  bool Due();

  // Rebalance computes the preferred elections the image needs (empty when balanced).
  ControllerResult<std::vector<PartitionResult>> Rebalance(const MetadataImage& image) const;

 private:
  const LeaderRebalanceOptions options_;
  const common::Clock& clock_;
  std::optional<absl::Time> next_check_;  // unset while not leading or disabled
};

}  // namespace eddy::controller
