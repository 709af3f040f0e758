#include "libs/storage/segment.h"

#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "libs/storage/internal/records.h"
#include "libs/storage/mem_file_system.h"
#include "tests/testing/status_matchers.h"

namespace eddy::storage {
namespace {

using internal::BatchSpec;
using internal::BuildBatch;
using internal::ParseBatchHeader;
using ::eddy::testing::StatusIs;

const absl::Time kNow = absl::FromUnixMillis(1'700'000'000'000);

std::string MakeBatch(int64_t base, int records, int64_t ts, size_t value_size = 100) {
  BatchSpec spec;
  spec.base_offset = base;
  for (int i = 0; i < records; ++i) {
    spec.records.push_back({absl::StrFormat("k%08d", base + i), std::string(value_size, 'v'), ts + i});
  }
  return BuildBatch(spec);
}

class SegmentTest : public ::testing::Test {
 protected:
  void SetUp() override { EDDY_ASSERT_OK(fs_.CreateDirs("/log")); }

  // AppendBatches appends `n` batches of 10 records from `base`, each ~1.1 KiB.
  void AppendBatches(Segment& seg, int64_t base, int n) {
    for (int i = 0; i < n; ++i) {
      std::string b = MakeBatch(base + 10 * i, 10, 1000 + base + 10 * i);
      auto h = ParseBatchHeader(b);
      ASSERT_TRUE(h.ok());
      EDDY_ASSERT_OK(seg.Append(b, *h));
    }
  }

  MemFileSystem fs_;
  SegmentOptions options_{.index_interval_bytes = 2048, .max_index_bytes = 1024};
};

TEST_F(SegmentTest, FileNamesHaveTwentyDigitBaseOffsets) {
  EXPECT_EQ(Segment::FileName(Offset(42), ".log"), "00000000000000000042.log");
  EXPECT_EQ(Segment::ParseBaseOffset("00000000000000000042.timeindex"), Offset(42));
  EXPECT_EQ(Segment::ParseBaseOffset("leader-epoch-checkpoint"), std::nullopt);
}

TEST_F(SegmentTest, ReadReturnsWholeBatchesFromTheOneContainingTheOffset) {
  EDDY_ASSERT_OK_AND_ASSIGN(auto seg, Segment::Create(fs_, "/log", Offset(100), options_, kNow));
  AppendBatches(*seg, 100, 50);
  EXPECT_EQ(seg->next_offset(), Offset(600));
  for (int64_t target : {100, 105, 109, 110, 333, 599}) {
    EDDY_ASSERT_OK_AND_ASSIGN(SegmentRead r, seg->Read(Offset(target), 3000, INT64_MAX, true, true));
    EXPECT_EQ(r.first_batch_offset, target / 10 * 10) << target;
    auto h = ParseBatchHeader(r.records);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->base_offset, target / 10 * 10);
    EXPECT_LE(r.records.size(), 3000u);
    EXPECT_EQ(r.records.size() % h->size_in_bytes(), 0u);
  }
  EDDY_ASSERT_OK_AND_ASSIGN(SegmentRead past, seg->Read(Offset(600), 3000, INT64_MAX, true, true));
  EXPECT_TRUE(past.records.empty());
  // A byte limit below one batch still returns the first batch whole (KIP-74).
  EDDY_ASSERT_OK_AND_ASSIGN(SegmentRead one, seg->Read(Offset(100), 10, INT64_MAX, true, true));
  EXPECT_EQ(one.next_offset, 110);
  // max_offset stops before batches that reach it.
  EDDY_ASSERT_OK_AND_ASSIGN(SegmentRead capped, seg->Read(Offset(100), 1 << 20, 130, true, true));
  EXPECT_EQ(capped.next_offset, 130);
}

TEST_F(SegmentTest, ReopenScanRebuildsMissingAndCorruptIndexes) {
  {
    EDDY_ASSERT_OK_AND_ASSIGN(auto seg, Segment::Create(fs_, "/log", Offset(0), options_, kNow));
    AppendBatches(*seg, 0, 30);
  }
  EDDY_ASSERT_OK(fs_.Remove("/log/00000000000000000000.index"));
  {
    auto f = fs_.Open("/log/00000000000000000000.timeindex", OpenMode::kReadWrite);
    ASSERT_TRUE(f.ok());
    EDDY_ASSERT_OK((*f)->Append("xyz"));  // not a whole entry
  }
  EDDY_ASSERT_OK_AND_ASSIGN(auto seg, Segment::Open(fs_, "/log", Offset(0), options_, kNow));
  EDDY_ASSERT_OK_AND_ASSIGN(Segment::ScanResult scan, seg->Scan(Offset(0), ScanMode::kStrict, nullptr));
  EXPECT_EQ(scan.batches_scanned, 30);
  EXPECT_EQ(seg->next_offset(), Offset(300));
  EXPECT_EQ(seg->max_timestamp(), 1000 + 299);
  EDDY_ASSERT_OK_AND_ASSIGN(SegmentRead r, seg->Read(Offset(255), 100, INT64_MAX, true, true));
  EXPECT_EQ(r.first_batch_offset, 250);
  EDDY_ASSERT_OK_AND_ASSIGN(auto found, seg->FindBatchByTimestamp(1000 + 171));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->header.base_offset, 170);
}

TEST_F(SegmentTest, ScanTruncatesATornTailOrReportsItWhenStrict) {
  {
    EDDY_ASSERT_OK_AND_ASSIGN(auto seg, Segment::Create(fs_, "/log", Offset(0), options_, kNow));
    AppendBatches(*seg, 0, 5);
  }
  {
    auto f = fs_.Open("/log/00000000000000000000.log", OpenMode::kReadWrite);
    ASSERT_TRUE(f.ok());
    std::string half = MakeBatch(50, 10, 5000).substr(0, 300);
    EDDY_ASSERT_OK((*f)->Append(half));
  }
  {
    EDDY_ASSERT_OK_AND_ASSIGN(auto seg, Segment::Open(fs_, "/log", Offset(0), options_, kNow));
    absl::StatusOr<Segment::ScanResult> strict = seg->Scan(Offset(0), ScanMode::kStrict, nullptr);
    EXPECT_THAT(strict, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_NE(strict.status().message().find("00000000000000000000.log at position"), std::string::npos)
        << strict.status();
  }
  EDDY_ASSERT_OK_AND_ASSIGN(auto seg, Segment::Open(fs_, "/log", Offset(0), options_, kNow));
  EDDY_ASSERT_OK_AND_ASSIGN(auto scan, seg->Scan(Offset(0), ScanMode::kTruncateInvalidTail, nullptr));
  EXPECT_EQ(scan.bytes_truncated, 300u);
  EXPECT_EQ(seg->next_offset(), Offset(50));
}

TEST_F(SegmentTest, FlippedByteIsDetectedOnReadWithFileAndPosition) {
  EDDY_ASSERT_OK_AND_ASSIGN(auto seg, Segment::Create(fs_, "/log", Offset(0), options_, kNow));
  AppendBatches(*seg, 0, 10);
  const uint64_t batch_size = seg->size() / 10;
  EDDY_ASSERT_OK(fs_.CorruptByte("/log/00000000000000000000.log", 3 * batch_size + 200));
  EDDY_ASSERT_OK(seg->Read(Offset(0), batch_size * 3, INT64_MAX, true, true).status());
  absl::StatusOr<SegmentRead> r = seg->Read(Offset(30), 1 << 20, INT64_MAX, true, true);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_NE(r.status().message().find(absl::StrCat("00000000000000000000.log at position ", 3 * batch_size)),
            std::string::npos)
      << r.status();
  EXPECT_NE(r.status().message().find("base offset 30"), std::string::npos) << r.status();
}

TEST_F(SegmentTest, TruncateToRemovesWholeBatchesAndIndexEntries) {
  EDDY_ASSERT_OK_AND_ASSIGN(auto seg, Segment::Create(fs_, "/log", Offset(0), options_, kNow));
  AppendBatches(*seg, 0, 40);
  EDDY_ASSERT_OK_AND_ASSIGN(uint64_t removed, seg->TruncateTo(Offset(205)));
  EXPECT_GT(removed, 0u);
  EXPECT_EQ(seg->next_offset(), Offset(200));
  EXPECT_EQ(seg->max_timestamp(), 1000 + 199);
  EDDY_ASSERT_OK_AND_ASSIGN(SegmentRead r, seg->Read(Offset(200), 1 << 20, INT64_MAX, true, true));
  EXPECT_TRUE(r.records.empty());
  AppendBatches(*seg, 200, 5);
  EDDY_ASSERT_OK_AND_ASSIGN(SegmentRead again, seg->Read(Offset(201), 100, INT64_MAX, true, true));
  EXPECT_EQ(again.first_batch_offset, 200);
  EDDY_ASSERT_OK_AND_ASSIGN(removed, seg->TruncateTo(Offset(0)));
  EXPECT_EQ(seg->size(), 0u);
  EXPECT_EQ(seg->next_offset(), Offset(0));
}

TEST_F(SegmentTest, IndexFillsUpAtItsCap) {
  EDDY_ASSERT_OK_AND_ASSIGN(auto seg, Segment::Create(fs_, "/log", Offset(0), options_, kNow));
  // 1024-byte cap = 128 offset entries, one per ~2 KiB of log.
  int64_t base = 0;
  while (!seg->IndexFull() && base < 100000) {
    AppendBatches(*seg, base, 1);
    base += 10;
  }
  EXPECT_TRUE(seg->IndexFull());
  EXPECT_GT(seg->size(), 128u * 2048);
}

}  // namespace
}  // namespace eddy::storage
