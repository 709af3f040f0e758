#include "libs/raft/test_cluster.h"

#include <cstdlib>
#include <iostream>

namespace eddy::raft {

TestCluster::TestCluster(int voters, RaftOptions options) : options_(options) {
  ConfState conf;
  for (int id = 1; id <= voters; ++id) conf.voters.insert(NodeId(id));
  for (int id = 1; id <= voters; ++id) {
    nodes_[NodeId(id)].storage = std::make_unique<MemoryStorage>(conf);
    Start(NodeId(id));
  }
}

void TestCluster::AddNode(int id) {
  nodes_[NodeId(id)].storage = std::make_unique<MemoryStorage>();
  Start(NodeId(id));
}

void TestCluster::Start(NodeId id) {
  Slot& slot = nodes_.at(id);
  RaftOptions options = options_;
  options.id = id;
  options.seed = static_cast<uint64_t>(id.value());
  absl::StatusOr<std::unique_ptr<RaftNode>> node = RaftNode::Restore(options, *slot.storage);
  if (!node.ok()) {
    std::cerr << "TestCluster: restore of node " << id << " failed: " << node.status() << "\n";
    std::abort();
  }
  slot.node = *std::move(node);
  slot.applied.clear();
  slot.read_states.clear();
  absl::StatusOr<Snapshot> snapshot = slot.storage->LoadSnapshot();
  slot.state = snapshot.ok() ? snapshot->data : "";
}

void TestCluster::Crash(int id) { nodes_.at(NodeId(id)).node.reset(); }

void TestCluster::Restart(int id) { Start(NodeId(id)); }

void TestCluster::Isolate(int id) {
  for (const auto& [other, slot] : nodes_) {
    if (other == NodeId(id)) continue;
    Block(id, other.value());
    Block(other.value(), id);
  }
}

bool TestCluster::Drive(NodeId id, std::vector<Message>& outbox) {
  Slot& slot = nodes_.at(id);
  if (!slot.node || !slot.node->HasOutput()) return false;
  Output out = slot.node->TakeOutput();
  if (absl::Status s = slot.storage->Save(out.persist); !s.ok()) {
    std::cerr << "TestCluster: save on node " << id << " failed: " << s << "\n";
    std::abort();
  }
  slot.node->Advance(out);
  for (Message& m : out.messages) outbox.push_back(std::move(m));
  if (out.restore_snapshot) slot.state = out.restore_snapshot->data;
  for (const Entry& e : out.committed) {
    if (e.data.empty()) continue;
    slot.applied.push_back(e);
    if (e.type == EntryType::kNormal) slot.state += e.data + ",";
  }
  for (const ReadState& rs : out.read_states) slot.read_states.push_back(rs);
  return true;
}

void TestCluster::Deliver() {
  for (;;) {
    std::vector<Message> outbox;
    bool any = false;
    for (const auto& [id, slot] : nodes_) any |= Drive(id, outbox);
    if (!any) return;
    for (const Message& m : outbox) {
      sent.push_back(m);
      if (blocked_.contains({m.from, m.to}) || (drop && drop(m))) continue;
      auto it = nodes_.find(m.to);
      if (it == nodes_.end() || !it->second.node) continue;
      it->second.node->Step(m);
    }
  }
}

void TestCluster::Tick(int id, int times) {
  for (int i = 0; i < times; ++i) {
    for (auto& [node_id, slot] : nodes_) {
      if (slot.node && (id == 0 || node_id == NodeId(id))) slot.node->Tick();
    }
    Deliver();
  }
}

bool TestCluster::Campaign(int id) {
  for (int i = 0; i < 20 * options_.election_tick; ++i) {
    if (node(id).status().role == Role::kLeader) return true;
    Tick(id);
  }
  return node(id).status().role == Role::kLeader;
}

int TestCluster::Leader() const {
  int leader = 0;
  Term best;
  for (const auto& [id, slot] : nodes_) {
    if (!slot.node) continue;
    NodeStatus st = slot.node->status();
    if (st.role == Role::kLeader && (leader == 0 || st.term > best)) {
      leader = id.value();
      best = st.term;
    }
  }
  return leader;
}

absl::StatusOr<Proposal> TestCluster::Propose(int id, std::string data) {
  absl::StatusOr<Proposal> p = node(id).Propose(std::move(data));
  Deliver();
  return p;
}

}  // namespace eddy::raft
