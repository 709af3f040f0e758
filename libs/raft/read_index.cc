// RaftNode: linearizable reads with ReadIndex (diss. §6.4) and leadership transfer (diss. §3.10).
//
// ReadIndex: the leader records its commit index with a fresh read context, sends it to every
// follower on the next append/heartbeat, and answers once a majority (itself included) echoed a
// context at least that new in its term. That proves no other leader had been elected when the read
// was registered, so the recorded commit index covers every write acknowledged before the read
// started. A new leader first waits for an entry of its own term to commit (its commit index may be
// stale until then).
#include <utility>

#include "libs/raft/node.h"

namespace eddy::raft {

absl::Status RaftNode::ReadIndex(uint64_t request_id) {
  if (role_ != Role::kLeader) {
    return absl::FailedPreconditionError("raft: only the leader serves ReadIndex");
  }
  if (log_.TermAt(commit_) != term_) {
    reads_awaiting_commit_.push_back(request_id);
    return absl::OkStatus();
  }
  RegisterRead(request_id);
  return absl::OkStatus();
}

void RaftNode::RegisterRead(uint64_t request_id) {
  pending_reads_.push_back(PendingRead{request_id, commit_, ++read_context_});
  if (progress_.empty()) {
    CheckReads();
    return;
  }
  for (auto& [id, pr] : progress_) SendAppend(id, true);
}

void RaftNode::CheckReads() {
  while (!pending_reads_.empty()) {
    const PendingRead& read = pending_reads_.front();
    size_t acks = IsVoter() ? 1 : 0;
    for (const auto& [id, pr] : progress_) {
      if (pr.read_ack >= read.context) ++acks;
    }
    if (acks < Quorum()) return;
    read_states_.push_back(ReadState{read.request_id, read.index, true});
    pending_reads_.pop_front();
  }
}

void RaftNode::FailReads() {
  for (const PendingRead& read : pending_reads_) {
    read_states_.push_back(ReadState{read.request_id, read.index, false});
  }
  for (uint64_t id : reads_awaiting_commit_) read_states_.push_back(ReadState{id, commit_, false});
  pending_reads_.clear();
  reads_awaiting_commit_.clear();
}

void RaftNode::OnCommittedInTerm() {
  std::vector<uint64_t> waiting = std::move(reads_awaiting_commit_);
  reads_awaiting_commit_.clear();
  for (uint64_t id : waiting) RegisterRead(id);
}

absl::Status RaftNode::TransferLeadership(NodeId target) {
  if (role_ != Role::kLeader) {
    return absl::FailedPreconditionError("raft: only the leader transfers leadership");
  }
  if (target == options_.id) return absl::OkStatus();
  if (!conf_.voters.contains(target)) {
    return absl::InvalidArgumentError("raft: transfer target is not a voter");
  }
  transfer_target_ = target;
  transfer_elapsed_ = 0;
  MaybeSendTimeoutNow(target);
  SendAppend(target, true);
  return absl::OkStatus();
}

void RaftNode::MaybeSendTimeoutNow(NodeId to) {
  if (transfer_target_ != to || progress_.at(to).match != log_.last_index()) return;
  // The target's log is as up to date as ours, so it can win at once; our lease no longer matters
  // because the target's vote requests carry the transfer flag.
  Send(Message{.type = MessageType::kTimeoutNow, .to = to, .term = term_});
}

}  // namespace eddy::raft
