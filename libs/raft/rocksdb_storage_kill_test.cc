// Durability with a real process (issue 5: "term, vote and entries are durable before the node acts
// on them"): raft_rocksdb_crash_writer saves PersistRequests into a RocksDbStorage and is SIGKILLed
// at a random moment, again and again on the same directory. After each kill the storage is
// reopened here and must hold every save the writer acknowledged (printed after Save returned),
// form a contiguous log whose entries carry exactly the deterministic payloads, and show no torn
// save: the hard state always matches the log's last entry, because each request wrote both.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "libs/raft/rocksdb_crash_payload.h"
#include "libs/raft/rocksdb_storage.h"
#include "tests/testing/status_matchers.h"

namespace eddy::raft {
namespace {

struct Acknowledged {
  int64_t last = 0;
  int64_t term = 0;
  int saves = 0;
};

// RunAndKill starts the writer, lets it save for `run_for` after it is ready, SIGKILLs it and
// returns the last save it acknowledged.
Acknowledged RunAndKill(const std::string& dir, uint64_t seed, std::chrono::milliseconds run_for) {
  int out[2];
  EXPECT_EQ(::pipe(out), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    const std::string seed_arg = std::to_string(seed);
    ::execl(EDDY_RAFT_CRASH_WRITER_PATH, "raft_rocksdb_crash_writer", dir.c_str(), seed_arg.c_str(),
            nullptr);
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  bool ready = false;
  const auto ready_cap = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto deadline = ready_cap;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 1) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(out[0], buf, sizeof(buf));
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (!ready && text.find("ready") != std::string::npos) {
      ready = true;
      deadline = std::chrono::steady_clock::now() + run_for;
    }
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof(buf))) > 0;) {
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  EXPECT_TRUE(ready) << "writer never became ready; output: " << text;
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "writer exited on its own: " << text;
  Acknowledged acked;
  for (size_t pos = 0; (pos = text.find("saved ", pos)) != std::string::npos; pos += 6) {
    long long last = 0;
    long long term = 0;
    if (std::sscanf(text.c_str() + pos, "saved %lld %lld", &last, &term) == 2) {
      acked = {last, term, acked.saves + 1};
    }
  }
  return acked;
}

void Verify(RocksDbStorage& storage, const Acknowledged& acked) {
  EDDY_ASSERT_OK_AND_ASSIGN(LogIndex first, storage.FirstIndex());
  EDDY_ASSERT_OK_AND_ASSIGN(LogIndex last, storage.LastIndex());
  EDDY_ASSERT_OK_AND_ASSIGN(HardState hs, storage.LoadHardState());
  EDDY_ASSERT_OK_AND_ASSIGN(Snapshot snapshot, storage.LoadSnapshot());
  ASSERT_GE(last.value(), acked.last) << "an acknowledged save is missing";
  ASSERT_GE(hs.term.value(), acked.term) << "an acknowledged term is missing";
  ASSERT_EQ(hs.commit, last) << "hard state and entries come from different saves";
  ASSERT_EQ(hs.vote, NodeId(1));
  EXPECT_THAT(storage.TermAt(last), ::eddy::testing::IsOkAndHolds(hs.term));
  if (snapshot.metadata.index > LogIndex(0)) {
    EXPECT_EQ(snapshot.data, CrashSnapshotData(snapshot.metadata.index, snapshot.metadata.term));
  }
  EDDY_ASSERT_OK_AND_ASSIGN(std::vector<Entry> entries,
                            storage.Entries(first, last + 1, size_t{1} << 40));
  ASSERT_EQ(static_cast<int64_t>(entries.size()), last - first + 1) << "log is not contiguous";
  Term previous = snapshot.metadata.term;
  for (const Entry& e : entries) {
    ASSERT_EQ(e.data, CrashPayload(e.index, e.term)) << "entry " << e.index.value();
    ASSERT_GE(e.term, previous) << "terms decrease at " << e.index.value();
    previous = e.term;
  }
}

TEST(RocksDbStorageKillTest, KilledWriterLosesNoAcknowledgedSave) {
  const char* env_seed = std::getenv("EDDY_SEED");
  const uint64_t seed = env_seed ? std::strtoull(env_seed, nullptr, 10) : 20261124;
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  std::mt19937_64 rng(seed);
  std::string root = ::testing::TempDir() + "/raft_kill_XXXXXX";
  ASSERT_NE(::mkdtemp(root.data()), nullptr);
  const std::string dir = root + "/db";
  Acknowledged acked;
  int total_saves = 0;
  for (int round = 0; round < 10; ++round) {
    SCOPED_TRACE(::testing::Message() << "round=" << round);
    const Acknowledged got = RunAndKill(dir, rng(), std::chrono::milliseconds(30 + rng() % 200));
    if (got.saves > 0) acked = got;
    total_saves += got.saves;
    EDDY_ASSERT_OK_AND_ASSIGN(auto storage, RocksDbStorage::Open(dir));
    Verify(*storage, acked);
    if (::testing::Test::HasFatalFailure()) break;
  }
  EXPECT_GT(total_saves, 0);
  std::printf("raft kill test: 10 kills, %d acknowledged saves, last index %lld\n", total_saves,
              static_cast<long long>(acked.last));
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace eddy::raft
