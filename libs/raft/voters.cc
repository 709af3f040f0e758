#include "libs/raft/voters.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace eddy::raft {
namespace {

absl::Status BadVoter(absl::string_view item, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid quorum voter '", item, "': ", why, " (expected id@host:port)"));
}

}  // namespace

std::string Voter::target() const { return absl::StrCat(host, ":", port); }

absl::StatusOr<std::vector<Voter>> ParseVoters(std::string_view spec) {
  std::vector<Voter> voters;
  std::set<NodeId> seen;
  for (absl::string_view item :
       absl::StrSplit(absl::string_view(spec.data(), spec.size()), ',', absl::SkipWhitespace())) {
    std::vector<absl::string_view> id_addr = absl::StrSplit(item, absl::MaxSplits('@', 1));
    if (id_addr.size() != 2) return BadVoter(item, "missing '@'");
    int32_t id = 0;
    if (!absl::SimpleAtoi(id_addr[0], &id) || id <= 0) return BadVoter(item, "id must be > 0");
    const size_t colon = id_addr[1].rfind(':');
    if (colon == absl::string_view::npos || colon == 0) return BadVoter(item, "missing host:port");
    int32_t port = 0;
    if (!absl::SimpleAtoi(id_addr[1].substr(colon + 1), &port) || port <= 0 || port > 65535) {
      return BadVoter(item, "port must be 1..65535");
    }
    if (!seen.insert(NodeId(id)).second) return BadVoter(item, "duplicate id");
    voters.push_back(
        {.id = NodeId(id), .host = std::string(id_addr[1].substr(0, colon)), .port = port});
  }
  if (voters.empty()) return absl::InvalidArgumentError("the quorum voter list is empty");
  return voters;
}

}  // namespace eddy::raft
