// The values a Raft node exchanges with its driver: log entries, hard state, snapshots, messages
// and read-index results. They are plain C++ structs on purpose: the core and the simulation stay
// free of protobuf, and a transport or a storage engine converts them at its edge (one codec per
// edge; the structs are the single definition). Every field is a value, so a message can be copied
// into a network queue, duplicated or reordered without aliasing the node that produced it.
//
// Ids: NodeId(0) means "none" (no vote, no known leader); real node ids are positive. LogIndex(0)
// and Term(0) are the empty log's position: the first entry has index 1 and term >= 1 (Raft paper
// §5.3).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/strong_id.h"

namespace eddy::raft {

using eddy::LogIndex;
using eddy::NodeId;
using eddy::Term;

// kNoNode marks an absent vote or an unknown leader.
inline constexpr NodeId kNoNode = NodeId(0);

// EntryType says how the applier interprets an entry's data.
enum class EntryType : uint8_t {
  // kNormal carries application data; empty data is the no-op a new leader appends (§8).
  kNormal = 0,
  // kConfChange carries the whole new configuration (EncodeConfState); it takes effect when
  // appended (dissertation §4.1). Carrying the result, not the delta, lets a node that joins with
  // an empty log learn the configuration from the last such entry alone.
  kConfChange = 1,
};

struct Entry {
  LogIndex index;
  Term term;
  EntryType type = EntryType::kNormal;
  std::string data;

  friend bool operator==(const Entry&, const Entry&) = default;
};

// ConfChangeType: single-server membership changes only (dissertation §4.1), one at a time.
enum class ConfChangeType : uint8_t {
  kAddVoter = 0,
  kRemoveVoter = 1,
};

struct ConfChange {
  ConfChangeType type = ConfChangeType::kAddVoter;
  NodeId node;

  friend bool operator==(const ConfChange&, const ConfChange&) = default;
};

// ConfState is a cluster configuration: the voting members. A node whose configuration does not
// contain itself never starts an election (a new or removed server).
struct ConfState {
  std::set<NodeId> voters;

  friend bool operator==(const ConfState&, const ConfState&) = default;
};

// Apply returns `conf` with `change` applied.
ConfState Apply(ConfState conf, const ConfChange& change);

// EncodeConfState / DecodeConfState: the data of a kConfChange entry (each voter id as 4 bytes,
// little-endian, ascending). Decode returns InvalidArgument on any other shape.
std::string EncodeConfState(const ConfState& conf);
absl::StatusOr<ConfState> DecodeConfState(std::string_view data);

// HardState is what must be durable before any message that depends on it is sent (§5.1 Figure 2:
// currentTerm, votedFor) plus the commit index, which lets a restarted node re-apply without
// waiting for a leader.
struct HardState {
  Term term;
  NodeId vote = kNoNode;
  LogIndex commit;

  friend bool operator==(const HardState&, const HardState&) = default;
};

// SnapshotMetadata names the last entry a snapshot covers and the configuration as of that entry
// (§7: lastIncludedIndex, lastIncludedTerm, configuration).
struct SnapshotMetadata {
  LogIndex index;
  Term term;
  ConfState conf;

  friend bool operator==(const SnapshotMetadata&, const SnapshotMetadata&) = default;
};

struct Snapshot {
  SnapshotMetadata metadata;
  std::string data;  // the state machine's serialized state; opaque to Raft

  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

enum class MessageType : uint8_t {
  kPreVote = 0,  // "would you vote for me at term+1?" (dissertation §9.6); term unchanged
  kPreVoteResponse = 1,
  kVote = 2,  // RequestVote (§5.2)
  kVoteResponse = 3,
  kAppend = 4,  // AppendEntries (§5.3); empty entries serve as the heartbeat
  kAppendResponse = 5,
  kInstallSnapshot = 6,  // one chunk of InstallSnapshot (§7)
  kInstallSnapshotResponse = 7,
  kTimeoutNow = 8,  // leadership transfer: start an election now (dissertation §3.10)
};

std::string_view MessageTypeName(MessageType type);

// Message is one RPC or reply. Fields are flat (like a wire record) and each type uses a subset:
//   kPreVote/kVote:        term, index = candidate's last log index, log_term = its term, transfer
//   k*VoteResponse:        term, reject
//   kAppend:               term, index = prevLogIndex, log_term = prevLogTerm, entries, commit,
//                          read_context
//   kAppendResponse:       term, reject; success: index = highest index known to match;
//                          reject: index = the rejected prevLogIndex, reject_hint = a guess of the
//                          follower's last matching index; read_context echoed
//   kInstallSnapshot:      term, snapshot (metadata), snapshot_size, offset, chunk, read_context
//   kInstallSnapshotResponse: term, snapshot (metadata of the snapshot being received), offset =
//                          next byte the follower wants, reject (snapshot not for this leader);
//                          index = the follower's match after a completed install; read_context
//   kTimeoutNow:           term
struct Message {
  MessageType type = MessageType::kAppend;
  NodeId from;
  NodeId to;
  Term term;
  LogIndex index;
  Term log_term;
  std::vector<Entry> entries;
  LogIndex commit;
  bool reject = false;
  LogIndex reject_hint;
  bool transfer = false;
  uint64_t read_context = 0;
  SnapshotMetadata snapshot;
  uint64_t snapshot_size = 0;
  uint64_t offset = 0;
  std::string chunk;

  friend bool operator==(const Message&, const Message&) = default;
};

std::ostream& operator<<(std::ostream& os, const Message& m);

// ReadState answers a ReadIndex request (dissertation §6.4): once the state machine has applied
// `index`, a read reflects every write committed before the request. A request that cannot be
// answered (leadership lost) reports ok = false; the client retries elsewhere.
struct ReadState {
  uint64_t request_id = 0;
  LogIndex index;
  bool ok = false;
};

// PersistRequest is the part of an Output that must be durable before its messages are sent. A
// Storage applies it atomically in this order: snapshot, then entries, then hard state.
struct PersistRequest {
  // snapshot replaces the log prefix up to snapshot.metadata.index: entries after it are kept only
  // if the stored entry at that index has the snapshot's term (§7), otherwise the whole log is
  // dropped.
  std::optional<Snapshot> snapshot;
  // entries: delete every stored entry with index >= entries.front().index, then append these.
  std::vector<Entry> entries;
  std::optional<HardState> hard_state;

  bool empty() const { return !snapshot && entries.empty() && !hard_state; }
};

// Bootstrap is what a founding member saves before it first starts: entry 1 (term 1) holding the
// initial configuration, committed, with term 1. Every founding member saves the same, so their
// logs agree on it; a server added later saves nothing and learns the configuration from the log.
PersistRequest Bootstrap(const ConfState& voters);

// Output is everything a node produced since the last TakeOutput().
// Driver contract, in order: (1) make `persist` durable; (2) call Advance(output) on the node; (3)
// send `messages` (never before (1): a vote or an append acknowledgement promises durable state);
// (4) restore `restore_snapshot` into the state machine if set, then apply `committed` in order;
// (5) answer `read_states` once the state machine has applied each one's index.
struct Output {
  PersistRequest persist;
  std::vector<Message> messages;
  std::optional<Snapshot> restore_snapshot;
  std::vector<Entry> committed;
  std::vector<ReadState> read_states;

  bool empty() const {
    return persist.empty() && messages.empty() && !restore_snapshot && committed.empty() &&
           read_states.empty();
  }
};

}  // namespace eddy::raft
