// TestCluster drives a handful of RaftNodes for unit tests: a lossless, synchronous network that
// delivers every message in send order until the cluster is quiet, with per-link blocking and a
// drop filter, plus crash/restart from each node's MemoryStorage. Each node's driver follows the
// Output contract (save, Advance, send, apply). Nothing is random: tests choose who times out by
// ticking.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "libs/raft/memory_storage.h"
#include "libs/raft/node.h"
#include "libs/raft/types.h"

namespace eddy::raft {

class TestCluster {
 public:
  // Nodes 1..voters form the initial configuration. `options` is the template for every node (its
  // id and seed are set per node).
  explicit TestCluster(int voters, RaftOptions options = {});

  RaftNode& node(int id) { return *nodes_.at(NodeId(id)).node; }
  MemoryStorage& storage(int id) { return *nodes_.at(NodeId(id)).storage; }
  // applied: every entry node `id` applied with data (no-ops skipped) since it last started.
  const std::vector<Entry>& applied(int id) { return nodes_.at(NodeId(id)).applied; }
  // state: node `id`'s state machine: the data of applied entries, in order, after its snapshot's.
  const std::string& state(int id) { return nodes_.at(NodeId(id)).state; }
  const std::vector<ReadState>& read_states(int id) { return nodes_.at(NodeId(id)).read_states; }
  bool running(int id) const { return nodes_.at(NodeId(id)).node != nullptr; }

  // AddNode starts a node with a fresh, empty storage (it knows no configuration).
  void AddNode(int id);
  // Crash drops node `id` with everything it had not saved; Restart rebuilds it from its storage.
  void Crash(int id);
  void Restart(int id);

  // Tick ticks the given node once (all running nodes when id == 0), then delivers until quiet.
  void Tick(int id = 0, int times = 1);
  // Campaign ticks node `id` alone until it leads (or gives up after 10 election timeouts).
  bool Campaign(int id);
  // Deliver runs drivers and delivers messages until no node has output.
  void Deliver();

  // Block / Unblock a directed link; Isolate blocks every link to and from `id`.
  void Block(int from, int to) { blocked_.insert({NodeId(from), NodeId(to)}); }
  void Isolate(int id);
  void Heal() { blocked_.clear(); }
  // drop: messages for which it returns true are lost.
  std::function<bool(const Message&)> drop;
  // sent: every message delivered or dropped, for tests that inspect traffic.
  std::vector<Message> sent;

  // Leader returns the id of the running leader with the highest term, or 0.
  int Leader() const;
  // Propose on node `id` and deliver; returns the proposal (or the error).
  absl::StatusOr<Proposal> Propose(int id, std::string data);

 private:
  struct Slot {
    std::unique_ptr<MemoryStorage> storage;
    std::unique_ptr<RaftNode> node;
    std::vector<Entry> applied;
    std::string state;
    std::vector<ReadState> read_states;
  };
  void Start(NodeId id);
  // Drive runs one node's driver once; returns false when it had no output.
  bool Drive(NodeId id, std::vector<Message>& outbox);

  RaftOptions options_;
  std::map<NodeId, Slot> nodes_;
  std::set<std::pair<NodeId, NodeId>> blocked_;
};

}  // namespace eddy::raft
