#include "services/coordinator/group.h"

#include <algorithm>

namespace eddy::coordinator {

std::string_view GroupStateName(GroupState state) {
  switch (state) {
    case GroupState::kEmpty:
      return "Empty";
    case GroupState::kPreparingRebalance:
      return "PreparingRebalance";
    case GroupState::kCompletingRebalance:
      return "CompletingRebalance";
    case GroupState::kStable:
      return "Stable";
    case GroupState::kDead:
      return "Dead";
  }
  return "Dead";
}

std::string Member::Metadata(std::string_view protocol) const {
  for (const Protocol& p : protocols) {
    if (p.name == protocol) return p.metadata;
  }
  return {};
}

bool Member::Matches(const std::vector<Protocol>& other) const {
  return std::equal(protocols.begin(), protocols.end(), other.begin(), other.end(),
                    [](const Protocol& a, const Protocol& b) {
                      return a.name == b.name && a.metadata == b.metadata;
                    });
}

int Group::NumAwaitingJoin() const {
  return static_cast<int>(std::count_if(members.begin(), members.end(), [](const auto& m) {
    return static_cast<bool>(m.second.awaiting_join);
  }));
}

bool Group::HasAllMembersJoined() const {
  return NumAwaitingJoin() == static_cast<int>(members.size()) && pending_members.empty();
}

int32_t Group::RebalanceTimeoutMs() const {
  int32_t timeout = 0;
  for (const auto& [id, m] : members) timeout = std::max(timeout, m.rebalance_timeout_ms);
  return timeout;
}

bool Group::StaticMemberFenced(const std::optional<std::string>& instance_id,
                               const std::string& member_id) const {
  if (!instance_id) return false;
  auto it = static_members.find(*instance_id);
  return it != static_members.end() && it->second != member_id;
}

namespace {

// Candidates returns the protocol names every member supports.
std::set<std::string> Candidates(const std::map<std::string, Member>& members) {
  std::map<std::string, size_t> counts;
  for (const auto& [id, m] : members) {
    std::set<std::string> names;
    for (const Protocol& p : m.protocols) names.insert(p.name);
    for (const std::string& n : names) ++counts[n];
  }
  std::set<std::string> result;
  for (const auto& [name, count] : counts) {
    if (count == members.size()) result.insert(name);
  }
  return result;
}

}  // namespace

bool Group::SupportsProtocols(const std::string& type,
                              const std::vector<Protocol>& protocols) const {
  if (members.empty()) return !type.empty() && !protocols.empty();
  if (protocol_type != type) return false;
  const std::set<std::string> candidates = Candidates(members);
  return std::any_of(protocols.begin(), protocols.end(),
                     [&](const Protocol& p) { return candidates.contains(p.name); });
}

std::string Group::SelectProtocol() const {
  const std::set<std::string> candidates = Candidates(members);
  std::map<std::string, int> votes;
  for (const auto& [id, m] : members) {
    for (const Protocol& p : m.protocols) {
      if (candidates.contains(p.name)) {
        ++votes[p.name];
        break;
      }
    }
  }
  std::string best;
  int best_votes = -1;
  for (const auto& [name, count] : votes) {  // ascending names: ties keep the smallest
    if (count > best_votes) {
      best = name;
      best_votes = count;
    }
  }
  return best;
}

bool Group::IsSubscribedToTopic(const std::string& topic) const {
  return !subscribed_topics || subscribed_topics->contains(topic);
}

}  // namespace eddy::coordinator
