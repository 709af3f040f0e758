// Three RaftDrivers as production runs them: each on its own thread with the real clock, RocksDB
// storage in a temp dir and GrpcTransport between GrpcServers on free 127.0.0.1 ports. They elect a
// leader, replicate proposals, bring a restarted follower back from its RocksDB log, and elect a
// new leader that keeps accepting writes after the old one stops.
#include <grpcpp/security/credentials.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/raft/grpc_transport.h"
#include "libs/raft/raft_driver.h"
#include "libs/raft/raft_driver_test_fixture.h"
#include "libs/raft/rocksdb_storage.h"
#include "libs/rpc/server.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::raft {
namespace {

using ::eddy::testing::WaitFor;

// LockedKv lets the test thread look at a state machine the driver thread applies to.
class LockedKv final : public StateMachine {
 public:
  absl::Status Apply(const Entry& entry) override {
    absl::MutexLock lock(&mu_);
    return kv_.Apply(entry);
  }
  std::string Snapshot() override {
    absl::MutexLock lock(&mu_);
    return kv_.Snapshot();
  }
  absl::Status Restore(const raft::Snapshot& snapshot) override {
    absl::MutexLock lock(&mu_);
    return kv_.Restore(snapshot);
  }
  std::map<std::string, std::string> data() const {
    absl::MutexLock lock(&mu_);
    return kv_.data();
  }

 private:
  mutable absl::Mutex mu_;
  testing::KvStateMachine kv_;
};

// Member: one controller-like process, minus the process.
struct Member {
  Member(NodeId id, const std::string& dir, int port)
      : channels(grpc::InsecureChannelCredentials(),
                 {.min_reconnect_backoff = absl::Milliseconds(20),
                  .max_reconnect_backoff = absl::Milliseconds(200)}),
        transport(
            {.self = id,
             .reconnect = {.initial = absl::Milliseconds(20), .max = absl::Milliseconds(200)}},
            channels),
        server({.port = port}) {
    absl::StatusOr<std::unique_ptr<RocksDbStorage>> opened = RocksDbStorage::Open(dir);
    EXPECT_TRUE(opened.ok()) << opened.status();
    storage = *std::move(opened);
    server.AddService(transport.service());
  }
  ~Member() {
    if (driver) driver->Stop();
    server.Shutdown(absl::ZeroDuration());
    transport.Shutdown();
  }

  std::unique_ptr<RocksDbStorage> storage;
  LockedKv state;
  rpc::ChannelCache channels;
  GrpcTransport transport;
  rpc::GrpcServer server;
  std::unique_ptr<RaftDriver> driver;
};

class RaftDriverGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/raft_grpc_XXXXXX";
    ASSERT_NE(::mkdtemp(root_.data()), nullptr);
    for (int id = 1; id <= 3; ++id) conf_.voters.insert(NodeId(id));
    for (int id = 1; id <= 3; ++id) {
      members_[id] = std::make_unique<Member>(NodeId(id), Dir(id), 0);
      EDDY_ASSERT_OK(members_[id]->storage->Save(Bootstrap(conf_)));
      EDDY_ASSERT_OK(members_[id]->server.Start());
      ports_[id] = members_[id]->server.port();
    }
    for (int id = 1; id <= 3; ++id) StartDriver(id);
  }
  void TearDown() override {
    members_.clear();
    std::filesystem::remove_all(root_);
  }

  std::string Dir(int id) const { return root_ + "/node" + std::to_string(id); }

  void StartDriver(int id) {
    Member& m = *members_[id];
    for (int peer = 1; peer <= 3; ++peer) {
      if (peer != id)
        m.transport.SetPeer(NodeId(peer), "127.0.0.1:" + std::to_string(ports_[peer]));
    }
    RaftDriverOptions options;
    options.raft.id = NodeId(id);
    options.raft.seed = static_cast<uint64_t>(id);
    options.tick_interval = absl::Milliseconds(20);
    options.snapshot_interval_entries = 16;
    absl::StatusOr<std::unique_ptr<RaftDriver>> driver =
        RaftDriver::Create(options, *m.storage, m.state, m.transport, common::Clock::Real());
    ASSERT_TRUE(driver.ok()) << driver.status();
    m.driver = *std::move(driver);
    m.driver->Start();
  }

  // Restart stops member `id` entirely and brings it back on the same port and directory.
  void Restart(int id) {
    members_[id].reset();
    members_[id] = std::make_unique<Member>(NodeId(id), Dir(id), ports_[id]);
    EDDY_ASSERT_OK(members_[id]->server.Start());
    StartDriver(id);
  }

  int Leader() {
    int leader = 0;
    Term term;
    for (auto& [id, m] : members_) {
      if (!m || !m->driver) continue;
      RaftDriverStatus s = m->driver->status();
      if (s.node.role == Role::kLeader && s.node.term >= term) {
        leader = id;
        term = s.node.term;
      }
    }
    return leader;
  }

  // Propose writes key<i>=<i> for i in [from, to) on the current leader, retrying elsewhere on
  // redirects, and returns how many were acknowledged.
  int ProposeRange(int from, int to) {
    absl::Mutex mu;
    int acknowledged = 0;
    for (int i = from; i < to; ++i) {
      bool done = false;
      for (int attempt = 0; attempt < 100 && !done; ++attempt) {
        int leader = 0;
        WaitFor([&] { return (leader = Leader()) != 0; }, absl::Seconds(10), absl::Milliseconds(5));
        if (leader == 0) break;
        std::optional<absl::StatusOr<LogIndex>> result;
        members_[leader]->driver->Propose("key" + std::to_string(i) + "=" + std::to_string(i),
                                          [&](absl::StatusOr<LogIndex> r) {
                                            absl::MutexLock lock(&mu);
                                            result = std::move(r);
                                          });
        WaitFor(
            [&] {
              absl::MutexLock lock(&mu);
              return result.has_value();
            },
            absl::Seconds(15), absl::Milliseconds(2));
        absl::MutexLock lock(&mu);
        done = result.has_value() && result->ok();
      }
      acknowledged += done ? 1 : 0;
    }
    return acknowledged;
  }

  bool AllHave(size_t keys, std::vector<int> ids) {
    return WaitFor(
        [&] {
          for (int id : ids) {
            if (members_[id]->state.data().size() != keys) return false;
          }
          return true;
        },
        absl::Seconds(20), absl::Milliseconds(10));
  }

  std::string root_;
  ConfState conf_;
  std::map<int, std::unique_ptr<Member>> members_;
  std::map<int, int> ports_;
};

TEST_F(RaftDriverGrpcTest, ReplicatesRestartsAndFailsOver) {
  ASSERT_TRUE(WaitFor([&] { return Leader() != 0; }, absl::Seconds(20)));
  ASSERT_EQ(ProposeRange(0, 40), 40);
  ASSERT_TRUE(AllHave(40, {1, 2, 3}));
  EXPECT_GT(*members_[1]->storage->FirstIndex(), LogIndex(1)) << "no automatic snapshot";

  const int follower = Leader() % 3 + 1;
  Restart(follower);  // state rebuilt from its RocksDB snapshot + log, then caught up
  ASSERT_EQ(ProposeRange(40, 50), 10);
  ASSERT_TRUE(AllHave(50, {1, 2, 3}));

  const int old_leader = Leader();
  members_[old_leader]->driver->Stop();
  std::vector<int> rest;
  for (int id = 1; id <= 3; ++id) {
    if (id != old_leader) rest.push_back(id);
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        const int leader = Leader();
        return leader != 0 && leader != old_leader;
      },
      absl::Seconds(20)));
  ASSERT_EQ(ProposeRange(50, 60), 10);
  ASSERT_TRUE(AllHave(60, rest));
  EXPECT_EQ(members_[rest[0]]->state.data(), members_[rest[1]]->state.data());
  EXPECT_GE(members_[rest[0]]->driver->status().leader_changes, 2u);
}

}  // namespace
}  // namespace eddy::raft
