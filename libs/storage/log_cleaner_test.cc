// Compaction tests, including the property test of issue 4, acceptance 3: over random keyed workloads
// with tombstones, after every compaction pass the latest value per key read back from the log equals
// a model map, offsets stay strictly increasing (with gaps), every surviving record is one that was
// written at that offset, and tombstones disappear only after delete.retention.ms.
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/storage/internal/records.h"
#include "libs/storage/mem_file_system.h"
#include "libs/storage/partition_log.h"
#include "libs/storage/test_batches.h"
#include "tests/testing/status_matchers.h"

namespace eddy::storage {
namespace {

using ::eddy::storage::testing::SplitBatches;
using ::eddy::testing::StatusIs;

struct Written {
  std::string key;
  std::optional<std::string> value;
  int64_t timestamp;
};

class CompactionModel {
 public:
  void Record(int64_t offset, const Written& w) {
    all_[offset] = w;
    latest_[w.key] = offset;
  }

  // Check reads the whole log and compares it with the model.
  void Check(PartitionLog& log, int64_t now_ms, int64_t delete_retention_ms, int64_t cleaned_up_to) {
    std::map<std::string, std::string> live;
    std::map<std::string, int64_t> last_offset;
    std::map<std::string, int> cleaned_occurrences;
    int64_t prev = -1;
    int64_t next = log.LogStartOffset().value();
    const int64_t end = log.LogEndOffset().value();
    while (next < end) {
      absl::StatusOr<ReadResult> r = log.Read(Offset(next), {.max_bytes = 1 << 20});
      ASSERT_TRUE(r.ok()) << r.status();
      ASSERT_GT(r->next_offset.value(), next) << "read made no progress at " << next;
      std::string_view rest = r->records;
      for (const auto& b : SplitBatches(r->records)) {
        EXPECT_TRUE(b.crc_ok) << "batch " << b.base_offset;
        auto h = internal::ParseBatchHeader(rest);
        ASSERT_TRUE(h.ok());
        std::string_view batch = rest.substr(0, h->size_in_bytes());
        rest.remove_prefix(h->size_in_bytes());
        absl::Status s = internal::ForEachRecord(batch, [&](const internal::RecordView& rec) {
          const int64_t offset = h->base_offset + rec.offset_delta;
          EXPECT_GT(offset, prev) << "offsets not increasing";
          prev = offset;
          auto it = all_.find(offset);
          EXPECT_NE(it, all_.end()) << "record at " << offset << " was never written";
          if (it == all_.end()) return true;
          EXPECT_EQ(std::string(*rec.key), it->second.key) << offset;
          EXPECT_EQ(rec.value.has_value(), it->second.value.has_value()) << offset;
          if (rec.value) {
            EXPECT_EQ(std::string(*rec.value), *it->second.value) << offset;
            live[it->second.key] = *it->second.value;
          } else {
            live.erase(it->second.key);
          }
          last_offset[it->second.key] = offset;
          if (offset < cleaned_up_to) ++cleaned_occurrences[it->second.key];
          return true;
        });
        EXPECT_TRUE(s.ok()) << s;
      }
      next = r->next_offset.value();
    }
    std::map<std::string, std::string> expected;
    for (const auto& [key, offset] : latest_) {
      const Written& w = all_.at(offset);
      if (w.value) {
        expected[key] = *w.value;
        EXPECT_EQ(last_offset[key], offset) << "latest value of " << key << " missing";
      } else if (w.timestamp > now_ms - delete_retention_ms) {
        EXPECT_EQ(last_offset[key], offset) << "young tombstone of " << key << " removed";
      }
    }
    EXPECT_EQ(live, expected);
    for (const auto& [key, n] : cleaned_occurrences) EXPECT_EQ(n, 1) << key << " not compacted";
  }

 private:
  std::map<int64_t, Written> all_;
  std::map<std::string, int64_t> latest_;
};

class CompactionPropertyTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(CompactionPropertyTest, LatestValuePerKeyMatchesModel) {
  const char* base = std::getenv("EDDY_SEED_BASE");
  const uint64_t seed = GetParam() + (base ? std::strtoull(base, nullptr, 10) : 0);
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  std::mt19937_64 rng(seed);
  MemFileSystem fs;
  common::ManualClock clock;
  LogConfig config;
  config.segment_bytes = 2048 << (rng() % 3);
  config.cleanup_compact = true;
  config.cleanup_delete = rng() % 2 == 0;
  config.retention_ms = absl::InfiniteDuration();
  config.segment_ms = absl::Hours(1);
  config.delete_retention_ms = absl::Minutes(10);
  const double ratios[] = {0.0, 0.3, 0.5};
  config.min_cleanable_dirty_ratio = ratios[rng() % 3];
  config.min_compaction_lag_ms = rng() % 2 == 0 ? absl::ZeroDuration() : absl::Minutes(5);
  const int keys = 5 + static_cast<int>(rng() % 40);
  EDDY_ASSERT_OK_AND_ASSIGN(auto log, PartitionLog::Open(fs, "/c/t-0", config, clock));
  CompactionModel model;
  int64_t cleaned_up_to = 0;
  int64_t removed = 0;
  const int64_t retention_ms = absl::ToInt64Milliseconds(config.delete_retention_ms);
  for (int step = 0; step < 400; ++step) {
    const int action = static_cast<int>(rng() % 100);
    const int64_t now_ms = absl::ToUnixMillis(clock.Now());
    if (action < 85) {
      internal::BatchSpec spec;
      std::vector<Written> written;
      for (int i = 0, n = 1 + static_cast<int>(rng() % 5); i < n; ++i) {
        Written w{absl::StrCat("key-", rng() % keys), std::nullopt, now_ms};
        if (rng() % 5 != 0) w.value = absl::StrCat("v", step, "-", i, std::string(rng() % 80, 'x'));
        spec.records.push_back({w.key, w.value, w.timestamp});
        written.push_back(w);
      }
      EDDY_ASSERT_OK_AND_ASSIGN(AppendResult a, log->AppendAsLeader(internal::BuildBatch(spec), LeaderEpoch(0)));
      for (size_t i = 0; i < written.size(); ++i) model.Record(a.base_offset.value() + i, written[i]);
    } else if (action < 93) {
      clock.Advance(absl::Seconds(rng() % 240));
    } else {
      EDDY_ASSERT_OK_AND_ASSIGN(CompactionResult c, log->Compact());
      if (c.ran) cleaned_up_to = c.cleaned_up_to.value();
      removed += c.records_removed;
      model.Check(*log, now_ms, retention_ms, cleaned_up_to);
      if (::testing::Test::HasFailure()) return;
    }
  }
  // Let every tombstone expire, roll past everything (segment.ms), and compact again.
  clock.Advance(absl::Hours(2));
  EDDY_ASSERT_OK(log->AppendAsLeader(internal::BuildBatch({.records = {{"filler", std::string(100, 'f'),
                                                                         absl::ToUnixMillis(clock.Now())}}}),
                                     LeaderEpoch(0)).status());
  model.Record(log->LogEndOffset().value() - 1, {"filler", std::string(100, 'f'), absl::ToUnixMillis(clock.Now())});
  EDDY_ASSERT_OK_AND_ASSIGN(CompactionResult c, log->Compact());
  if (c.ran) cleaned_up_to = c.cleaned_up_to.value();
  removed += c.records_removed;
  EXPECT_GT(removed, 0) << "compaction never removed anything";
  EXPECT_GT(cleaned_up_to, 0);
  model.Check(*log, absl::ToUnixMillis(clock.Now()), retention_ms, cleaned_up_to);
  // Reopening (indexes rebuilt for rewritten segments) gives the same answer.
  log.reset();
  EDDY_ASSERT_OK_AND_ASSIGN(log, PartitionLog::Open(fs, "/c/t-0", config, clock));
  model.Check(*log, absl::ToUnixMillis(clock.Now()), retention_ms, cleaned_up_to);
}

INSTANTIATE_TEST_SUITE_P(Seeds, CompactionPropertyTest, ::testing::Range<uint64_t>(1, 61));

// A crash at any filesystem operation of a compaction pass leaves a log that still satisfies the model:
// each segment is either the old or the compacted version, never half of one, and indexes are rebuilt.
class CompactionCrashTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(CompactionCrashTest, CrashDuringCompactionKeepsTheLogConsistent) {
  const uint64_t seed = GetParam();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  std::mt19937_64 rng(seed);
  MemFileSystem fs;
  common::ManualClock clock;
  LogConfig config;
  config.segment_bytes = 2048;
  config.index_interval_bytes = 256;
  config.cleanup_compact = true;
  config.cleanup_delete = false;
  config.min_cleanable_dirty_ratio = 0;
  config.delete_retention_ms = absl::Minutes(10);
  const int64_t retention_ms = absl::ToInt64Milliseconds(config.delete_retention_ms);
  CompactionModel model;
  {
    EDDY_ASSERT_OK_AND_ASSIGN(auto log, PartitionLog::Open(fs, "/c/t-0", config, clock));
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < 150; ++i) {
        const int64_t now_ms = absl::ToUnixMillis(clock.Now());
        Written w{absl::StrCat("key-", rng() % 20), std::nullopt, now_ms};
        if (rng() % 4 != 0) w.value = absl::StrCat("v", round, "-", i, std::string(rng() % 60, 'y'));
        internal::BatchSpec spec{.records = {{w.key, w.value, w.timestamp}}};
        EDDY_ASSERT_OK_AND_ASSIGN(AppendResult a, log->AppendAsLeader(internal::BuildBatch(spec), LeaderEpoch(0)));
        model.Record(a.base_offset.value(), w);
        clock.Advance(absl::Seconds(rng() % 20));
      }
      EDDY_ASSERT_OK(log->Flush());
      if (round == 0) {
        EDDY_ASSERT_OK(log->Compact().status());
      }
    }
    const int die_at = static_cast<int>(rng() % 400);
    int ops = 0;
    fs.SetFaultHook([&](FsOp, const std::string&) {
      return ++ops > die_at ? absl::UnavailableError("process died") : absl::OkStatus();
    });
    (void)log->Compact();
  }
  fs.SetFaultHook(nullptr);
  fs.SimulateCrash(rng(), rng() % 2 == 0);
  EDDY_ASSERT_OK_AND_ASSIGN(auto log, PartitionLog::Open(fs, "/c/t-0", config, clock));
  model.Check(*log, absl::ToUnixMillis(clock.Now()), retention_ms, /*cleaned_up_to=*/0);
  // And a compaction after recovery completes and still satisfies the model.
  EDDY_ASSERT_OK(log->Compact().status());
  model.Check(*log, absl::ToUnixMillis(clock.Now()), retention_ms, /*cleaned_up_to=*/0);
}

INSTANTIATE_TEST_SUITE_P(Seeds, CompactionCrashTest, ::testing::Range<uint64_t>(1, 81));

TEST(CompactionTest, TombstoneSurvivesUntilDeleteRetentionThenGoes) {
  MemFileSystem fs;
  common::ManualClock clock;
  LogConfig config;
  config.segment_ms = absl::Minutes(1);  // every append after a 2-minute step rolls
  config.cleanup_compact = true;
  config.cleanup_delete = false;
  config.delete_retention_ms = absl::Hours(1);
  config.min_cleanable_dirty_ratio = 0;
  EDDY_ASSERT_OK_AND_ASSIGN(auto log, PartitionLog::Open(fs, "/c/t-0", config, clock));
  auto append = [&](std::string key, std::optional<std::string> value) {
    clock.Advance(absl::Minutes(2));
    internal::BatchSpec spec{.records = {{key, value, absl::ToUnixMillis(clock.Now())}}};
    return log->AppendAsLeader(internal::BuildBatch(spec), LeaderEpoch(0));
  };
  auto first_offset = [&]() -> int64_t {
    absl::StatusOr<ReadResult> r = log->Read(log->LogStartOffset());
    return r.ok() && !r->records.empty() ? SplitBatches(r->records).at(0).base_offset : -1;
  };
  EDDY_ASSERT_OK(append("k", "v0").status());       // offset 0
  EDDY_ASSERT_OK(append("k", std::nullopt).status());  // offset 1: tombstone
  EDDY_ASSERT_OK(append("other", "x").status());    // offset 2: closes the tombstone's segment
  EDDY_ASSERT_OK_AND_ASSIGN(CompactionResult c, log->Compact());
  EXPECT_TRUE(c.ran);
  EXPECT_EQ(c.records_removed, 1);  // v0, superseded
  EXPECT_EQ(first_offset(), 1) << "the young tombstone must stay";
  clock.Advance(absl::Minutes(50));
  EDDY_ASSERT_OK(append("other", "y").status());  // offset 3
  EDDY_ASSERT_OK_AND_ASSIGN(c, log->Compact());
  EXPECT_EQ(first_offset(), 1) << "54 minutes old: still inside delete.retention.ms";
  clock.Advance(absl::Minutes(10));
  EDDY_ASSERT_OK(append("other", "z").status());  // offset 4
  EDDY_ASSERT_OK_AND_ASSIGN(c, log->Compact());
  EXPECT_EQ(first_offset(), 3) << "tombstone past delete.retention.ms and superseded 'other' gone";
  // Offsets are preserved: the survivors keep theirs and the log end is unchanged.
  EXPECT_EQ(log->LogEndOffset(), Offset(5));
}

TEST(CompactionTest, RequiresCompactPolicy) {
  MemFileSystem fs;
  common::ManualClock clock;
  EDDY_ASSERT_OK_AND_ASSIGN(auto log, PartitionLog::Open(fs, "/c/t-0", LogConfig{}, clock));
  EXPECT_THAT(log->Compact(), StatusIs(absl::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace eddy::storage
