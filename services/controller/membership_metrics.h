// MembershipMetrics exports the controller's view of the cluster: members by role and state.
#pragma once

#include <vector>

#include "libs/metrics/registry.h"
#include "proto/eddy/v1/controller.pb.h"

namespace eddy::controller {

class MembershipMetrics {
 public:
  explicit MembershipMetrics(metrics::Registry& registry);
  // Update sets eddy_controller_members{role,state} from a membership snapshot.
  void Update(const std::vector<eddy::v1::MemberStatus>& members);

 private:
  metrics::Family<metrics::Gauge>& members_;
};

}  // namespace eddy::controller
