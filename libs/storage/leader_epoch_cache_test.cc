#include "libs/storage/leader_epoch_cache.h"

#include "gtest/gtest.h"
#include "libs/storage/atomic_file.h"
#include "libs/storage/mem_file_system.h"
#include "tests/testing/status_matchers.h"

namespace eddy::storage {
namespace {

using Entry = LeaderEpochCache::Entry;
using ::eddy::testing::StatusIs;

class LeaderEpochCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EDDY_ASSERT_OK(fs_.CreateDirs("/p"));
    auto cache = LeaderEpochCache::Load(fs_, "/p/leader-epoch-checkpoint");
    ASSERT_TRUE(cache.ok());
    cache_ = *std::move(cache);
  }

  std::pair<LeaderEpoch, Offset> End(int32_t epoch, int64_t leo = 100) {
    return cache_->EndOffsetForEpoch(LeaderEpoch(epoch), Offset(leo));
  }

  MemFileSystem fs_;
  std::unique_ptr<LeaderEpochCache> cache_;
};

TEST_F(LeaderEpochCacheTest, EndOffsetForEpochFollowsKip101AndKip279) {
  EXPECT_EQ(End(0), std::make_pair(LeaderEpoch(-1), Offset(-1)));  // empty cache
  cache_->Assign(LeaderEpoch(2), Offset(10));
  cache_->Assign(LeaderEpoch(4), Offset(30));
  cache_->Assign(LeaderEpoch(7), Offset(60));
  EXPECT_EQ(End(7), std::make_pair(LeaderEpoch(7), Offset(100)));  // latest: log end
  EXPECT_EQ(End(4), std::make_pair(LeaderEpoch(4), Offset(60)));   // known: next epoch's start
  EXPECT_EQ(End(5), std::make_pair(LeaderEpoch(4), Offset(60)));   // unknown, between: floor epoch
  EXPECT_EQ(End(1), std::make_pair(LeaderEpoch(1), Offset(10)));   // below all: first start
  EXPECT_EQ(End(8), std::make_pair(LeaderEpoch(-1), Offset(-1)));  // above all
  EXPECT_EQ(End(-1), std::make_pair(LeaderEpoch(-1), Offset(-1)));
}

TEST_F(LeaderEpochCacheTest, AssignIgnoresLaterOffsetsOfLatestAndRemovesConflicts) {
  cache_->Assign(LeaderEpoch(1), Offset(0));
  cache_->Assign(LeaderEpoch(1), Offset(5));  // same epoch, later: no-op
  cache_->Assign(LeaderEpoch(3), Offset(20));
  EXPECT_EQ(cache_->entries(), (std::vector<Entry>{{LeaderEpoch(1), Offset(0)}, {LeaderEpoch(3), Offset(20)}}));
  cache_->Assign(LeaderEpoch(2), Offset(15));  // older epoch: entries at/after it are replaced
  EXPECT_EQ(cache_->entries(), (std::vector<Entry>{{LeaderEpoch(1), Offset(0)}, {LeaderEpoch(2), Offset(15)}}));
  cache_->Assign(LeaderEpoch(-1), Offset(99));  // pre-KIP-101 data carries no epoch
  EXPECT_EQ(cache_->entries().size(), 2u);
}

TEST_F(LeaderEpochCacheTest, TruncationFromEndAndStart) {
  cache_->Assign(LeaderEpoch(1), Offset(0));
  cache_->Assign(LeaderEpoch(2), Offset(10));
  cache_->Assign(LeaderEpoch(3), Offset(20));
  cache_->TruncateFromEnd(Offset(20));
  EXPECT_EQ(cache_->Latest()->epoch, LeaderEpoch(2));
  cache_->Assign(LeaderEpoch(3), Offset(20));
  cache_->TruncateFromStart(Offset(15));
  EXPECT_EQ(cache_->entries(), (std::vector<Entry>{{LeaderEpoch(2), Offset(15)}, {LeaderEpoch(3), Offset(20)}}));
  cache_->TruncateFromStart(Offset(5));  // below the first entry: nothing to drop
  EXPECT_EQ(cache_->entries().size(), 2u);
}

TEST_F(LeaderEpochCacheTest, PersistsInKafkaFormatAndReloads) {
  cache_->Assign(LeaderEpoch(1), Offset(0));
  cache_->Assign(LeaderEpoch(4), Offset(42));
  EDDY_ASSERT_OK(cache_->Persist());
  EDDY_ASSERT_OK_AND_ASSIGN(std::string text, ReadWholeFile(fs_, "/p/leader-epoch-checkpoint"));
  EXPECT_EQ(text, "0\n2\n1 0\n4 42\n");
  EDDY_ASSERT_OK_AND_ASSIGN(auto reloaded, LeaderEpochCache::Load(fs_, "/p/leader-epoch-checkpoint"));
  EXPECT_EQ(reloaded->entries(), cache_->entries());
  EDDY_ASSERT_OK(WriteFileAtomically(fs_, "/p/leader-epoch-checkpoint", "0\n2\n4 42\n1 50\n"));
  EXPECT_THAT(LeaderEpochCache::Load(fs_, "/p/leader-epoch-checkpoint"), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace eddy::storage
