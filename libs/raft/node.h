// RaftNode is one member of a Raft group as a pure state machine (Raft paper §5, Ongaro's
// dissertation for the extensions). It owns no thread, socket, clock or randomness source: a driver
// feeds it Step(message) and Tick() and the client calls (Propose, ReadIndex, TransferLeadership,
// Compact), then drains TakeOutput() and follows the contract in types.h (persist, Advance, send,
// apply). The only randomness is the election timeout, drawn from a PRNG seeded by
// RaftOptions.seed, so a run is reproducible from its inputs.
//
// Implemented: leader election with pre-vote (diss. §9.6) and check-quorum (a leader that has not
// heard from a majority within an election timeout steps down; followers that heard from a leader
// within the minimum election timeout ignore vote requests, diss. §4.2.3); log replication with
// pipelining and probing; snapshots sent as chunked InstallSnapshot (§7) and log compaction;
// single-server membership changes (diss. §4.1: one at a time, effective when appended, accepted
// only once the leader has committed an entry of its term); leadership transfer (diss. §3.10);
// linearizable reads with ReadIndex (diss. §6.4), served by the leader only (followers refuse, the
// client retries at the leader). There is no lease-based read.
//
// Invariants: at most one vote per term is ever persisted; an entry counts towards the leader's own
// match only once saved (Advance); committed entries are handed out only once saved locally, so a
// snapshot (taken at an applied index) never covers an unsaved entry.
// Thread-safety: none; the driver serializes all calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/raft/internal/progress.h"
#include "libs/raft/internal/raft_log.h"
#include "libs/raft/internal/splitmix.h"
#include "libs/raft/storage.h"
#include "libs/raft/types.h"

namespace eddy::raft {

enum class Role : uint8_t { kFollower, kPreCandidate, kCandidate, kLeader };

std::string_view RoleName(Role role);

struct RaftOptions {
  NodeId id;                              // this node; positive
  int election_tick = 10;                 // minimum election timeout in ticks; the timeout is drawn
                                          // from [election_tick, 2 * election_tick)
  int heartbeat_tick = 1;                 // ticks between leader heartbeats; < election_tick
  size_t max_append_bytes = 1 << 20;      // data bytes per AppendEntries (at least one entry)
  size_t max_append_entries = 256;        // entries per AppendEntries
  size_t snapshot_chunk_bytes = 1 << 20;  // bytes per InstallSnapshot chunk; >= 1
  bool pre_vote = true;
  bool check_quorum = true;
  uint64_t seed = 0;  // seeds the election-timeout PRNG
  // applied: the index the state machine already reflects at restart (a persistent state machine);
  // unset means the driver restores the stored snapshot, i.e. the snapshot's index.
  std::optional<LogIndex> applied;

  absl::Status Validate() const;
};

// NodeStatus is what a driver exports as metrics and uses to route clients.
struct NodeStatus {
  NodeId id;
  Role role = Role::kFollower;
  Term term;
  NodeId leader;  // kNoNode when unknown
  LogIndex commit;
  LogIndex applied;
  LogIndex last_index;
  LogIndex snapshot_index;
  ConfState conf;          // the latest configuration in the log
  NodeId transfer_target;  // kNoNode unless a leadership transfer is under way
};

// Proposal names the entry a Propose created; it was committed iff the entry applied at `index`
// has `term`.
struct Proposal {
  LogIndex index;
  Term term;
};

class RaftNode {
 public:
  // Restore builds a node from what `storage` holds (a fresh storage gives a fresh node).
  static absl::StatusOr<std::unique_ptr<RaftNode>> Restore(const RaftOptions& options,
                                                           const Storage& storage);

  RaftNode(const RaftNode&) = delete;
  RaftNode& operator=(const RaftNode&) = delete;

  // Tick advances logical time by one tick: elections for followers, heartbeats and check-quorum
  // for the leader.
  void Tick();
  // Step handles one message from a peer. Messages from any term, duplicated or reordered, are
  // safe.
  void Step(const Message& message);

  // Propose appends `data` as a new entry. FailedPrecondition when not leader (status().leader
  // names the leader if known), Unavailable while a leadership transfer is under way.
  absl::StatusOr<Proposal> Propose(std::string data);
  // ProposeConfChange appends a single-server change. FailedPrecondition when not leader, when a
  // change is still uncommitted, or before the leader committed an entry in its term;
  // InvalidArgument when the change changes nothing or would leave no voter.
  absl::StatusOr<Proposal> ProposeConfChange(const ConfChange& change);
  // ReadIndex starts a linearizable read; its ReadState arrives in a later Output.
  // FailedPrecondition when not leader.
  absl::Status ReadIndex(uint64_t request_id);
  // TransferLeadership hands leadership to `target` (a voter): proposals are refused until it
  // completes or an election timeout passes.
  absl::Status TransferLeadership(NodeId target);
  // Compact replaces the log up to `index` by a snapshot whose state is `data`.
  // REQUIRES: the state machine applied `index`; FailedPrecondition otherwise or when `index` is
  // not past the current snapshot.
  absl::Status Compact(LogIndex index, std::string data);

  bool HasOutput() const;
  Output TakeOutput();
  // Advance tells the node that `output.persist` is durable.
  void Advance(const Output& output);

  NodeStatus status() const;
  // Cheap accessors for hot paths (status() copies the configuration).
  Role role() const { return role_; }
  Term term() const { return term_; }
  NodeId leader() const { return leader_; }
  // log exposes the in-memory log to checkers (the simulation's log-matching check).
  const internal::RaftLog& log() const { return log_; }

 private:
  RaftNode(const RaftOptions& options, internal::RaftLog log, HardState hard_state,
           std::string snapshot_data);

  // Roles and elections (node.cc).
  void BecomeFollower(Term term, NodeId leader);
  void BecomeLeader();
  void Campaign(bool pre_vote, bool transfer);
  // RequestVotes asks every voter that has not answered this campaign yet.
  void RequestVotes(bool pre_vote, Term campaign_term, bool transfer);
  void HandleVoteRequest(const Message& m);
  void HandleVoteResponse(const Message& m);
  bool InLease() const;
  void ResetElectionTimer();
  size_t Quorum() const { return conf_.voters.size() / 2 + 1; }
  bool IsVoter() const { return conf_.voters.contains(options_.id); }
  // CanCampaign: a voter of the latest configuration, or of the committed one while a change
  // removing this node is uncommitted (diss. §4.2.2: it may hold the only up-to-date log, so it
  // must still be able to win; it does not count its own vote).
  bool CanCampaign() const {
    return IsVoter() || log_.ConfAt(commit_).voters.contains(options_.id);
  }
  void Send(Message m);
  void RefreshConf();
  HardState hard_state() const { return HardState{term_, vote_, commit_}; }

  // Replication (replication.cc).
  void AppendAsLeader(EntryType type, std::string data);
  void SendAppend(NodeId to, bool allow_empty);
  void SendSnapshotChunk(NodeId to, internal::Progress& pr);
  void BroadcastAppend();
  void BroadcastHeartbeat();
  void HandleAppend(const Message& m);
  void HandleAppendResponse(const Message& m);
  void HandleSnapshotChunk(const Message& m);
  void HandleSnapshotResponse(const Message& m);
  void MaybeCommit();
  void OnPeerResponse(internal::Progress& pr, const Message& m);
  bool QuorumActive();

  // Reads and transfers (read_index.cc).
  void RegisterRead(uint64_t request_id);
  void CheckReads();
  void FailReads();
  void OnCommittedInTerm();
  void MaybeSendTimeoutNow(NodeId to);

  RaftOptions options_;
  internal::SplitMix64 prng_;

  Term term_;
  NodeId vote_ = kNoNode;
  NodeId leader_ = kNoNode;
  Role role_ = Role::kFollower;
  internal::RaftLog log_;
  LogIndex commit_;
  LogIndex applied_;
  ConfState conf_;
  std::string snapshot_data_;  // data of log_.snapshot(), sent to followers that need it

  int election_elapsed_ = 0;
  int heartbeat_elapsed_ = 0;
  int randomized_timeout_ = 0;
  std::map<NodeId, bool> votes_;
  std::map<NodeId, internal::Progress> progress_;  // leader only: every voter except this node

  NodeId transfer_target_ = kNoNode;
  int transfer_elapsed_ = 0;

  struct PendingRead {
    uint64_t request_id;
    LogIndex index;
    uint64_t context;
  };
  uint64_t read_context_ = 0;
  std::deque<PendingRead> pending_reads_;
  std::vector<uint64_t> reads_awaiting_commit_;  // before the leader commits in its term

  // A snapshot being received in chunks (follower).
  struct IncomingSnapshot {
    Term leader_term;
    SnapshotMetadata metadata;
    uint64_t size = 0;
    std::string data;
  };
  std::optional<IncomingSnapshot> incoming_;

  // Output under construction.
  HardState saved_hard_state_;  // the last hard state handed out for persistence
  std::optional<Snapshot> snapshot_to_save_;
  std::optional<Snapshot> snapshot_to_restore_;
  std::vector<Message> messages_;
  std::vector<ReadState> read_states_;
};

}  // namespace eddy::raft
