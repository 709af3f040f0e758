// RaftDriver runs one RaftNode: it owns the only thread that touches the node, feeds it clock ticks
// and incoming messages, and drains its Output exactly as types.h requires: (1) Storage::Save the
// persist part, (2) Advance, (3) send the messages, (4) restore a received snapshot and apply the
// committed entries to the StateMachine, (5) answer ReadIndex requests once applied that far. It
// adds what the pure core leaves to a driver: client callbacks for proposals and reads, automatic
// snapshots (StateMachine::Snapshot + RaftNode::Compact every N applied entries), and metrics.
//
// Threading: Start() runs the loop on a thread of its own (production); alternatively a test calls
// Poll() repeatedly from one thread with a ManualClock, which makes a cluster of drivers wired by a
// MemoryNetwork fully deterministic. Client calls (Propose, LinearizableRead, ...) may come from
// any thread: they are queued and run on the driver's thread, and their callbacks run there too,
// after the state machine applied what they wait for. Callbacks must not block; they may make new
// client calls (those only enqueue) but must not call Stop.
//
// Failure: a Storage or StateMachine error stops the driver for good (status().failed); a replica
// that cannot persist or apply must not keep voting or acknowledging. Every pending and later call
// then fails with that error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "libs/raft/node.h"
#include "libs/raft/storage.h"
#include "libs/raft/transport.h"
#include "libs/raft/types.h"

namespace eddy::raft {

// StateMachine is the replicated state a driver applies committed entries to.
// Thread-safety: called only from the driver's thread.
class StateMachine {
 public:
  virtual ~StateMachine() = default;
  // Apply applies one committed entry that carries application data (type kNormal, non-empty
  // data; the driver skips leaders' no-ops and configuration entries). Must be deterministic. A
  // non-OK result stops the driver.
  virtual absl::Status Apply(const Entry& entry) = 0;
  // Snapshot serializes the state as of the last applied entry.
  virtual std::string Snapshot() = 0;
  // Restore replaces the state with `snapshot.data` (state as of snapshot.metadata.index).
  virtual absl::Status Restore(const raft::Snapshot& snapshot) = 0;
};

struct RaftDriverOptions {
  RaftOptions raft;
  absl::Duration tick_interval = absl::Milliseconds(100);  // clock time per Raft tick; > 0
  // Applied entries between automatic snapshots; 0 disables them.
  uint64_t snapshot_interval_entries = 10000;
  // A proposal or read still unresolved after this fails with DeadlineExceeded (outcome unknown for
  // a proposal: it may still commit). > 0.
  absl::Duration request_timeout = absl::Seconds(10);
  size_t max_inbox_messages = 8192;  // incoming messages buffered; more are dropped; > 0

  absl::Status Validate() const;
};

// RaftDriverStatus is what a member exports as metrics and uses to route clients.
struct RaftDriverStatus {
  NodeStatus node;
  uint64_t leader_changes = 0;    // times a different leader became known
  uint64_t dropped_messages = 0;  // incoming messages dropped because the inbox was full
  bool failed = false;            // a storage or state machine error stopped the driver
};

// NotLeaderError is how a call that needs the leader fails elsewhere: FailedPrecondition naming
// `leader` (also as a payload LeaderOf reads back), or Unavailable when no leader is known (an
// election is under way; retry later). Same split as libs/rpc/leader_hint.h.
absl::Status NotLeaderError(NodeId leader);
// LeaderOf returns the leader a NotLeaderError names, if any.
std::optional<NodeId> LeaderOf(const absl::Status& status);

class RaftDriver {
 public:
  // ProposeCallback receives the index the entry was applied at, or: NotLeaderError; Aborted when
  // another leader's entry replaced it (it will never apply); Unknown when a received snapshot
  // covered it (it may or may not have committed); DeadlineExceeded after request_timeout;
  // Unavailable when the driver stopped first.
  using ProposeCallback = absl::AnyInvocable<void(absl::StatusOr<LogIndex>)>;
  using DoneCallback = absl::AnyInvocable<void(absl::Status)>;

  // Create restores the node from `storage` and, unless options.raft.applied says the state machine
  // is already there, the state machine from the stored snapshot; then installs itself as the
  // transport's receiver. Every reference must outlive the driver.
  static absl::StatusOr<std::unique_ptr<RaftDriver>> Create(RaftDriverOptions options,
                                                            Storage& storage,
                                                            StateMachine& state_machine,
                                                            Transport& transport,
                                                            const common::Clock& clock);
  // Stops the driver (see Stop).
  ~RaftDriver();

  RaftDriver(const RaftDriver&) = delete;
  RaftDriver& operator=(const RaftDriver&) = delete;

  // Start runs the loop on a new thread. REQUIRES: called at most once, never with Poll.
  void Start();
  // Poll runs one loop iteration on the caller's thread: the tick due by the clock, incoming
  // messages, queued calls and all resulting output. REQUIRES: Start was not called.
  void Poll();
  // Stop detaches from the transport, stops the thread and fails every pending call with
  // Unavailable. Idempotent. Safe from any thread except the driver's own (a callback).
  void Stop();

  // Propose replicates `data` (non-empty: empty data is reserved for leaders' no-ops).
  void Propose(std::string data, ProposeCallback done);
  // AddVoter / RemoveVoter change membership one server at a time (dissertation §4.1); `done`
  // gets the index of the configuration entry once applied. The transport must already reach an
  // added server.
  void AddVoter(NodeId node, ProposeCallback done);
  void RemoveVoter(NodeId node, ProposeCallback done);
  // LinearizableRead calls `done` with OK once the state machine reflects every write committed
  // before the call (ReadIndex, dissertation §6.4): reading the state machine inside `done` (on the
  // driver thread) is linearizable. NotLeaderError on a follower.
  void LinearizableRead(DoneCallback done);
  // TransferLeadership asks the leader to hand over to `target`; `done` reports whether the
  // transfer started (the new leader shows up in status() later).
  void TransferLeadership(NodeId target, DoneCallback done);

  RaftDriverStatus status() const;

 private:
  struct PendingProposal {
    Term term;
    absl::Time deadline;
    ProposeCallback done;
  };
  struct PendingRead {
    absl::Time deadline;
    DoneCallback done;
  };
  using Request = absl::AnyInvocable<void()>;

  RaftDriver(RaftDriverOptions options, Storage& storage, StateMachine& state_machine,
             Transport& transport, const common::Clock& clock, std::unique_ptr<RaftNode> node,
             LogIndex applied, LogIndex snapshot_index);

  void Enqueue(Request request);
  void Receive(Message message);
  void Run();
  void RunOnce();
  void HandleOutput(Output output);
  void ApplyEntry(const Entry& entry);
  void RestoreSnapshot(const Snapshot& snapshot);
  void HandleReadState(const ReadState& read);
  void AnswerReads();
  void MaybeSnapshot();
  void ExpireRequests(absl::Time now);
  void ProposeChange(const ConfChange& change, ProposeCallback done);
  // Track remembers `done` until the entry `proposal` names is applied (or replaced).
  void Track(const Proposal& proposal, ProposeCallback done);
  absl::Status NodeError(const absl::Status& status) const;
  void Fail(absl::Status status);
  void FailAll(const absl::Status& status);
  void PublishStatus();

  const RaftDriverOptions options_;
  Storage& storage_;
  StateMachine& state_machine_;
  Transport& transport_;
  const common::Clock& clock_;

  // Driver-thread state (the driver's thread, or Poll's caller).
  std::unique_ptr<RaftNode> node_;
  LogIndex applied_;
  LogIndex snapshot_index_;
  absl::Time next_tick_;
  NodeId last_leader_ = kNoNode;
  uint64_t leader_changes_ = 0;
  absl::Status terminal_;  // non-OK once failed or stopped: every call fails with it
  std::map<LogIndex, PendingProposal> proposals_;
  uint64_t next_read_id_ = 1;
  std::map<uint64_t, PendingRead> reads_;         // ReadIndex issued, ReadState not yet received
  std::multimap<LogIndex, PendingRead> waiters_;  // ReadState received, waiting for apply

  mutable absl::Mutex mu_;
  std::vector<Message> inbox_ ABSL_GUARDED_BY(mu_);
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t dropped_messages_ ABSL_GUARDED_BY(mu_) = 0;
  RaftDriverStatus status_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace eddy::raft
