// RaftNode: log replication (§5.3), commitment (§5.4.2) and snapshot transfer (§7).
#include <algorithm>
#include <functional>
#include <utility>

#include "libs/raft/node.h"

namespace eddy::raft {

using internal::Progress;

void RaftNode::AppendAsLeader(EntryType type, std::string data) {
  log_.Append({Entry{log_.last_index() + 1, term_, type, std::move(data)}});
  if (type == EntryType::kConfChange) RefreshConf();
}

void RaftNode::SendAppend(NodeId to, bool allow_empty) {
  Progress& pr = progress_.at(to);
  if (pr.state == Progress::State::kSnapshot) {
    SendSnapshotChunk(to, pr);
    return;
  }
  if (pr.state == Progress::State::kProbe && pr.probe_sent && !allow_empty) return;
  const LogIndex prev = pr.next - 1;
  const std::optional<Term> prev_term = log_.TermAt(prev);
  if (!prev_term) {
    // The follower needs entries we compacted: send the snapshot instead (§7).
    pr.state = Progress::State::kSnapshot;
    pr.snapshot = log_.snapshot();
    pr.snapshot_offset = 0;
    SendSnapshotChunk(to, pr);
    return;
  }
  std::vector<Entry> entries;
  if (pr.next <= log_.last_index()) {
    const LogIndex end = std::min(log_.last_index() + 1,
                                  pr.next + static_cast<int64_t>(options_.max_append_entries));
    entries = log_.Slice(pr.next, end, options_.max_append_bytes);
  }
  if (entries.empty() && !allow_empty) return;
  if (pr.state == Progress::State::kReplicate && !entries.empty()) {
    pr.next = entries.back().index + 1;
  }
  if (pr.state == Progress::State::kProbe) pr.probe_sent = true;
  Send(Message{.type = MessageType::kAppend,
               .to = to,
               .term = term_,
               .index = prev,
               .log_term = *prev_term,
               .entries = std::move(entries),
               .commit = commit_,
               .read_context = read_context_});
}

void RaftNode::SendSnapshotChunk(NodeId to, Progress& pr) {
  if (pr.snapshot != log_.snapshot()) {
    // A newer snapshot replaced the one in flight: restart the transfer with it.
    pr.snapshot = log_.snapshot();
    pr.snapshot_offset = 0;
  }
  const uint64_t offset = std::min<uint64_t>(pr.snapshot_offset, snapshot_data_.size());
  Send(Message{.type = MessageType::kInstallSnapshot,
               .to = to,
               .term = term_,
               .read_context = read_context_,
               .snapshot = pr.snapshot,
               .snapshot_size = snapshot_data_.size(),
               .offset = offset,
               .chunk = snapshot_data_.substr(offset, options_.snapshot_chunk_bytes)});
}

void RaftNode::BroadcastAppend() {
  for (auto& [id, pr] : progress_) SendAppend(id, false);
}

void RaftNode::BroadcastHeartbeat() {
  const LogIndex last = log_.last_index();
  for (auto& [id, pr] : progress_) {
    // The heartbeat doubles as retransmission: anything unacknowledged since the last one is resent
    // from the follower's match, so a dropped append stalls a follower for one heartbeat at most.
    if (pr.state == Progress::State::kReplicate && pr.match < last) pr.next = pr.match + 1;
    pr.probe_sent = false;
    SendAppend(id, true);
  }
}

void RaftNode::HandleAppend(const Message& m) {
  Message reply{.type = MessageType::kAppendResponse,
                .to = m.from,
                .term = term_,
                .read_context = m.read_context};
  const LogIndex last_new = m.index + static_cast<int64_t>(m.entries.size());
  LogIndex prev = m.index;
  Term prev_term = m.log_term;
  size_t skip = 0;
  if (prev < commit_) {
    // Our committed prefix is in every later leader's log (§5.4.1), so the part of the request
    // that overlaps it matches and only the rest needs the consistency check.
    if (last_new <= commit_) {
      reply.index = commit_;
      Send(std::move(reply));
      return;
    }
    skip = static_cast<size_t>(commit_ - prev);
    prev = commit_;
    prev_term = *log_.TermAt(commit_);
  }
  if (!log_.MatchTerm(prev, prev_term)) {
    reply.reject = true;
    reply.index = m.index;
    if (prev > log_.last_index()) {
      reply.reject_hint = log_.last_index();
    } else {
      // Skip back over the whole conflicting term in one round trip.
      const Term conflicting = *log_.TermAt(prev);
      LogIndex i = prev - 1;
      while (i > commit_ && log_.TermAt(i) == conflicting) --i;
      reply.reject_hint = i;
    }
    Send(std::move(reply));
    return;
  }
  std::vector<Entry> entries(m.entries.begin() + static_cast<std::ptrdiff_t>(skip),
                             m.entries.end());
  const bool conf_changed = std::any_of(entries.begin(), entries.end(), [](const Entry& e) {
    return e.type == EntryType::kConfChange;
  });
  const std::optional<LogIndex> truncated = log_.Append(entries);
  if (truncated || conf_changed) RefreshConf();
  commit_ = std::max(commit_, std::min(m.commit, last_new));
  reply.index = last_new;
  Send(std::move(reply));
}

void RaftNode::OnPeerResponse(Progress& pr, const Message& m) {
  pr.recent_active = true;
  if (m.read_context > pr.read_ack) {
    pr.read_ack = m.read_context;
    CheckReads();
  }
}

void RaftNode::HandleAppendResponse(const Message& m) {
  auto it = progress_.find(m.from);
  if (it == progress_.end()) return;
  Progress& pr = it->second;
  OnPeerResponse(pr, m);
  if (m.reject) {
    // Ignore rejections of appends we have since moved past (duplicated or reordered replies).
    if (m.index <= pr.match || pr.state == Progress::State::kSnapshot) return;
    if (pr.state == Progress::State::kProbe && m.index != pr.next - 1) return;
    pr.next = std::max(pr.match + 1, std::min(m.index, m.reject_hint + 1));
    pr.state = Progress::State::kProbe;
    pr.probe_sent = false;
    SendAppend(m.from, true);
    return;
  }
  pr.match = std::max(pr.match, m.index);
  pr.next = std::max(pr.next, m.index + 1);
  pr.probe_sent = false;
  if (pr.state == Progress::State::kProbe ||
      (pr.state == Progress::State::kSnapshot && pr.match >= pr.snapshot.index)) {
    pr.state = Progress::State::kReplicate;
    pr.next = pr.match + 1;
  }
  MaybeSendTimeoutNow(m.from);
  if (pr.next <= log_.last_index()) SendAppend(m.from, false);
  MaybeCommit();
}

void RaftNode::HandleSnapshotChunk(const Message& m) {
  Message reply{.type = MessageType::kInstallSnapshotResponse,
                .to = m.from,
                .term = term_,
                .read_context = m.read_context,
                .snapshot = m.snapshot};
  if (m.snapshot.index <= commit_) {
    // We already hold everything the snapshot covers, committed.
    reply.index = commit_;
    reply.offset = m.snapshot_size;
    Send(std::move(reply));
    return;
  }
  const bool same = incoming_ && incoming_->leader_term == term_ &&
                    incoming_->metadata == m.snapshot && incoming_->size == m.snapshot_size;
  if (!same || m.offset == 0) {
    if (m.offset != 0) {
      reply.offset = 0;  // we lost the start (restart or new snapshot): ask for it again
      Send(std::move(reply));
      return;
    }
    incoming_ = IncomingSnapshot{term_, m.snapshot, m.snapshot_size, ""};
  }
  if (m.offset == incoming_->data.size() &&
      incoming_->data.size() + m.chunk.size() <= incoming_->size) {
    incoming_->data += m.chunk;
  }
  reply.offset = incoming_->data.size();
  if (incoming_->data.size() == incoming_->size) {
    Snapshot snapshot{incoming_->metadata, std::move(incoming_->data)};
    incoming_.reset();
    log_.Restore(snapshot.metadata);
    commit_ = snapshot.metadata.index;
    applied_ = snapshot.metadata.index;
    snapshot_data_ = snapshot.data;
    RefreshConf();
    reply.index = snapshot.metadata.index;
    snapshot_to_save_ = snapshot;
    snapshot_to_restore_ = std::move(snapshot);
  }
  Send(std::move(reply));
}

void RaftNode::HandleSnapshotResponse(const Message& m) {
  auto it = progress_.find(m.from);
  if (it == progress_.end()) return;
  Progress& pr = it->second;
  OnPeerResponse(pr, m);
  if (m.index != LogIndex(0)) {
    // Installed (or already covered): the follower's log matches ours up to m.index.
    pr.match = std::max(pr.match, m.index);
    if (pr.state == Progress::State::kSnapshot || pr.next <= pr.match) {
      pr.state = Progress::State::kReplicate;
      pr.next = pr.match + 1;
    }
    MaybeSendTimeoutNow(m.from);
    SendAppend(m.from, false);
    MaybeCommit();
    return;
  }
  if (pr.state != Progress::State::kSnapshot || m.snapshot != pr.snapshot) return;
  // One chunk is in flight at a time: a reply that does not move the offset is a duplicate, and
  // answering every duplicate would multiply the chunks in flight. Lost chunks are resent on the
  // heartbeat.
  if (m.offset == pr.snapshot_offset) return;
  pr.snapshot_offset = m.offset;
  SendSnapshotChunk(m.from, pr);
}

void RaftNode::MaybeCommit() {
  if (role_ != Role::kLeader || conf_.voters.empty()) return;
  std::vector<LogIndex> matches;
  for (NodeId voter : conf_.voters) {
    matches.push_back(voter == options_.id ? log_.durable_last() : progress_.at(voter).match);
  }
  std::sort(matches.begin(), matches.end(), std::greater<>());
  const LogIndex quorum_index = matches[Quorum() - 1];
  // Only an entry of the leader's own term is committed by counting replicas (§5.4.2).
  if (quorum_index <= commit_ || log_.TermAt(quorum_index) != term_) return;
  const bool first_in_term = log_.TermAt(commit_) != term_;
  commit_ = quorum_index;
  if (first_in_term) OnCommittedInTerm();
  // Diss. §4.2.2: a leader that is not part of the committed configuration steps down.
  if (!IsVoter() && log_.LastConfIndex() <= commit_) BecomeFollower(term_, kNoNode);
}

bool RaftNode::QuorumActive() {
  size_t active = IsVoter() ? 1 : 0;
  for (auto& [id, pr] : progress_) {
    if (pr.recent_active) ++active;
    pr.recent_active = false;
  }
  return active >= Quorum();
}

}  // namespace eddy::raft
