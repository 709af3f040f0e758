#include "services/controller/membership_metrics.h"

#include <map>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"

namespace eddy::controller {
namespace {

// "MEMBER_ROLE_BROKER" → "broker"
std::string Short(const std::string& enum_name, const std::string& prefix) {
  std::string name = enum_name;
  if (name.starts_with(prefix)) name = name.substr(prefix.size());
  return absl::AsciiStrToLower(name);
}

}  // namespace

MembershipMetrics::MembershipMetrics(metrics::Registry& registry)
    : members_(registry.AddGauge("eddy_controller_members",
                                 "Registered cluster members by role and state.",
                                 {"role", "state"})) {
  Update({});
}

void MembershipMetrics::Update(const std::vector<eddy::v1::MemberStatus>& members) {
  std::map<std::pair<int, int>, int> counts;
  for (const auto& member : members) counts[{member.role(), member.state()}]++;
  // Every (role, state) series is written each time so a state that empties drops to 0.
  for (int role = eddy::v1::MEMBER_ROLE_BROKER; role <= eddy::v1::MEMBER_ROLE_GATEWAY; ++role) {
    for (int state = eddy::v1::MEMBER_STATE_ACTIVE; state <= eddy::v1::MEMBER_STATE_SHUTTING_DOWN;
         ++state) {
      members_
          .WithLabels({Short(eddy::v1::MemberRole_Name(role), "MEMBER_ROLE_"),
                       Short(eddy::v1::MemberState_Name(state), "MEMBER_STATE_")})
          .Set(counts[{role, state}]);
    }
  }
}

}  // namespace eddy::controller
