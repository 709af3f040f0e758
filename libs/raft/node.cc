// RaftNode: construction, roles, elections, the message dispatcher, ticks, proposals and output.
// Replication lives in replication.cc, reads and leadership transfer in read_index.cc.
#include "libs/raft/node.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace eddy::raft {

using internal::Progress;
using internal::RaftLog;

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kFollower:
      return "follower";
    case Role::kPreCandidate:
      return "pre-candidate";
    case Role::kCandidate:
      return "candidate";
    case Role::kLeader:
      return "leader";
  }
  return "unknown";
}

absl::Status RaftOptions::Validate() const {
  if (id.value() <= 0) return absl::InvalidArgumentError("raft: node id must be positive");
  if (heartbeat_tick < 1 || election_tick <= heartbeat_tick) {
    return absl::InvalidArgumentError("raft: need 1 <= heartbeat_tick < election_tick");
  }
  if (max_append_entries < 1 || snapshot_chunk_bytes < 1) {
    return absl::InvalidArgumentError("raft: append and snapshot chunk limits must be >= 1");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<RaftNode>> RaftNode::Restore(const RaftOptions& options,
                                                            const Storage& storage) {
  EDDY_RETURN_IF_ERROR(options.Validate());
  EDDY_ASSIGN_OR_RETURN(HardState hard_state, storage.LoadHardState());
  EDDY_ASSIGN_OR_RETURN(Snapshot snapshot, storage.LoadSnapshot());
  EDDY_ASSIGN_OR_RETURN(LogIndex first, storage.FirstIndex());
  EDDY_ASSIGN_OR_RETURN(LogIndex last, storage.LastIndex());
  std::vector<Entry> entries;
  while (first <= last) {
    EDDY_ASSIGN_OR_RETURN(std::vector<Entry> chunk,
                          storage.Entries(first, last + 1, std::numeric_limits<size_t>::max()));
    first = chunk.back().index + 1;
    entries.insert(entries.end(), std::make_move_iterator(chunk.begin()),
                   std::make_move_iterator(chunk.end()));
  }
  if (hard_state.commit > last) {
    return absl::DataLossError(absl::StrCat("raft: stored commit ", hard_state.commit.value(),
                                            " is past the stored log end ", last.value()));
  }
  RaftLog log(snapshot.metadata, std::move(entries));
  return std::unique_ptr<RaftNode>(
      new RaftNode(options, std::move(log), hard_state, std::move(snapshot.data)));
}

RaftNode::RaftNode(const RaftOptions& options, RaftLog log, HardState hard_state,
                   std::string snapshot_data)
    : options_(options),
      prng_(options.seed),
      term_(hard_state.term),
      vote_(hard_state.vote),
      log_(std::move(log)),
      commit_(std::max(hard_state.commit, log_.snapshot().index)),
      snapshot_data_(std::move(snapshot_data)),
      saved_hard_state_(hard_state) {
  applied_ = options.applied.value_or(log_.snapshot().index);
  RefreshConf();
  ResetElectionTimer();
}

void RaftNode::ResetElectionTimer() {
  election_elapsed_ = 0;
  randomized_timeout_ = options_.election_tick + prng_.Uniform(options_.election_tick);
}

void RaftNode::RefreshConf() {
  conf_ = log_.ConfAt(log_.last_index());
  if (role_ != Role::kLeader) return;
  for (auto it = progress_.begin(); it != progress_.end();) {
    it = conf_.voters.contains(it->first) ? std::next(it) : progress_.erase(it);
  }
  for (NodeId voter : conf_.voters) {
    if (voter == options_.id || progress_.contains(voter)) continue;
    progress_[voter] = Progress{.next = log_.last_index() + 1, .recent_active = true};
  }
}

void RaftNode::Send(Message m) {
  m.from = options_.id;
  messages_.push_back(std::move(m));
}

bool RaftNode::InLease() const {
  return options_.check_quorum && leader_ != kNoNode && election_elapsed_ < options_.election_tick;
}

void RaftNode::BecomeFollower(Term term, NodeId leader) {
  if (term > term_) {
    term_ = term;
    vote_ = kNoNode;
  }
  if (role_ == Role::kLeader) FailReads();
  role_ = Role::kFollower;
  leader_ = leader;
  progress_.clear();
  votes_.clear();
  transfer_target_ = kNoNode;
  ResetElectionTimer();
}

void RaftNode::BecomeLeader() {
  role_ = Role::kLeader;
  leader_ = options_.id;
  votes_.clear();
  progress_.clear();
  heartbeat_elapsed_ = 0;
  election_elapsed_ = 0;
  RefreshConf();
  // A leader commits entries of earlier terms only by committing one of its own (§5.4.2, §8).
  AppendAsLeader(EntryType::kNormal, "");
  BroadcastAppend();
}

void RaftNode::Campaign(bool pre_vote, bool transfer) {
  votes_.clear();
  leader_ = kNoNode;
  Term campaign_term;
  if (pre_vote) {
    role_ = Role::kPreCandidate;
    campaign_term = term_ + 1;
  } else {
    role_ = Role::kCandidate;
    ++term_;
    vote_ = options_.id;
    campaign_term = term_;
  }
  ResetElectionTimer();
  if (IsVoter()) votes_[options_.id] = true;
  if (votes_.size() >= Quorum()) {
    if (pre_vote) {
      Campaign(false, transfer);
    } else {
      BecomeLeader();
    }
    return;
  }
  RequestVotes(pre_vote, campaign_term, transfer);
}

void RaftNode::RequestVotes(bool pre_vote, Term campaign_term, bool transfer) {
  for (NodeId voter : conf_.voters) {
    if (voter == options_.id || votes_.contains(voter)) continue;
    Send(Message{.type = pre_vote ? MessageType::kPreVote : MessageType::kVote,
                 .to = voter,
                 .term = campaign_term,
                 .index = log_.last_index(),
                 .log_term = log_.last_term(),
                 .transfer = transfer});
  }
}

void RaftNode::HandleVoteRequest(const Message& m) {
  const bool pre = m.type == MessageType::kPreVote;
  // A real vote binds us for the term (§5.2); a pre-vote only says "I have not heard from a leader
  // and your log is up to date", for a term we have not entered.
  const bool can_vote =
      vote_ == m.from || (vote_ == kNoNode && leader_ == kNoNode) || (pre && m.term > term_);
  const bool grant = can_vote && log_.IsUpToDate(m.index, m.log_term);
  Message reply{.type = pre ? MessageType::kPreVoteResponse : MessageType::kVoteResponse,
                .to = m.from,
                .term = (pre && grant) ? m.term : term_,
                .reject = !grant};
  if (grant && !pre) {
    vote_ = m.from;
    ResetElectionTimer();
  }
  Send(std::move(reply));
}

void RaftNode::HandleVoteResponse(const Message& m) {
  const bool pre = m.type == MessageType::kPreVoteResponse;
  if (pre ? role_ != Role::kPreCandidate : role_ != Role::kCandidate) return;
  if (!conf_.voters.contains(m.from)) return;
  votes_.emplace(m.from, !m.reject);
  size_t granted = 0;
  size_t rejected = 0;
  for (const auto& [id, vote] : votes_) (vote ? granted : rejected)++;
  if (granted >= Quorum()) {
    if (pre) {
      Campaign(false, false);
    } else {
      BecomeLeader();
    }
  } else if (rejected > conf_.voters.size() - Quorum()) {
    BecomeFollower(term_, kNoNode);
  }
}

void RaftNode::Step(const Message& m) {
  if (m.term > term_) {
    const bool vote_request = m.type == MessageType::kPreVote || m.type == MessageType::kVote;
    // Diss. §4.2.3: a server that heard from a live leader recently ignores vote requests, so a
    // removed or partitioned server cannot depose it. A transfer's election bypasses this.
    if (vote_request && !m.transfer && InLease()) return;
    const bool granted_pre_vote = m.type == MessageType::kPreVoteResponse && !m.reject;
    if (m.type != MessageType::kPreVote && !granted_pre_vote) {
      const bool from_leader =
          m.type == MessageType::kAppend || m.type == MessageType::kInstallSnapshot;
      const int elapsed = election_elapsed_;
      BecomeFollower(m.term, from_leader ? m.from : kNoNode);
      // Only a live leader or a granted vote resets the election timer (§5.2). A vote request we
      // end up rejecting must not: stale candidates campaigning in turn would otherwise keep
      // postponing the one server whose log could win.
      if (m.type == MessageType::kVote) election_elapsed_ = elapsed;
    }
  } else if (m.term < term_) {
    // A stale leader learns our term from the reply and steps down; a stale pre-candidate learns
    // that it cannot win. Other stale messages are dropped.
    if (m.type == MessageType::kAppend || m.type == MessageType::kInstallSnapshot) {
      Send(Message{
          .type = MessageType::kAppendResponse, .to = m.from, .term = term_, .reject = true});
    } else if (m.type == MessageType::kPreVote) {
      Send(Message{
          .type = MessageType::kPreVoteResponse, .to = m.from, .term = term_, .reject = true});
    }
    return;
  }

  switch (m.type) {
    case MessageType::kPreVote:
    case MessageType::kVote:
      HandleVoteRequest(m);
      return;
    case MessageType::kPreVoteResponse:
    case MessageType::kVoteResponse:
      HandleVoteResponse(m);
      return;
    case MessageType::kAppend:
    case MessageType::kInstallSnapshot:
      if (role_ == Role::kLeader) return;  // impossible in one term (§5.2); ignore defensively
      if (role_ != Role::kFollower || leader_ != m.from) BecomeFollower(term_, m.from);
      election_elapsed_ = 0;
      if (m.type == MessageType::kAppend) {
        HandleAppend(m);
      } else {
        HandleSnapshotChunk(m);
      }
      return;
    case MessageType::kAppendResponse:
      if (role_ == Role::kLeader) HandleAppendResponse(m);
      return;
    case MessageType::kInstallSnapshotResponse:
      if (role_ == Role::kLeader) HandleSnapshotResponse(m);
      return;
    case MessageType::kTimeoutNow:
      if (role_ != Role::kLeader && CanCampaign()) Campaign(false, true);
      return;
  }
}

void RaftNode::Tick() {
  if (role_ != Role::kLeader) {
    if (++election_elapsed_ >= randomized_timeout_) {
      if (CanCampaign()) {
        Campaign(options_.pre_vote, false);
      } else {
        // A non-voter never campaigns, but it must stop treating a silent leader as alive or its
        // lease would make it ignore every vote request (it may be a voter others count on).
        leader_ = kNoNode;
        ResetElectionTimer();
      }
    } else if (role_ == Role::kPreCandidate && election_elapsed_ % options_.heartbeat_tick == 0) {
      // Voters that heard from the old leader a moment after we did are still in its lease
      // (diss. §4.2.3) and drop our pre-vote unanswered. Asking those again each heartbeat tick
      // gets their vote as soon as the lease runs out, instead of a full randomized timeout later
      // (which made failover take up to twice the election timeout). Pre-votes change no state
      // anywhere, so repeating them is safe.
      RequestVotes(/*pre_vote=*/true, term_ + 1, /*transfer=*/false);
    }
    return;
  }
  if (transfer_target_ != kNoNode && ++transfer_elapsed_ >= options_.election_tick) {
    transfer_target_ = kNoNode;  // diss. §3.10: abort a transfer that did not finish in time
  }
  if (++election_elapsed_ >= options_.election_tick) {
    election_elapsed_ = 0;
    if (options_.check_quorum && !QuorumActive()) {
      BecomeFollower(term_, kNoNode);
      return;
    }
  }
  if (++heartbeat_elapsed_ >= options_.heartbeat_tick) {
    heartbeat_elapsed_ = 0;
    BroadcastHeartbeat();
  }
}

absl::StatusOr<Proposal> RaftNode::Propose(std::string data) {
  if (role_ != Role::kLeader) {
    return absl::FailedPreconditionError(absl::StrCat(
        "raft: node ", options_.id.value(), " is not the leader (leader ", leader_.value(), ")"));
  }
  if (transfer_target_ != kNoNode) {
    return absl::UnavailableError("raft: leadership transfer in progress");
  }
  AppendAsLeader(EntryType::kNormal, std::move(data));
  BroadcastAppend();
  return Proposal{log_.last_index(), term_};
}

absl::StatusOr<Proposal> RaftNode::ProposeConfChange(const ConfChange& change) {
  if (role_ != Role::kLeader) {
    return absl::FailedPreconditionError("raft: only the leader changes the configuration");
  }
  if (transfer_target_ != kNoNode) {
    return absl::UnavailableError("raft: leadership transfer in progress");
  }
  // Diss. §4.1 (and the fix posted to raft-dev in 2015): one change at a time, and only after the
  // leader committed an entry of its own term, so two leaders' changes cannot interleave.
  if (log_.LastConfIndex() > commit_) {
    return absl::FailedPreconditionError("raft: a configuration change is still uncommitted");
  }
  if (log_.TermAt(commit_) != term_) {
    return absl::FailedPreconditionError("raft: leader has not committed an entry in its term");
  }
  const bool present = conf_.voters.contains(change.node);
  if (change.node.value() <= 0 || present == (change.type == ConfChangeType::kAddVoter)) {
    return absl::InvalidArgumentError("raft: configuration change changes nothing");
  }
  if (change.type == ConfChangeType::kRemoveVoter && conf_.voters.size() == 1) {
    return absl::InvalidArgumentError("raft: cannot remove the last voter");
  }
  AppendAsLeader(EntryType::kConfChange, EncodeConfState(Apply(conf_, change)));
  BroadcastAppend();
  return Proposal{log_.last_index(), term_};
}

absl::Status RaftNode::Compact(LogIndex index, std::string data) {
  if (index > applied_ || index <= log_.snapshot().index) {
    return absl::FailedPreconditionError(absl::StrCat("raft: cannot snapshot at ", index.value(),
                                                      " (applied ", applied_.value(), ", snapshot ",
                                                      log_.snapshot().index.value(), ")"));
  }
  SnapshotMetadata metadata{
      .index = index, .term = *log_.TermAt(index), .conf = log_.ConfAt(index)};
  log_.CompactTo(metadata);
  snapshot_data_ = data;
  snapshot_to_save_ = Snapshot{std::move(metadata), std::move(data)};
  return absl::OkStatus();
}

bool RaftNode::HasOutput() const {
  return !messages_.empty() || !read_states_.empty() || snapshot_to_save_ || snapshot_to_restore_ ||
         hard_state() != saved_hard_state_ || log_.HasUnstable() ||
         applied_ < std::min(commit_, log_.durable_last());
}

Output RaftNode::TakeOutput() {
  Output out;
  out.persist.snapshot = std::move(snapshot_to_save_);
  snapshot_to_save_.reset();
  out.persist.entries = log_.TakeUnstable();
  if (hard_state() != saved_hard_state_) {
    saved_hard_state_ = hard_state();
    out.persist.hard_state = saved_hard_state_;
  }
  out.messages = std::move(messages_);
  messages_.clear();
  out.restore_snapshot = std::move(snapshot_to_restore_);
  snapshot_to_restore_.reset();
  const LogIndex upto = std::min(commit_, log_.durable_last());
  if (applied_ < upto) {
    out.committed = log_.Slice(applied_ + 1, upto + 1, std::numeric_limits<size_t>::max());
    applied_ = upto;
  }
  out.read_states = std::move(read_states_);
  read_states_.clear();
  return out;
}

void RaftNode::Advance(const Output& output) {
  if (output.persist.snapshot) {
    log_.MarkDurable(output.persist.snapshot->metadata.index,
                     output.persist.snapshot->metadata.term);
  }
  if (!output.persist.entries.empty()) {
    log_.MarkDurable(output.persist.entries.back().index, output.persist.entries.back().term);
  }
  // The leader's own acknowledgement is its durable log end.
  if (role_ == Role::kLeader) MaybeCommit();
}

NodeStatus RaftNode::status() const {
  return NodeStatus{.id = options_.id,
                    .role = role_,
                    .term = term_,
                    .leader = leader_,
                    .commit = commit_,
                    .applied = applied_,
                    .last_index = log_.last_index(),
                    .snapshot_index = log_.snapshot().index,
                    .conf = conf_,
                    .transfer_target = transfer_target_};
}

}  // namespace eddy::raft
