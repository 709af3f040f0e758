// Shared pieces of the RaftDriver tests: a key-value StateMachine whose whole history is
// observable, and DriverCluster, which runs RaftDrivers over a MemoryNetwork and MemoryStorage with
// one ManualClock, polling every driver from the test thread so each run is deterministic.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/raft/memory_storage.h"
#include "libs/raft/memory_transport.h"
#include "libs/raft/raft_driver.h"

namespace eddy::raft::testing {

// KvStateMachine applies "key=value" entries. Its snapshot is the sorted "key=value" lines. Like
// the controller's state machine it refuses an entry at or below the last applied index, so a
// driver that applies anything twice or out of order fails the test.
class KvStateMachine final : public StateMachine {
 public:
  absl::Status Apply(const Entry& entry) override {
    if (entry.index <= last_index_) {
      return absl::InvalidArgumentError("kv state machine: entry applied twice or out of order");
    }
    last_index_ = entry.index;
    std::pair<std::string, std::string> kv = absl::StrSplit(entry.data, absl::MaxSplits('=', 1));
    data_[kv.first] = kv.second;
    applied_.push_back(entry.index);
    return absl::OkStatus();
  }
  std::string Snapshot() override {
    std::vector<std::string> lines;
    for (const auto& [k, v] : data_) lines.push_back(k + "=" + v);
    return absl::StrJoin(lines, "\n");
  }
  absl::Status Restore(const raft::Snapshot& snapshot) override {
    data_.clear();
    last_index_ = snapshot.metadata.index;
    for (absl::string_view line : absl::StrSplit(snapshot.data, '\n', absl::SkipEmpty())) {
      std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits('=', 1));
      data_[kv.first] = kv.second;
    }
    ++restores_;
    return absl::OkStatus();
  }

  const std::map<std::string, std::string>& data() const { return data_; }
  const std::vector<LogIndex>& applied() const { return applied_; }
  int restores() const { return restores_; }

 private:
  std::map<std::string, std::string> data_;
  std::vector<LogIndex> applied_;
  LogIndex last_index_;
  int restores_ = 0;
};

// DriverCluster: founding voters 1..n, each with its own MemoryStorage and KvStateMachine.
class DriverCluster {
 public:
  explicit DriverCluster(int voters, RaftDriverOptions options = {}) : options_(options) {
    ConfState conf;
    for (int i = 1; i <= voters; ++i) conf.voters.insert(NodeId(i));
    for (int i = 1; i <= voters; ++i) {
      members_[NodeId(i)].storage = std::make_unique<MemoryStorage>(conf);
      Start(i);
    }
  }

  // Start (re)starts member `id` from its storage with a fresh state machine; a new id joins with
  // an empty storage.
  void Start(int id) {
    Member& m = members_[NodeId(id)];
    m.driver.reset();
    if (!m.storage) m.storage = std::make_unique<MemoryStorage>();
    m.state_machine = std::make_unique<KvStateMachine>();
    RaftDriverOptions options = options_;
    options.raft.id = NodeId(id);
    options.raft.seed = static_cast<uint64_t>(id);
    absl::StatusOr<std::unique_ptr<RaftDriver>> driver = RaftDriver::Create(
        options, *m.storage, *m.state_machine, network_.Endpoint(NodeId(id)), clock_);
    ASSERT_TRUE(driver.ok()) << driver.status();
    m.driver = *std::move(driver);
  }
  // Stop stops member `id` as a crash would: only what it saved survives.
  void Stop(int id) { members_.at(NodeId(id)).driver.reset(); }

  // Step advances the clock by one tick and polls every running driver until messages settle.
  void Step() {
    clock_.Advance(options_.tick_interval);
    for (int round = 0; round < 4; ++round) {
      for (auto& [id, m] : members_) {
        if (m.driver) m.driver->Poll();
      }
    }
  }
  // RunUntil steps until `done` holds; false after `max_steps`.
  template <typename Pred>
  bool RunUntil(Pred done, int max_steps = 500) {
    for (int i = 0; i < max_steps; ++i) {
      if (done()) return true;
      Step();
    }
    return done();
  }

  // Leader is the running leader with the highest term, or 0.
  int Leader() const {
    int leader = 0;
    Term term;
    for (const auto& [id, m] : members_) {
      if (!m.driver) continue;
      RaftDriverStatus s = m.driver->status();
      if (s.node.role == Role::kLeader && s.node.term >= term) {
        leader = id.value();
        term = s.node.term;
      }
    }
    return leader;
  }
  int WaitForLeader() {
    int leader = 0;
    RunUntil([&] { return (leader = Leader()) != 0; });
    return leader;
  }

  RaftDriver& driver(int id) { return *members_.at(NodeId(id)).driver; }
  KvStateMachine& state(int id) { return *members_.at(NodeId(id)).state_machine; }
  MemoryStorage& storage(int id) { return *members_.at(NodeId(id)).storage; }
  MemoryNetwork& network() { return network_; }
  common::ManualClock& clock() { return clock_; }

 private:
  struct Member {
    std::unique_ptr<MemoryStorage> storage;
    std::unique_ptr<KvStateMachine> state_machine;
    std::unique_ptr<RaftDriver> driver;
  };

  const RaftDriverOptions options_;
  common::ManualClock clock_;
  MemoryNetwork network_;
  std::map<NodeId, Member> members_;
};

// Result collects a callback's outcome.
template <typename T>
struct Result {
  std::optional<T> value;
  auto callback() {
    return [this](T v) { value = std::move(v); };
  }
};

}  // namespace eddy::raft::testing
