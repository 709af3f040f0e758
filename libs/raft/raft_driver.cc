#include "libs/raft/raft_driver.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "libs/common/status_macros.h"

namespace eddy::raft {
namespace {

constexpr char kLeaderPayloadUrl[] = "type.eddy.dev/eddy.raft.NotLeader";

}  // namespace

absl::Status RaftDriverOptions::Validate() const {
  EDDY_RETURN_IF_ERROR(raft.Validate());
  if (tick_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("raft driver: tick_interval must be positive");
  }
  if (request_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("raft driver: request_timeout must be positive");
  }
  if (max_inbox_messages == 0) {
    return absl::InvalidArgumentError("raft driver: max_inbox_messages must be positive");
  }
  return absl::OkStatus();
}

absl::Status NotLeaderError(NodeId leader) {
  if (leader == kNoNode) return absl::UnavailableError("raft: no leader known; retry later");
  absl::Status status = absl::FailedPreconditionError(
      absl::StrCat("raft: not leader; leader is node ", leader.value()));
  status.SetPayload(kLeaderPayloadUrl, absl::Cord(absl::StrCat(leader.value())));
  return status;
}

std::optional<NodeId> LeaderOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kLeaderPayloadUrl);
  int32_t id = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &id) || id <= 0) return std::nullopt;
  return NodeId(id);
}

absl::StatusOr<std::unique_ptr<RaftDriver>> RaftDriver::Create(RaftDriverOptions options,
                                                               Storage& storage,
                                                               StateMachine& state_machine,
                                                               Transport& transport,
                                                               const common::Clock& clock) {
  EDDY_RETURN_IF_ERROR(options.Validate());
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<RaftNode> node, RaftNode::Restore(options.raft, storage));
  EDDY_ASSIGN_OR_RETURN(Snapshot snapshot, storage.LoadSnapshot());
  LogIndex applied = snapshot.metadata.index;
  if (options.raft.applied) {
    applied = *options.raft.applied;
  } else if (snapshot.metadata.index > LogIndex(0)) {
    EDDY_RETURN_IF_ERROR(state_machine.Restore(snapshot));
  }
  std::unique_ptr<RaftDriver> driver(new RaftDriver(std::move(options), storage, state_machine,
                                                    transport, clock, std::move(node), applied,
                                                    snapshot.metadata.index));
  transport.SetReceiver([d = driver.get()](Message m) { d->Receive(std::move(m)); });
  driver->PublishStatus();
  return driver;
}

RaftDriver::RaftDriver(RaftDriverOptions options, Storage& storage, StateMachine& state_machine,
                       Transport& transport, const common::Clock& clock,
                       std::unique_ptr<RaftNode> node, LogIndex applied, LogIndex snapshot_index)
    : options_(std::move(options)),
      storage_(storage),
      state_machine_(state_machine),
      transport_(transport),
      clock_(clock),
      node_(std::move(node)),
      applied_(applied),
      snapshot_index_(snapshot_index),
      next_tick_(clock.Now() + options_.tick_interval) {}

RaftDriver::~RaftDriver() { Stop(); }

void RaftDriver::Start() {
  thread_ = std::thread([this] { Run(); });
}

void RaftDriver::Poll() { RunOnce(); }

void RaftDriver::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopping_ = true;
  }
  // After this no transport thread is inside Receive, so nothing touches the inbox but us.
  transport_.SetReceiver({});
  if (thread_.joinable()) thread_.join();
  if (terminal_.ok()) terminal_ = absl::UnavailableError("raft driver stopped; outcome unknown");
  FailAll(terminal_);
  std::vector<Request> requests;
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
    requests.swap(requests_);
  }
  for (Request& request : requests) request();  // each fails with terminal_
  PublishStatus();
}

void RaftDriver::Enqueue(Request request) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopped_) {
      requests_.push_back(std::move(request));
      return;
    }
  }
  request();  // stopped: the driver state is quiescent and the request only fails
}

void RaftDriver::Receive(Message message) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  if (inbox_.size() >= options_.max_inbox_messages) {
    ++dropped_messages_;
    return;
  }
  inbox_.push_back(std::move(message));
}

void RaftDriver::Run() {
  while (true) {
    RunOnce();
    absl::MutexLock lock(&mu_);
    auto has_work = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return stopping_ || !inbox_.empty() || !requests_.empty();
    };
    // A ManualClock does not wake us, so never sleep longer than one tick of real time.
    const absl::Duration until_tick =
        std::clamp(next_tick_ - clock_.Now(), absl::ZeroDuration(), options_.tick_interval);
    mu_.AwaitWithTimeout(absl::Condition(&has_work), until_tick);
    if (stopping_) return;
  }
}

void RaftDriver::RunOnce() {
  std::vector<Message> inbox;
  std::vector<Request> requests;
  {
    absl::MutexLock lock(&mu_);
    inbox.swap(inbox_);
    requests.swap(requests_);
  }
  if (terminal_.ok()) {
    for (const Message& m : inbox) node_->Step(m);
    const absl::Time now = clock_.Now();
    if (now >= next_tick_) {
      node_->Tick();
      // One tick per iteration: after a pause (GC, SIGSTOP) the missed ticks are skipped rather
      // than replayed in a burst that would time out every peer before their messages are read.
      next_tick_ += options_.tick_interval;
      if (next_tick_ <= now) next_tick_ = now + options_.tick_interval;
    }
  }
  for (Request& request : requests) request();
  while (terminal_.ok() && node_->HasOutput()) HandleOutput(node_->TakeOutput());
  ExpireRequests(clock_.Now());
  if (terminal_.ok() && node_->leader() != kNoNode && node_->leader() != last_leader_) {
    last_leader_ = node_->leader();
    ++leader_changes_;
  }
  PublishStatus();
}

void RaftDriver::HandleOutput(Output output) {
  if (!output.persist.empty()) {
    if (absl::Status saved = storage_.Save(output.persist); !saved.ok()) {
      Fail(saved);
      return;
    }
  }
  node_->Advance(output);
  for (Message& m : output.messages) transport_.Send(std::move(m));
  if (output.restore_snapshot) {
    RestoreSnapshot(*output.restore_snapshot);
    if (!terminal_.ok()) return;
  }
  for (const Entry& entry : output.committed) {
    ApplyEntry(entry);
    if (!terminal_.ok()) return;
  }
  for (const ReadState& read : output.read_states) HandleReadState(read);
  AnswerReads();
  MaybeSnapshot();
}

void RaftDriver::RestoreSnapshot(const Snapshot& snapshot) {
  if (absl::Status restored = state_machine_.Restore(snapshot); !restored.ok()) {
    Fail(restored);
    return;
  }
  applied_ = snapshot.metadata.index;
  snapshot_index_ = std::max(snapshot_index_, applied_);
  // The entries a received snapshot covers are never seen one by one, so a proposal among them
  // cannot be matched against its entry's term.
  while (!proposals_.empty() && proposals_.begin()->first <= applied_) {
    auto node = proposals_.extract(proposals_.begin());
    node.mapped().done(
        absl::UnknownError(absl::StrCat("raft: entry ", node.key().value(),
                                        " was covered by a received snapshot; outcome unknown")));
  }
}

void RaftDriver::ApplyEntry(const Entry& entry) {
  if (entry.index <= applied_) return;  // already reflected by a restored snapshot
  if (entry.type == EntryType::kNormal && !entry.data.empty()) {
    if (absl::Status applied = state_machine_.Apply(entry); !applied.ok()) {
      Fail(applied);
      return;
    }
  }
  applied_ = entry.index;
  auto it = proposals_.find(entry.index);
  if (it == proposals_.end()) return;
  auto node = proposals_.extract(it);
  if (node.mapped().term == entry.term) {
    node.mapped().done(entry.index);
  } else {
    node.mapped().done(absl::AbortedError(
        absl::StrCat("raft: entry ", entry.index.value(), " of term ", node.mapped().term.value(),
                     " was replaced by another leader's entry of term ", entry.term.value())));
  }
}

void RaftDriver::HandleReadState(const ReadState& read) {
  auto it = reads_.find(read.request_id);
  if (it == reads_.end()) return;  // expired already
  auto node = reads_.extract(it);
  if (!read.ok) {
    node.mapped().done(NotLeaderError(node_->leader()));
    return;
  }
  waiters_.emplace(read.index, std::move(node.mapped()));
}

void RaftDriver::AnswerReads() {
  while (!waiters_.empty() && waiters_.begin()->first <= applied_) {
    auto node = waiters_.extract(waiters_.begin());
    node.mapped().done(absl::OkStatus());
  }
}

void RaftDriver::MaybeSnapshot() {
  const uint64_t interval = options_.snapshot_interval_entries;
  if (interval == 0 || static_cast<uint64_t>(applied_ - snapshot_index_) < interval) return;
  // Compact only fails when the node disagrees about what was applied; retrying at every entry
  // would not help, so the next attempt waits for another interval either way.
  if (absl::Status compacted = node_->Compact(applied_, state_machine_.Snapshot());
      !compacted.ok()) {
    spdlog::warn("raft driver: snapshot at {} failed: {}", applied_.value(), compacted.ToString());
  }
  snapshot_index_ = applied_;
}

void RaftDriver::ExpireRequests(absl::Time now) {
  for (auto it = proposals_.begin(); it != proposals_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    auto node = proposals_.extract(it++);
    node.mapped().done(absl::DeadlineExceededError(
        absl::StrCat("raft: entry ", node.key().value(), " not applied in time; outcome unknown")));
  }
  for (auto it = reads_.begin(); it != reads_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    auto node = reads_.extract(it++);
    node.mapped().done(absl::DeadlineExceededError("raft: read index not confirmed in time"));
  }
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    auto node = waiters_.extract(it++);
    node.mapped().done(absl::DeadlineExceededError("raft: read index not applied in time"));
  }
}

void RaftDriver::Track(const Proposal& proposal, ProposeCallback done) {
  PendingProposal pending{proposal.term, clock_.Now() + options_.request_timeout, std::move(done)};
  auto [it, inserted] = proposals_.try_emplace(proposal.index, std::move(pending));
  if (inserted) return;
  // An earlier proposal at this index is no longer in our log: a later leader overwrote it.
  PendingProposal old = std::exchange(it->second, std::move(pending));
  old.done(absl::AbortedError(absl::StrCat("raft: entry ", proposal.index.value(),
                                           " was replaced by a later leader's entry")));
}

absl::Status RaftDriver::NodeError(const absl::Status& status) const {
  if (node_->role() != Role::kLeader) return NotLeaderError(node_->leader());
  return status;
}

void RaftDriver::Fail(absl::Status status) {
  spdlog::error("raft driver: node {} stops: {}", options_.raft.id.value(), status.ToString());
  terminal_ = std::move(status);
  FailAll(terminal_);
  absl::MutexLock lock(&mu_);
  status_.failed = true;
}

void RaftDriver::FailAll(const absl::Status& status) {
  auto proposals = std::move(proposals_);
  auto reads = std::move(reads_);
  auto waiters = std::move(waiters_);
  proposals_.clear();
  reads_.clear();
  waiters_.clear();
  for (auto& [index, proposal] : proposals) proposal.done(status);
  for (auto& [id, read] : reads) read.done(status);
  for (auto& [index, read] : waiters) read.done(status);
}

void RaftDriver::PublishStatus() {
  NodeStatus node = node_->status();
  absl::MutexLock lock(&mu_);
  status_.node = std::move(node);
  status_.leader_changes = leader_changes_;
}

RaftDriverStatus RaftDriver::status() const {
  absl::MutexLock lock(&mu_);
  RaftDriverStatus status = status_;
  status.dropped_messages = dropped_messages_;
  return status;
}

void RaftDriver::Propose(std::string data, ProposeCallback done) {
  if (data.empty()) {
    done(absl::InvalidArgumentError("raft: empty data is reserved for leaders' no-op entries"));
    return;
  }
  Enqueue([this, data = std::move(data), done = std::move(done)]() mutable {
    if (!terminal_.ok()) {
      done(terminal_);
      return;
    }
    absl::StatusOr<Proposal> proposal = node_->Propose(std::move(data));
    if (!proposal.ok()) {
      done(NodeError(proposal.status()));
      return;
    }
    Track(*proposal, std::move(done));
  });
}

void RaftDriver::AddVoter(NodeId node, ProposeCallback done) {
  ProposeChange({ConfChangeType::kAddVoter, node}, std::move(done));
}

void RaftDriver::RemoveVoter(NodeId node, ProposeCallback done) {
  ProposeChange({ConfChangeType::kRemoveVoter, node}, std::move(done));
}

void RaftDriver::ProposeChange(const ConfChange& change, ProposeCallback done) {
  Enqueue([this, change, done = std::move(done)]() mutable {
    if (!terminal_.ok()) {
      done(terminal_);
      return;
    }
    absl::StatusOr<Proposal> proposal = node_->ProposeConfChange(change);
    if (!proposal.ok()) {
      done(NodeError(proposal.status()));
      return;
    }
    Track(*proposal, std::move(done));
  });
}

void RaftDriver::LinearizableRead(DoneCallback done) {
  Enqueue([this, done = std::move(done)]() mutable {
    if (!terminal_.ok()) {
      done(terminal_);
      return;
    }
    const uint64_t id = next_read_id_++;
    if (absl::Status started = node_->ReadIndex(id); !started.ok()) {
      done(NodeError(started));
      return;
    }
    reads_[id] = {clock_.Now() + options_.request_timeout, std::move(done)};
  });
}

void RaftDriver::TransferLeadership(NodeId target, DoneCallback done) {
  Enqueue([this, target, done = std::move(done)]() mutable {
    if (!terminal_.ok()) {
      done(terminal_);
      return;
    }
    absl::Status started = node_->TransferLeadership(target);
    done(started.ok() ? started : NodeError(started));
  });
}

}  // namespace eddy::raft
