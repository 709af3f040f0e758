#include "libs/raft/types.h"

#include <cstddef>

#include "absl/status/status.h"

namespace eddy::raft {

std::string EncodeConfState(const ConfState& conf) {
  std::string out;
  for (NodeId voter : conf.voters) {
    const auto id = static_cast<uint32_t>(voter.value());
    for (int shift = 0; shift < 32; shift += 8)
      out.push_back(static_cast<char>((id >> shift) & 0xff));
  }
  return out;
}

absl::StatusOr<ConfState> DecodeConfState(std::string_view data) {
  if (data.size() % 4 != 0) {
    return absl::InvalidArgumentError("raft: configuration data is not a list of 4-byte ids");
  }
  ConfState conf;
  for (size_t at = 0; at < data.size(); at += 4) {
    uint32_t id = 0;
    for (size_t i = 0; i < 4; ++i) {
      id |= static_cast<uint32_t>(static_cast<uint8_t>(data[at + i])) << (8 * i);
    }
    if (static_cast<int32_t>(id) <= 0)
      return absl::InvalidArgumentError("raft: voter id must be positive");
    conf.voters.insert(NodeId(static_cast<int32_t>(id)));
  }
  return conf;
}

PersistRequest Bootstrap(const ConfState& voters) {
  PersistRequest request;
  request.entries.push_back(
      Entry{LogIndex(1), Term(1), EntryType::kConfChange, EncodeConfState(voters)});
  request.hard_state = HardState{Term(1), kNoNode, LogIndex(1)};
  return request;
}

ConfState Apply(ConfState conf, const ConfChange& change) {
  if (change.type == ConfChangeType::kAddVoter) {
    conf.voters.insert(change.node);
  } else {
    conf.voters.erase(change.node);
  }
  return conf;
}

std::string_view MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kPreVote:
      return "PreVote";
    case MessageType::kPreVoteResponse:
      return "PreVoteResponse";
    case MessageType::kVote:
      return "Vote";
    case MessageType::kVoteResponse:
      return "VoteResponse";
    case MessageType::kAppend:
      return "Append";
    case MessageType::kAppendResponse:
      return "AppendResponse";
    case MessageType::kInstallSnapshot:
      return "InstallSnapshot";
    case MessageType::kInstallSnapshotResponse:
      return "InstallSnapshotResponse";
    case MessageType::kTimeoutNow:
      return "TimeoutNow";
  }
  return "Unknown";
}

std::ostream& operator<<(std::ostream& os, const Message& m) {
  os << MessageTypeName(m.type) << "{" << m.from << "->" << m.to << " term=" << m.term
     << " index=" << m.index << " log_term=" << m.log_term << " commit=" << m.commit;
  if (!m.entries.empty()) {
    os << " entries=[" << m.entries.front().index << ".." << m.entries.back().index << "]";
  }
  if (m.reject) os << " reject hint=" << m.reject_hint;
  if (m.transfer) os << " transfer";
  if (m.read_context != 0) os << " ctx=" << m.read_context;
  if (m.type == MessageType::kInstallSnapshot || m.type == MessageType::kInstallSnapshotResponse) {
    os << " snap=" << m.snapshot.index << "@" << m.snapshot.term << " offset=" << m.offset << "/"
       << m.snapshot_size;
  }
  return os << "}";
}

}  // namespace eddy::raft
