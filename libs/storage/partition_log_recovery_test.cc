// Crash tests against the fault-injecting filesystem (issue 4, acceptance 1): a random workload of
// appends, flushes, rolls and truncations is cut short at a random operation (every filesystem call
// fails from then on, as if the process died), the machine "loses power" (unsynced bytes and directory
// entries vanish, a random prefix of each unsynced tail survives), and the log is reopened. Every batch
// that was flushed must be present and byte-identical, the tail must end at the last valid batch, the
// indexes must serve every offset, and the log must accept new appends.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/storage/mem_file_system.h"
#include "libs/storage/partition_log.h"
#include "libs/storage/test_batches.h"
#include "tests/testing/status_matchers.h"

namespace eddy::storage {
namespace {

using ::eddy::storage::testing::MakeBatch;
using ::eddy::storage::testing::SplitBatches;

constexpr char kDir[] = "/data/t-0";

// Model is what the test wrote: the exact bytes of each batch (after offset assignment) by base offset.
using Model = std::map<int64_t, std::string>;

// VerifyLog reads the whole log back and checks it against the model; returns the log end offset.
int64_t VerifyLog(PartitionLog& log, const Model& model, int64_t durable, uint64_t seed) {
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  const int64_t end = log.LogEndOffset().value();
  EXPECT_GE(end, durable) << "flushed data lost";
  int64_t next = log.LogStartOffset().value();
  while (next < end) {
    absl::StatusOr<ReadResult> r = log.Read(Offset(next), {.max_bytes = 64 * 1024});
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || r->records.empty()) {
      ADD_FAILURE() << "no data at " << next << " below end " << end;
      break;
    }
    std::string_view rest = r->records;
    for (const auto& b : SplitBatches(r->records)) {
      auto it = model.find(b.base_offset);
      EXPECT_TRUE(b.crc_ok);
      EXPECT_NE(it, model.end()) << "unknown batch at " << b.base_offset;
      if (it == model.end()) return end;
      EXPECT_EQ(rest.substr(0, it->second.size()), it->second) << "batch " << b.base_offset << " differs";
      rest.remove_prefix(it->second.size());
      EXPECT_EQ(b.base_offset, next) << "gap or overlap";
      next = b.last_offset + 1;
    }
  }
  EXPECT_EQ(next, end) << "log end is not the end of the last valid batch";
  // Every offset is found through the (possibly rebuilt) indexes.
  for (const auto& [base, bytes] : model) {
    auto h = internal::ParseBatchHeader(bytes);
    if (base >= end || base < log.LogStartOffset().value()) continue;
    absl::StatusOr<ReadResult> r = log.Read(Offset(h->last_offset()), {.max_bytes = 1});
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) {
      EXPECT_EQ(SplitBatches(r->records).at(0).base_offset, base);
    }
  }
  return end;
}

// DumpForDebugging lists the log directory and what Open() did, when EDDY_DEBUG is set.
void DumpForDebugging(MemFileSystem& fs, PartitionLog& log) {
  if (std::getenv("EDDY_DEBUG") == nullptr) return;
  std::vector<std::string> names = *fs.ListDir(kDir);
  for (const std::string& n : names) {
    auto data = ReadWholeFile(fs, JoinPath(kDir, n));
    if (!data.ok()) continue;
    fprintf(stderr, "  %s %zu%s\n", n.c_str(), data->size(),
            n.find("checkpoint") != std::string::npos ? (" " + *data).c_str() : "");
  }
  fprintf(stderr, "  opened: start %ld end %ld rp %ld recovered %d truncated %lu\n", log.LogStartOffset().value(),
          log.LogEndOffset().value(), log.RecoveryPoint().value(), log.recovery_stats().segments_recovered,
          log.recovery_stats().bytes_truncated);
}

class RecoveryTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(RecoveryTest, RandomWorkloadCrashAtRandomPoint) {
  // EDDY_SEED_BASE shifts the seed range, for longer soak runs; a failure prints its seed.
  const char* base = std::getenv("EDDY_SEED_BASE");
  const uint64_t seed = GetParam() + (base ? std::strtoull(base, nullptr, 10) : 0);
  std::mt19937_64 rng(seed);
  MemFileSystem fs;
  common::ManualClock clock;
  LogConfig config;
  config.segment_bytes = 4096 << (rng() % 4);
  config.index_interval_bytes = 256 << (rng() % 4);
  config.segment_ms = absl::Minutes(1);
  const int64_t flush_choices[] = {1, 7, 50, std::numeric_limits<int64_t>::max()};
  config.flush_messages = flush_choices[rng() % 4];
  config.recovery_point_checkpoint_interval = absl::Seconds(rng() % 3);

  Model model;
  int64_t durable = 0;  // everything below was acknowledged as flushed
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE(::testing::Message() << "seed=" << seed << " round=" << round);
    auto opened = PartitionLog::Open(fs, kDir, config, clock);
    ASSERT_TRUE(opened.ok()) << opened.status();
    std::unique_ptr<PartitionLog> log = *std::move(opened);
    DumpForDebugging(fs, *log);
    int64_t end = VerifyLog(*log, model, durable, seed);
    // Forget model entries the crash legitimately lost.
    model.erase(model.lower_bound(end), model.end());
    durable = std::min(durable, end);

    // Die at a random filesystem operation.
    const int die_at = static_cast<int>(rng() % 400);
    int ops = 0;
    fs.SetFaultHook([&](FsOp op, const std::string& path) {
      if (++ops <= die_at) return absl::OkStatus();
      if (ops == die_at + 1 && std::getenv("EDDY_DEBUG") != nullptr) {
        fprintf(stderr, "  died at op %d on %s\n", static_cast<int>(op), path.c_str());
      }
      return absl::UnavailableError("process died");
    });
    const bool debug = std::getenv("EDDY_DEBUG") != nullptr;
    for (int step = 0; step < 200; ++step) {
      const int action = static_cast<int>(rng() % 100);
      if (debug) {
        fprintf(stderr, "step %d action %d leo %ld rp %ld durable %ld segs %zu ops %d\n", step, action,
                log->LogEndOffset().value(), log->RecoveryPoint().value(), durable, log->SegmentCount(), ops);
      }
      if (action < 80) {
        std::string batch = MakeBatch(1 + rng() % 20, absl::ToUnixMillis(clock.Now()), rng() % 300);
        // Record the batch before appending: a failed append may still have reached the file, and
        // then it may survive the crash (like a produce that timed out), so it is a legal survivor.
        const int64_t base = log->LogEndOffset().value();
        internal::SetBaseOffset(batch.data(), base);
        internal::SetPartitionLeaderEpoch(batch.data(), round);
        model[base] = batch;
        absl::StatusOr<AppendResult> a = log->AppendAsLeader(batch, LeaderEpoch(round));
        if (!a.ok()) break;
        EXPECT_EQ(a->base_offset, Offset(base));
        if (log->RecoveryPoint() == log->LogEndOffset()) durable = log->LogEndOffset().value();
      } else if (action < 90) {
        if (!log->Flush().ok()) break;
        durable = log->LogEndOffset().value();
      } else if (action < 95) {
        clock.Advance(absl::Seconds(30));
      } else {
        const int64_t leo = log->LogEndOffset().value();
        const int64_t target = leo - static_cast<int64_t>(rng() % 40);
        if (target <= log->LogStartOffset().value()) continue;
        // An interrupted truncation may have removed anything from the batch holding `target` on.
        auto holder = std::prev(model.upper_bound(target));
        durable = std::min(durable, holder->first);
        if (debug) fprintf(stderr, "  truncate to %ld\n", target);
        if (!log->TruncateTo(Offset(target)).ok()) break;
        model.erase(model.lower_bound(log->LogEndOffset().value()), model.end());
        durable = std::min(durable, log->LogEndOffset().value());
      }
    }
    log.reset();
    fs.SetFaultHook(nullptr);
    fs.SimulateCrash(rng(), /*keep_unsynced=*/rng() % 2 == 0);
  }
  // Finally the log must still take appends after all that.
  auto log = PartitionLog::Open(fs, kDir, config, clock);
  ASSERT_TRUE(log.ok()) << log.status();
  DumpForDebugging(fs, **log);
  int64_t end = VerifyLog(**log, model, durable, seed);
  EDDY_ASSERT_OK_AND_ASSIGN(AppendResult a, (*log)->AppendAsLeader(MakeBatch(3, 0), LeaderEpoch(9)));
  EXPECT_EQ(a.base_offset, Offset(end));
}

INSTANTIATE_TEST_SUITE_P(Seeds, RecoveryTest, ::testing::Range<uint64_t>(1, 301));

TEST(RecoveryIndexTest, DeletedIndexesAreRebuiltAtOpen) {
  MemFileSystem fs;
  common::ManualClock clock;
  LogConfig config;
  config.segment_bytes = 8192;
  config.index_interval_bytes = 512;
  Model model;
  {
    EDDY_ASSERT_OK_AND_ASSIGN(auto log, PartitionLog::Open(fs, kDir, config, clock));
    for (int i = 0; i < 100; ++i) {
      std::string batch = MakeBatch(5, 1000 + i, 64);
      EDDY_ASSERT_OK_AND_ASSIGN(AppendResult a, log->AppendAsLeader(batch, LeaderEpoch(1)));
      internal::SetBaseOffset(batch.data(), a.base_offset.value());
      internal::SetPartitionLeaderEpoch(batch.data(), 1);
      model[a.base_offset.value()] = batch;
    }
  }  // no Close(): nothing flushed, the recovery point is 0
  EDDY_ASSERT_OK_AND_ASSIGN(std::vector<std::string> names, fs.ListDir(kDir));
  for (const std::string& n : names) {
    if (n.ends_with(".index") || n.ends_with(".timeindex")) {
      EDDY_ASSERT_OK(fs.Remove(JoinPath(kDir, n)));
    }
  }
  EDDY_ASSERT_OK_AND_ASSIGN(auto log, PartitionLog::Open(fs, kDir, config, clock));
  EXPECT_EQ(VerifyLog(*log, model, 500, 0), 500);
  EXPECT_GT(log->recovery_stats().segments_recovered, 1);
  EDDY_ASSERT_OK_AND_ASSIGN(std::optional<Offset> o, log->OffsetForTimestamp(1050));
  EXPECT_EQ(o, Offset(234));  // batch 46 holds timestamps 1046..1050
}

TEST(RecoveryCorruptionTest, FlippedByteInClosedSegmentIsReportedOnReadAndAtOpen) {
  MemFileSystem fs;
  common::ManualClock clock;
  LogConfig config;
  config.segment_bytes = 8192;
  {
    EDDY_ASSERT_OK_AND_ASSIGN(auto log, PartitionLog::Open(fs, kDir, config, clock));
    for (int i = 0; i < 60; ++i) EDDY_ASSERT_OK(log->AppendAsLeader(MakeBatch(5, 1000, 100), LeaderEpoch(1)).status());
    EDDY_ASSERT_OK(log->Close());
    ASSERT_GT(log->SegmentCount(), 2u);
  }
  const std::string first_segment = std::string(kDir) + "/00000000000000000000.log";
  EDDY_ASSERT_OK(fs.CorruptByte(first_segment, 1000));
  EDDY_ASSERT_OK_AND_ASSIGN(auto log, PartitionLog::Open(fs, kDir, config, clock));
  // The flipped byte sits in the batch that starts before position 1000; reading it fails loudly.
  absl::Status failure;
  for (int64_t off = 0; off < 60 && failure.ok(); off += 5) failure = log->Read(Offset(off), {.max_bytes = 1}).status();
  EXPECT_EQ(failure.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(failure.message().find(first_segment + " at position "), std::string::npos) << failure;
  EXPECT_NE(failure.message().find("CRC mismatch"), std::string::npos) << failure;
}

}  // namespace
}  // namespace eddy::storage
