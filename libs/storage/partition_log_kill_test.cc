// Crash test with a real process (issue 4, acceptance 1): storage_crash_writer appends to a log on
// the real filesystem and is killed with SIGKILL at a random moment, over and over on the same
// directory. After each kill the log is reopened here and must hold every batch the writer reported
// flushed, byte for byte, end exactly at the last whole batch, serve every offset through its
// (rebuilt) indexes, and the next writer must carry on from there.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/storage/file_system.h"
#include "libs/storage/partition_log.h"
#include "libs/storage/test_batches.h"
#include "tests/testing/status_matchers.h"

namespace eddy::storage {
namespace {

using ::eddy::storage::testing::DeterministicBatch;
using ::eddy::storage::testing::kDeterministicRecords;

// RunAndKill starts the writer, lets it run for `run_for`, SIGKILLs it and returns the highest
// offset it reported flushed (or -1).
int64_t RunAndKill(const std::string& dir, int64_t flush_messages, std::chrono::milliseconds run_for) {
  int out[2];
  EXPECT_EQ(::pipe(out), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    std::string flush = std::to_string(flush_messages);
    ::execl(EDDY_CRASH_WRITER_PATH, "storage_crash_writer", dir.c_str(), flush.c_str(), "65536", nullptr);
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + run_for;
  bool ready = false;
  // Wait for "ready" (recovery done) without a deadline of our own beyond a generous cap, then run.
  const auto ready_cap = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (true) {
    const auto now = std::chrono::steady_clock::now();
    if (ready && now >= deadline) break;
    if (!ready && now >= ready_cap) break;
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 1) > 0) {
      char buf[4096];
      ssize_t n = ::read(out[0], buf, sizeof(buf));
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
      ready = ready || text.find("ready") != std::string::npos;
    }
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  // Drain what the writer printed before it died.
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof(buf))) > 0;) text.append(buf, static_cast<size_t>(n));
  ::close(out[0]);
  EXPECT_TRUE(ready) << "writer never became ready; output: " << text;
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "writer exited on its own: " << text;
  int64_t flushed = -1;
  for (size_t pos = 0; (pos = text.find("flushed ", pos)) != std::string::npos; pos += 8) {
    flushed = std::max<int64_t>(flushed, std::atoll(text.c_str() + pos + 8));
  }
  return flushed;
}

TEST(PartitionLogKillTest, KilledWriterLosesNothingItFlushed) {
  // The seed picks kill times; the OS scheduler still varies where exactly each kill lands.
  const char* env_seed = std::getenv("EDDY_SEED");
  const uint64_t seed = env_seed ? std::strtoull(env_seed, nullptr, 10) : 20261123;
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  std::mt19937_64 rng(seed);
  std::string dir = ::testing::TempDir() + "/eddy_kill_XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  FileSystem& fs = PosixFileSystem();
  int64_t flushed = 0;
  for (int round = 0; round < 12; ++round) {
    SCOPED_TRACE(::testing::Message() << "round=" << round);
    const int64_t flush_messages = round % 3 == 0 ? 1 : 25;
    flushed = std::max(flushed, RunAndKill(dir, flush_messages, std::chrono::milliseconds(20 + rng() % 180)));

    LogConfig config;
    config.segment_bytes = 65536;
    config.index_interval_bytes = 512;
    EDDY_ASSERT_OK_AND_ASSIGN(auto log, PartitionLog::Open(fs, dir, config, common::Clock::Real()));
    const int64_t end = log->LogEndOffset().value();
    EXPECT_GE(end, flushed) << "a flushed batch is missing";
    EXPECT_EQ(end % kDeterministicRecords, 0) << "log does not end at a whole batch";
    int64_t next = 0;
    while (next < end) {
      EDDY_ASSERT_OK_AND_ASSIGN(ReadResult r, log->Read(Offset(next), {.max_bytes = 256 * 1024}));
      ASSERT_FALSE(r.records.empty()) << "no data at " << next;
      std::string_view rest = r.records;
      while (!rest.empty()) {
        const int64_t i = next / kDeterministicRecords;
        std::string expected = DeterministicBatch(i);
        internal::SetBaseOffset(expected.data(), next);
        internal::SetPartitionLeaderEpoch(expected.data(), 1);
        ASSERT_GE(rest.size(), expected.size()) << "short batch " << i;
        ASSERT_EQ(rest.substr(0, expected.size()), expected) << "batch " << i << " differs";
        rest.remove_prefix(expected.size());
        next += kDeterministicRecords;
      }
    }
    // Random offsets resolve through the indexes to the batch holding them.
    for (int k = 0; k < 50 && end > 0; ++k) {
      const int64_t off = static_cast<int64_t>(rng() % static_cast<uint64_t>(end));
      EDDY_ASSERT_OK_AND_ASSIGN(ReadResult r, log->Read(Offset(off), {.max_bytes = 1}));
      auto batches = testing::SplitBatches(r.records);
      ASSERT_EQ(batches.size(), 1u);
      EXPECT_EQ(batches[0].base_offset, off / kDeterministicRecords * kDeterministicRecords);
    }
  }
  EXPECT_GT(flushed, 0);
  std::printf("kill test: 12 kills, highest flushed offset %lld\n", static_cast<long long>(flushed));
  EDDY_ASSERT_OK(fs.RemoveDirRecursive(dir));
}

}  // namespace
}  // namespace eddy::storage
