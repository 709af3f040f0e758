#include "libs/raft/simulation.h"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/raft/internal/kv_model.h"
#include "libs/raft/internal/splitmix.h"
#include "libs/raft/linearizability.h"
#include "libs/raft/memory_storage.h"
#include "libs/raft/node.h"

namespace eddy::raft {
namespace {

using Kind = KvOperation::Kind;

using internal::ApplyCommand;
using internal::DecodeCommand;
using internal::DecodeKv;
using internal::EncodeCommand;
using internal::EncodeKv;
using internal::KvCommand;
using internal::KvState;
using Prng = internal::SplitMix64;

constexpr char kMarker[] = "liveness";
// kThinkTicks bounds a client's pause between operations; it spreads the capped history over the
// whole faulty phase instead of spending it in the first ticks.
constexpr int kThinkTicks = 12;

struct PendingIo {
  int due = 0;
  Output output;
};

struct SimNode {
  std::unique_ptr<MemoryStorage> storage;
  std::unique_ptr<RaftNode> raft;  // null while crashed
  std::deque<PendingIo> io;
  KvState kv;
  LogIndex applied;
  int restart_at = 0;
  int compact_every = 0;
};

struct Client {
  enum class State { kIdle, kWrite, kRead } state = State::kIdle;
  NodeId node;
  Proposal proposal;
  uint64_t read_id = 0;
  std::optional<LogIndex> read_index;
  size_t op = 0;  // index into the history
  int deadline = 0;
  int next_start = 0;
};

class Simulation {
 public:
  explicit Simulation(const SimulationOptions& options) : options_(options), rng_(options.seed) {}

  SimulationResult Run() {
    Setup();
    const int end = options_.fault_ticks + options_.heal_ticks;
    for (now_ = 0; now_ < end && result_.ok; ++now_) {
      if (now_ == options_.fault_ticks) Heal();
      if (now_ < options_.fault_ticks) InjectFaults();
      RestartDueNodes();
      for (auto& [id, n] : nodes_) {
        if (!n.raft) continue;
        n.raft->Tick();
        Pump(id);
      }
      DeliverMessages();
      CompleteIo();
      RunClients();
      if (now_ >= options_.fault_ticks) DriveLiveness();
      CheckElectionSafety();
      if (now_ % 10 == 0) CheckLogs();
    }
    if (result_.ok) Finish();
    return std::move(result_);
  }

 private:
  template <typename... Args>
  void Trace(const Args&... args) {
    if (options_.trace) result_.trace.push_back(absl::StrCat("t=", now_, " ", args...));
  }

  void Fail(const std::string& what) {
    if (!result_.ok) return;
    result_.ok = false;
    result_.failure = absl::StrCat("t=", now_, ": ", what);
    for (const auto& [id, n] : nodes_) {
      if (!n.raft) {
        absl::StrAppend(&result_.failure, "\n  node ", id.value(), ": down");
        continue;
      }
      const NodeStatus st = n.raft->status();
      absl::StrAppend(&result_.failure, "\n  node ", id.value(), ": ",
                      std::string(RoleName(st.role)), " term=", st.term.value(),
                      " commit=", st.commit.value(), " last=", st.last_index.value(), "@",
                      n.raft->log().last_term().value(), " snapshot=", st.snapshot_index.value(),
                      " voters=");
      for (NodeId v : st.conf.voters) absl::StrAppend(&result_.failure, v.value(), ",");
    }
  }

  void Setup() {
    drop_ = rng_.Uniform(11) / 100.0;
    duplicate_ = rng_.Uniform(6) / 100.0;
    // Latency stays well below the election timeout, as in a real deployment: with a round trip
    // close to the timeout's random spread, pre-vote plus vote rounds collide again and again.
    max_delay_ = 1 + rng_.Uniform(3);
    base_.election_tick = 15;
    base_.heartbeat_tick = 2 + rng_.Uniform(2);
    base_.max_append_entries = 1 + rng_.Uniform(8);
    // A few chunks per snapshot: one is in flight per round trip, so 1-byte chunks would keep a
    // follower catching up for longer than the run.
    base_.snapshot_chunk_bytes = 8 + rng_.Uniform(24);
    // Safety must not depend on the optional protections, and without check-quorum a deposed
    // leader keeps serving for as long as its partition lasts, which stale reads need to show.
    base_.pre_vote = rng_.Chance(0.75);
    base_.check_quorum = rng_.Chance(0.75);
    ConfState conf;
    for (int id = 1; id <= options_.nodes; ++id) conf.voters.insert(NodeId(id));
    for (int id = 1; id <= options_.nodes + 1; ++id) {
      SimNode& n = nodes_[NodeId(id)];
      n.storage = std::make_unique<MemoryStorage>(id <= options_.nodes ? conf : ConfState{});
      n.compact_every = 3 + rng_.Uniform(12);
      Start(NodeId(id));
    }
    clients_.resize(options_.clients);
    Trace("drop=", drop_, " dup=", duplicate_, " max_delay=", max_delay_,
          " heartbeat=", base_.heartbeat_tick, " chunk=", base_.snapshot_chunk_bytes,
          " pre_vote=", base_.pre_vote, " check_quorum=", base_.check_quorum);
  }

  void Start(NodeId id) {
    SimNode& n = nodes_.at(id);
    RaftOptions options = base_;
    options.id = id;
    options.seed = rng_.Next();
    absl::StatusOr<std::unique_ptr<RaftNode>> raft = RaftNode::Restore(options, *n.storage);
    if (!raft.ok()) {
      Fail(absl::StrCat("restore of node ", id.value(), ": ", raft.status().ToString()));
      return;
    }
    n.raft = *std::move(raft);
    absl::StatusOr<Snapshot> snapshot = n.storage->LoadSnapshot();
    n.kv = DecodeKv(snapshot->data);
    n.applied = snapshot->metadata.index;
  }

  void Crash(NodeId id) {
    SimNode& n = nodes_.at(id);
    n.raft.reset();
    n.io.clear();  // unsaved writes are lost
    n.restart_at = now_ + 5 + rng_.Uniform(40);
    ++result_.crashes;
    Trace("crash ", id.value());
    for (Client& c : clients_) {
      if (c.state != Client::State::kIdle && c.node == id) GiveUp(c);
    }
  }

  void RestartDueNodes() {
    for (auto& [id, n] : nodes_) {
      if (n.raft || n.restart_at > now_) continue;
      Trace("restart ", id.value());
      Start(id);
    }
  }

  void Heal() {
    blocked_.clear();
    partition_end_ = 0;
    drop_ = 0;
    duplicate_ = 0;
    max_delay_ = 1;
    for (auto& [id, n] : nodes_) n.restart_at = std::min(n.restart_at, now_);
    Trace("heal");
  }

  std::optional<NodeId> Leader() const {
    std::optional<NodeId> best;
    Term best_term;
    for (const auto& [id, n] : nodes_) {
      if (!n.raft) continue;
      if (n.raft->role() == Role::kLeader && (!best || n.raft->term() > best_term)) {
        best = id;
        best_term = n.raft->term();
      }
    }
    return best;
  }

  void InjectFaults() {
    if (rng_.Chance(0.01)) {
      std::vector<NodeId> up;
      for (const auto& [id, n] : nodes_) {
        if (n.raft) up.push_back(id);
      }
      if (!up.empty()) Crash(up[rng_.Uniform(static_cast<int>(up.size()))]);
    }
    if (partition_end_ != 0 && now_ >= partition_end_) {
      blocked_.clear();
      partition_end_ = 0;
      Trace("partition healed");
    } else if (partition_end_ == 0 && rng_.Chance(0.02)) {
      // Half the partitions cut the leader off alone (the case that makes a deposed leader serve
      // clients), the others split the nodes at random.
      std::set<NodeId> side;
      std::optional<NodeId> leader = Leader();
      if (leader && rng_.Chance(0.5)) {
        side.insert(*leader);
      } else {
        for (const auto& [id, n] : nodes_) {
          if (rng_.Chance(0.5)) side.insert(id);
        }
      }
      for (const auto& [a, na] : nodes_) {
        for (const auto& [b, nb] : nodes_) {
          if (side.contains(a) != side.contains(b)) blocked_.insert({a, b});
        }
      }
      partition_end_ = now_ + 10 + rng_.Uniform(50);
      Trace("partition, side of ", side.size(), " until ", partition_end_);
    }
    std::optional<NodeId> leader = Leader();
    if (!leader) return;
    RaftNode& raft = *nodes_.at(*leader).raft;
    const std::set<NodeId> voters = raft.status().conf.voters;
    if (options_.membership_changes && rng_.Chance(0.02)) {
      const int size = static_cast<int>(voters.size());
      ConfChange change;
      // Sizes stay within [nodes, nodes + 1]: a two-voter group (reachable from three) livelocks on
      // split votes for longer than the run when latency is this close to the election timeout.
      if (size > options_.nodes) {
        change = {ConfChangeType::kRemoveVoter, Pick(voters)};
      } else {
        std::set<NodeId> others;
        for (const auto& [id, n] : nodes_) {
          if (!voters.contains(id)) others.insert(id);
        }
        if (others.empty()) return;
        change = {ConfChangeType::kAddVoter, Pick(others)};
      }
      if (raft.ProposeConfChange(change).ok()) {
        ++result_.conf_changes;
        Trace("conf change on ", leader->value(), ": ",
              change.type == ConfChangeType::kAddVoter ? "add " : "remove ", change.node.value());
      }
      Pump(*leader);
    }
    if (options_.transfers && rng_.Chance(0.01) && voters.size() > 1) {
      std::set<NodeId> targets = voters;
      targets.erase(*leader);
      if (targets.empty()) return;
      NodeId target = Pick(targets);
      if (raft.TransferLeadership(target).ok()) {
        ++result_.transfers;
        Trace("transfer ", leader->value(), " -> ", target.value());
      }
      Pump(*leader);
    }
  }

  NodeId Pick(const std::set<NodeId>& ids) {
    auto it = ids.begin();
    std::advance(it, rng_.Uniform(static_cast<int>(ids.size())));
    return *it;
  }

  // Pump takes a node's output and queues it on its simulated disk (FIFO, 0-1 ticks).
  void Pump(NodeId id) {
    SimNode& n = nodes_.at(id);
    if (!n.raft || !n.raft->HasOutput()) return;
    int due = now_ + rng_.Uniform(2);
    if (!n.io.empty()) due = std::max(due, n.io.back().due);
    n.io.push_back(PendingIo{due, n.raft->TakeOutput()});
  }

  void Send(const Message& m) {
    if (rng_.Chance(drop_)) return;
    const int copies = rng_.Chance(duplicate_) ? 2 : 1;
    for (int i = 0; i < copies; ++i) {
      network_.emplace(std::make_pair(now_ + 1 + rng_.Uniform(max_delay_), next_seq_++), m);
    }
  }

  void DeliverMessages() {
    while (!network_.empty() && network_.begin()->first.first <= now_) {
      Message m = std::move(network_.begin()->second);
      network_.erase(network_.begin());
      auto it = nodes_.find(m.to);
      if (it == nodes_.end() || !it->second.raft || blocked_.contains({m.from, m.to})) continue;
      it->second.raft->Step(m);
      Pump(m.to);
    }
  }

  void CompleteIo() {
    for (auto& [id, n] : nodes_) {
      while (n.raft && !n.io.empty() && n.io.front().due <= now_ && result_.ok) {
        Output out = std::move(n.io.front().output);
        n.io.pop_front();
        if (absl::Status s = n.storage->Save(out.persist); !s.ok()) {
          Fail(absl::StrCat("save on node ", id.value(), ": ", s.ToString()));
          return;
        }
        n.raft->Advance(out);
        for (const Message& m : out.messages) Send(m);
        if (out.restore_snapshot) RestoreSnapshot(id, *out.restore_snapshot);
        for (const Entry& e : out.committed) Apply(id, e);
        for (const ReadState& rs : out.read_states) OnReadState(id, rs);
        MaybeCompact(id);
        Pump(id);
      }
    }
  }

  Term MaxTerm() const {
    Term max;
    for (const auto& [id, n] : nodes_) {
      max = std::max(max, n.storage->LoadHardState()->term);
      if (n.raft) max = std::max(max, n.raft->term());
    }
    return max;
  }

  void RecordState(NodeId id, LogIndex index, const KvState& kv) {
    const std::string encoded = EncodeKv(kv);
    auto [it, inserted] = state_at_.emplace(index, encoded);
    if (!inserted && it->second != encoded) {
      Fail(absl::StrCat("state machine safety: node ", id.value(), " has state {", encoded,
                        "} at index ", index.value(), ", another node had {", it->second, "}"));
    }
  }

  void RestoreSnapshot(NodeId id, const Snapshot& snapshot) {
    SimNode& n = nodes_.at(id);
    if (snapshot.metadata.index <= n.applied) {
      Fail(absl::StrCat("node ", id.value(), " restored snapshot ", snapshot.metadata.index.value(),
                        " at or below its applied index ", n.applied.value()));
      return;
    }
    n.kv = DecodeKv(snapshot.data);
    n.applied = snapshot.metadata.index;
    ++result_.snapshots_installed;
    RecordState(id, n.applied, n.kv);
    Trace("node ", id.value(), " restored snapshot at ", n.applied.value());
  }

  void Apply(NodeId id, const Entry& e) {
    SimNode& n = nodes_.at(id);
    if (e.index != n.applied + 1) {
      Fail(absl::StrCat("node ", id.value(), " applied ", e.index.value(), " after ",
                        n.applied.value()));
      return;
    }
    n.applied = e.index;
    ++result_.applied;
    auto [it, inserted] = committed_.emplace(e.index, std::make_pair(e, Term()));
    if (inserted) {
      it->second.second = MaxTerm();
    } else if (it->second.first != e) {
      Fail(absl::StrCat("state machine safety: node ", id.value(), " applied term ", e.term.value(),
                        " at index ", e.index.value(), ", another node term ",
                        it->second.first.term.value()));
      return;
    }
    bool cas_ok = false;
    if (e.type == EntryType::kNormal && !e.data.empty() && e.data != kMarker) {
      std::optional<KvCommand> c = DecodeCommand(e.data);
      if (!c) {
        Fail(absl::StrCat("undecodable command at ", e.index.value()));
        return;
      }
      cas_ok = ApplyCommand(*c, n.kv);
    }
    if (liveness_ && liveness_->index == e.index) {
      if (liveness_->term == e.term) {
        liveness_done_ = true;
      } else {
        liveness_.reset();
      }
    }
    RecordState(id, e.index, n.kv);
    for (Client& c : clients_) {
      if (c.state == Client::State::kWrite && c.node == id && c.proposal.index == e.index) {
        if (c.proposal.term == e.term) {
          KvOperation& op = history_[c.op];
          op.cas_ok = cas_ok;
          Complete(c);
        } else {
          // Another entry took the slot, so this write never takes effect.
          discarded_.insert(c.op);
          c.state = Client::State::kIdle;
        }
      }
      if (c.state == Client::State::kRead && c.node == id) TryCompleteRead(c);
    }
  }

  void MaybeCompact(NodeId id) {
    SimNode& n = nodes_.at(id);
    if (!n.raft || n.applied - n.raft->log().snapshot().index < n.compact_every) return;
    if (n.raft->Compact(n.applied, EncodeKv(n.kv)).ok()) {
      Trace("node ", id.value(), " compacted to ", n.applied.value());
    }
  }

  void OnReadState(NodeId id, const ReadState& rs) {
    for (Client& c : clients_) {
      if (c.state != Client::State::kRead || c.node != id || c.read_id != rs.request_id) continue;
      if (!rs.ok) {
        discarded_.insert(c.op);
        c.state = Client::State::kIdle;
        return;
      }
      c.read_index = rs.index;
      TryCompleteRead(c);
    }
  }

  void TryCompleteRead(Client& c) {
    const SimNode& n = nodes_.at(c.node);
    if (!c.read_index || n.applied < *c.read_index) return;
    KvOperation& op = history_[c.op];
    auto it = n.kv.find(op.key);
    op.read = it == n.kv.end() ? std::nullopt : std::optional<int64_t>(it->second);
    Complete(c);
  }

  void Complete(Client& c) {
    history_[c.op].returned = ++stamp_;
    ++result_.ops_completed;
    Trace("client op done: ", DescribeOperation(history_[c.op]));
    c.state = Client::State::kIdle;
    c.next_start = now_ + rng_.Uniform(kThinkTicks);
  }

  // GiveUp abandons an operation whose outcome the client will never learn: a write stays in the
  // history without a response (it may or may not take effect), a read is dropped.
  void GiveUp(Client& c) {
    if (c.state == Client::State::kRead) discarded_.insert(c.op);
    c.state = Client::State::kIdle;
    c.next_start = now_ + rng_.Uniform(kThinkTicks);
  }

  void RunClients() {
    for (Client& c : clients_) {
      if (c.state != Client::State::kIdle && now_ >= c.deadline) GiveUp(c);
      if (c.state != Client::State::kIdle || now_ < c.next_start) continue;
      if (static_cast<int>(history_.size()) >= options_.max_ops) continue;
      // Clients route by stale hints: any node that believes it leads may get the request, so a
      // deposed leader that has not noticed yet is exercised too.
      std::set<NodeId> leaders;
      for (const auto& [id, n] : nodes_) {
        if (n.raft && n.raft->role() == Role::kLeader) leaders.insert(id);
      }
      if (leaders.empty()) continue;
      const std::optional<NodeId> leader = Pick(leaders);
      RaftNode& raft = *nodes_.at(*leader).raft;
      KvOperation op;
      const int roll = rng_.Uniform(10);
      op.kind = roll < 4 ? Kind::kPut : (roll < 7 ? Kind::kGet : Kind::kCas);
      op.key = rng_.Uniform(options_.keys);
      op.value = ++last_value_;
      std::vector<int64_t>& written = written_[op.key];
      op.expected = written.empty()
                        ? 0
                        : written[written.size() - 1 -
                                  rng_.Uniform(std::min<int>(3, static_cast<int>(written.size())))];
      if (op.kind == Kind::kGet) {
        c.read_id = ++last_read_id_;
        c.read_index.reset();
        if (!raft.ReadIndex(c.read_id).ok()) continue;
        c.state = Client::State::kRead;
      } else {
        absl::StatusOr<Proposal> p =
            raft.Propose(EncodeCommand({op.kind, op.key, op.value, op.expected}));
        if (!p.ok()) continue;
        c.proposal = *p;
        c.state = Client::State::kWrite;
        written.push_back(op.value);
      }
      op.invoked = ++stamp_;
      c.node = *leader;
      c.op = history_.size();
      c.deadline = now_ + 25;
      history_.push_back(op);
      Trace("client op on ", leader->value(), ": ", DescribeOperation(op));
      Pump(*leader);
    }
  }

  // DriveLiveness proposes a marker once the faults stop, until one commits before the run ends.
  void DriveLiveness() {
    if (liveness_done_) return;
    std::optional<NodeId> leader = Leader();
    if (!leader) return;
    if (liveness_) {
      // A marker the leader's log no longer holds was lost (overwritten, or skipped over by a
      // snapshot install without being applied here): propose another.
      const internal::RaftLog& log = nodes_.at(*leader).raft->log();
      if (log.TermAt(liveness_->index) == liveness_->term) return;
      liveness_.reset();
    }
    absl::StatusOr<Proposal> p = nodes_.at(*leader).raft->Propose(kMarker);
    if (p.ok()) liveness_ = *p;
    Pump(*leader);
  }

  void CheckElectionSafety() {
    for (const auto& [id, n] : nodes_) {
      if (!n.raft || n.raft->role() != Role::kLeader) continue;
      const Term term = n.raft->term();
      auto [it, inserted] = leaders_.emplace(term, id);
      if (!inserted && it->second != id) {
        Fail(absl::StrCat("election safety: nodes ", it->second.value(), " and ", id.value(),
                          " both lead term ", term.value()));
        return;
      }
      if (inserted) {
        ++result_.elections;
        Trace("node ", id.value(), " leads term ", term.value());
        CheckLeaderCompleteness(id);
      }
    }
  }

  void CheckLeaderCompleteness(NodeId id) {
    const RaftNode& raft = *nodes_.at(id).raft;
    const Term term = raft.term();
    const internal::RaftLog& log = raft.log();
    for (const auto& [index, applied] : committed_) {
      const auto& [entry, committed_by] = applied;
      // An entry first applied while the highest term was T was committed in a term <= T, so
      // every leader of a later term must hold it (§5.4).
      if (term <= committed_by || index <= log.snapshot().index) continue;
      if (index > log.last_index() || log.At(index) != entry) {
        Fail(absl::StrCat("leader completeness: leader ", id.value(), " of term ", term.value(),
                          " lacks committed entry ", index.value(), " (term ", entry.term.value(),
                          ")"));
        return;
      }
    }
  }

  void CheckLogs() {
    std::vector<NodeId> up;
    for (const auto& [id, n] : nodes_) {
      if (!n.raft) continue;
      up.push_back(id);
      if (n.raft->role() == Role::kLeader) CheckLeaderCompleteness(id);
    }
    for (size_t i = 0; i < up.size(); ++i) {
      for (size_t j = i + 1; j < up.size(); ++j) {
        const internal::RaftLog& a = nodes_.at(up[i]).raft->log();
        const internal::RaftLog& b = nodes_.at(up[j]).raft->log();
        const LogIndex lo = std::max(a.first_index(), b.first_index());
        LogIndex hi = std::min(a.last_index(), b.last_index());
        while (hi >= lo && a.At(hi).term != b.At(hi).term) --hi;
        for (LogIndex k = lo; k <= hi; ++k) {
          if (a.At(k) != b.At(k)) {
            Fail(absl::StrCat("log matching: nodes ", up[i].value(), " and ", up[j].value(),
                              " agree at ", hi.value(), " but differ at ", k.value()));
            return;
          }
        }
      }
    }
  }

  void Finish() {
    CheckLogs();
    if (!result_.ok) return;
    if (!liveness_done_) {
      Fail("liveness: no write committed after the faults stopped");
      return;
    }
    std::vector<KvOperation> history;
    for (size_t i = 0; i < history_.size(); ++i) {
      if (!discarded_.contains(i)) history.push_back(history_[i]);
    }
    if (std::optional<std::string> bad = CheckLinearizable(history)) Fail(*bad);
  }

  SimulationOptions options_;
  Prng rng_;
  RaftOptions base_;
  SimulationResult result_;
  int now_ = 0;

  std::map<NodeId, SimNode> nodes_;
  std::map<std::pair<int, uint64_t>, Message> network_;  // (delivery tick, send order)
  uint64_t next_seq_ = 0;
  std::set<std::pair<NodeId, NodeId>> blocked_;
  int partition_end_ = 0;
  double drop_ = 0;
  double duplicate_ = 0;
  int max_delay_ = 1;

  std::vector<Client> clients_;
  std::vector<KvOperation> history_;
  std::set<size_t> discarded_;
  std::map<int, std::vector<int64_t>> written_;
  int64_t stamp_ = 0;
  int64_t last_value_ = 0;
  uint64_t last_read_id_ = 0;
  std::optional<Proposal> liveness_;
  bool liveness_done_ = false;

  std::map<Term, NodeId> leaders_;
  std::map<LogIndex, std::pair<Entry, Term>> committed_;  // entry, highest term when first applied
  std::map<LogIndex, std::string> state_at_;
};

}  // namespace

SimulationResult RunSimulation(const SimulationOptions& options) {
  return Simulation(options).Run();
}

}  // namespace eddy::raft
