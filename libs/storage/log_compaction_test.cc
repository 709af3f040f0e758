// Tests of the cleaner's bounds and transaction handling: the I/O throttle on an injected clock, the
// key map's memory cap (compaction in passes), aborted transactions and markers, a pass that races
// with DeleteRecords, and the background LogCleaner.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/storage/internal/records.h"
#include "libs/storage/io_throttle.h"
#include "libs/storage/log_cleaner.h"
#include "libs/storage/mem_file_system.h"
#include "libs/storage/partition_log.h"
#include "tests/testing/status_matchers.h"

namespace eddy::storage {
namespace {

using ::eddy::testing::StatusIs;

// Record is one record read back: offset, key, value (nullopt: tombstone or control).
struct Record {
  int64_t offset;
  std::string key;
  std::optional<std::string> value;
  bool control;
};

std::vector<Record> ReadAll(PartitionLog& log) {
  std::vector<Record> out;
  for (Offset next = log.LogStartOffset(); next < log.LogEndOffset();) {
    absl::StatusOr<ReadResult> r = log.Read(next, {.max_bytes = 1 << 20});
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || r->next_offset <= next) break;
    std::string_view rest = r->records;
    while (!rest.empty()) {
      absl::StatusOr<internal::BatchHeader> h = internal::ParseBatchHeader(rest);
      EXPECT_TRUE(h.ok());
      if (!h.ok()) return out;
      (void)internal::ForEachRecord(rest.substr(0, h->size_in_bytes()), [&](const internal::RecordView& rec) {
        out.push_back({h->base_offset + rec.offset_delta, rec.key ? std::string(*rec.key) : "",
                       rec.value ? std::optional<std::string>(std::string(*rec.value)) : std::nullopt,
                       h->is_control()});
        return true;
      });
      rest.remove_prefix(h->size_in_bytes());
    }
    next = r->next_offset;
  }
  return out;
}

class CompactionBoundsTest : public ::testing::Test {
 protected:
  CompactionBoundsTest() {
    config_.segment_bytes = 2048;
    config_.cleanup_compact = true;
    config_.cleanup_delete = false;
    config_.min_cleanable_dirty_ratio = 0;
    config_.delete_retention_ms = absl::Hours(1);
  }

  void OpenLog() {
    auto log = PartitionLog::Open(fs_, "/c/t-0", config_, clock_);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  int64_t Append(std::string key, std::optional<std::string> value, int64_t producer_id = -1) {
    internal::BatchSpec spec{.records = {{std::move(key), std::move(value), absl::ToUnixMillis(clock_.Now())}}};
    if (producer_id >= 0) {
      spec.attributes = internal::kTransactionalBit;
      spec.producer_id = producer_id;
      spec.producer_epoch = 0;
      spec.base_sequence = 0;
    }
    absl::StatusOr<AppendResult> a = log_->AppendAsLeader(internal::BuildBatch(spec), LeaderEpoch(0));
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? a->base_offset.value() : -1;
  }

  // Marker appends a transaction marker (control record key: version 0, type 0 ABORT / 1 COMMIT).
  int64_t Marker(int64_t producer_id, bool commit) {
    std::string key(4, '\0');
    key[3] = commit ? 1 : 0;
    internal::BatchSpec spec{.attributes = internal::kTransactionalBit | internal::kControlBit,
                             .producer_id = producer_id,
                             .producer_epoch = 0,
                             .records = {{key, std::string(6, '\0'), absl::ToUnixMillis(clock_.Now())}}};
    absl::StatusOr<AppendResult> a = log_->AppendAsLeader(internal::BuildBatch(spec), LeaderEpoch(0));
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? a->base_offset.value() : -1;
  }

  // Filler appends non-transactional records until the active segment rolls, closing what came before.
  void Roll() {
    const size_t segments = log_->SegmentCount();
    for (int i = 0; log_->SegmentCount() == segments; ++i) Append("filler", std::string(200, 'f'));
  }

  MemFileSystem fs_;
  common::ManualClock clock_;
  LogConfig config_;
  std::unique_ptr<PartitionLog> log_;
};

TEST(IoThrottleTest, SleepsToHoldTheRateOnAnInjectedClock) {
  common::ManualClock clock;
  std::vector<absl::Duration> sleeps;
  IoThrottle throttle(clock, /*bytes_per_second=*/1000, absl::Milliseconds(100), [&](absl::Duration d) {
    sleeps.push_back(d);
    clock.Advance(d);
  });
  const absl::Time start = clock.Now();
  // 10 KB in 1 KB steps, 10 ms apart: at 1000 B/s that must take 10 s in all.
  for (int i = 0; i < 10; ++i) {
    clock.Advance(absl::Milliseconds(10));
    throttle.Account(1000);
  }
  EXPECT_FALSE(sleeps.empty());
  EXPECT_EQ(clock.Now() - start, absl::Seconds(10));
  EXPECT_EQ(throttle.total_slept(), absl::Seconds(10) - absl::Milliseconds(100));
  // Under the cap nothing sleeps.
  sleeps.clear();
  for (int i = 0; i < 10; ++i) {
    clock.Advance(absl::Seconds(1));
    throttle.Account(500);
  }
  EXPECT_TRUE(sleeps.empty());
}

TEST(IoThrottleTest, UnlimitedNeverSleeps) {
  common::ManualClock clock;
  IoThrottle throttle(clock, std::numeric_limits<double>::infinity(), absl::Milliseconds(1),
                      [](absl::Duration) { ADD_FAILURE() << "slept"; });
  for (int i = 0; i < 100; ++i) {
    clock.Advance(absl::Milliseconds(10));
    throttle.Account(1 << 30);
  }
  EXPECT_EQ(throttle.total_slept(), absl::ZeroDuration());
}

TEST_F(CompactionBoundsTest, SmallKeyMapCompactsInSeveralPassesToTheSameResult) {
  OpenLog();
  std::map<std::string, std::string> model;
  for (int round = 0; round < 3; ++round) {
    for (int k = 0; k < 40; ++k) {
      const std::string key = "key-" + std::to_string(k);
      const std::string value = "v" + std::to_string(round) + "-" + std::string(40, 'x');
      Append(key, value);
      model[key] = value;
    }
  }
  Roll();
  // Room for about a dozen keys per pass: the 40-key dirty section takes several.
  const CompactOptions options{.max_offset_map_bytes = 12 * (6 + 48) + 200};
  int passes = 0;
  Offset cleaned(0);
  for (;; ++passes) {
    ASSERT_LT(passes, 50);
    EDDY_ASSERT_OK_AND_ASSIGN(CompactionResult r, log_->Compact(options));
    if (!r.ran) break;
    EXPECT_GT(r.cleaned_up_to, cleaned);
    cleaned = r.cleaned_up_to;
    if (!r.offset_map_full) {
      ++passes;
      break;
    }
  }
  EXPECT_GT(passes, 2);
  std::map<std::string, std::string> live;
  int64_t prev = -1;
  for (const Record& r : ReadAll(*log_)) {
    EXPECT_GT(r.offset, prev);
    prev = r.offset;
    if (r.key != "filler") live[r.key] = *r.value;
  }
  EXPECT_EQ(live, model);
  // One record per key is left of the three written (plus the filler's latest).
  size_t records = ReadAll(*log_).size();
  EXPECT_LE(records, model.size() + 2);
}

TEST_F(CompactionBoundsTest, AbortedTransactionsAreRemovedAndMarkersGoOnceTheirDataIsGone) {
  OpenLog();
  Append("a", "plain-1");
  const int64_t aborted_data = Append("a", "aborted", /*producer_id=*/7);
  Append("b", "aborted-too", 7);
  const int64_t abort_marker = Marker(7, /*commit=*/false);
  const int64_t committed = Append("c", "committed", 8);
  const int64_t commit_marker = Marker(8, /*commit=*/true);
  Roll();
  EDDY_ASSERT_OK_AND_ASSIGN(CompactionResult r, log_->Compact());
  EXPECT_TRUE(r.ran);
  EXPECT_EQ(r.aborted_batches_removed, 2);
  std::map<int64_t, Record> by_offset;
  for (const Record& rec : ReadAll(*log_)) by_offset[rec.offset] = rec;
  EXPECT_FALSE(by_offset.contains(aborted_data));
  EXPECT_FALSE(by_offset.contains(aborted_data + 1));
  EXPECT_EQ(by_offset.at(0).value, "plain-1") << "the aborted write does not supersede committed data";
  EXPECT_EQ(by_offset.at(committed).value, "committed");
  // Both markers stay: the pass still saw their transactions' data.
  EXPECT_TRUE(by_offset.contains(abort_marker));
  EXPECT_TRUE(by_offset.contains(commit_marker));

  // Later, past delete.retention.ms: the abort marker has no data left and goes; the commit marker's
  // transaction still has its record, so it stays.
  clock_.Advance(absl::Hours(2));
  Append("c", "newer");  // supersedes the committed record, so its transaction's data goes too
  Roll();
  EDDY_ASSERT_OK(log_->Compact().status());
  clock_.Advance(absl::Hours(2));
  Roll();
  EDDY_ASSERT_OK_AND_ASSIGN(r, log_->Compact());
  by_offset.clear();
  for (const Record& rec : ReadAll(*log_)) by_offset[rec.offset] = rec;
  EXPECT_FALSE(by_offset.contains(abort_marker));
  EXPECT_FALSE(by_offset.contains(committed));
  EXPECT_FALSE(by_offset.contains(commit_marker));
}

TEST_F(CompactionBoundsTest, AnOpenTransactionStopsCleaningAtItsFirstOffset) {
  OpenLog();
  Append("k", "old");
  const int64_t open_txn = Append("t", "undecided", /*producer_id=*/9);
  Roll();
  Append("k", "new");
  Roll();
  EDDY_ASSERT_OK_AND_ASSIGN(CompactionResult r, log_->Compact());
  EXPECT_LE(r.cleaned_up_to.value(), open_txn);
  bool undecided_kept = false;
  for (const Record& rec : ReadAll(*log_)) undecided_kept |= rec.offset == open_txn;
  EXPECT_TRUE(undecided_kept);
}

TEST_F(CompactionBoundsTest, DeleteRecordsDuringAPassAbortsItCleanly) {
  OpenLog();
  for (int i = 0; i < 30; ++i) Append("k" + std::to_string(i % 5), std::string(100, 'a' + i % 26));
  Roll();
  // The pass reads and writes without the log's lock: when its throttle first pauses, DeleteRecords
  // gets in.
  bool fired = false;
  IoThrottle throttle(clock_, /*bytes_per_second=*/1, absl::ZeroDuration(), [&](absl::Duration d) {
    clock_.Advance(d);
    if (fired) return;
    fired = true;
    EXPECT_TRUE(log_->AdvanceLogStartOffset(Offset(3)).ok());
  });
  EXPECT_THAT(log_->Compact({.throttle = &throttle}), StatusIs(absl::StatusCode::kAborted));
  ASSERT_TRUE(fired);
  EDDY_ASSERT_OK_AND_ASSIGN(std::vector<std::string> names, fs_.ListDir("/c/t-0"));
  for (const std::string& n : names) EXPECT_FALSE(n.ends_with(".cleaned")) << n;
  EXPECT_EQ(log_->LogStartOffset(), Offset(3));
  // The next pass succeeds.
  EDDY_ASSERT_OK_AND_ASSIGN(CompactionResult r, log_->Compact());
  EXPECT_TRUE(r.ran);
}

TEST_F(CompactionBoundsTest, BackgroundCleanerCompactsRegisteredLogsThrottled) {
  OpenLog();
  for (int i = 0; i < 60; ++i) Append("k" + std::to_string(i % 4), std::string(100, 'v'));
  Roll();
  absl::Duration slept;
  LogCleaner cleaner({.dedupe_buffer_bytes = 1 << 20,
                      .io_max_bytes_per_second = 4096,
                      .backoff = absl::Milliseconds(1),
                      .io_check_interval = absl::ZeroDuration()},
                     clock_, [&](absl::Duration d) {
                       slept += d;
                       clock_.Advance(d);
                     });
  cleaner.AddLog(log_.get());
  const uint64_t before = log_->SizeBytes();
  EXPECT_EQ(cleaner.CleanOnce(), 1);
  EXPECT_LT(log_->SizeBytes(), before);
  EXPECT_GT(slept, absl::ZeroDuration()) << "several KB at 4 KB/s must have been throttled";
  EXPECT_EQ(cleaner.CleanOnce(), 0) << "nothing dirty is left";

  // The same on the background thread: new dirty data gets cleaned without a call.
  for (int i = 0; i < 60; ++i) Append("k" + std::to_string(i % 4), std::string(100, 'w'));
  Roll();
  cleaner.Start();
  // Waits for progress, not for time: the bound only keeps a broken cleaner from hanging the test.
  EXPECT_TRUE(cleaner.AwaitPasses(2, absl::Seconds(60)));
  cleaner.RemoveLog(log_.get());
  cleaner.Stop();
  EXPECT_EQ(cleaner.failures(), 0);
}

}  // namespace
}  // namespace eddy::storage
