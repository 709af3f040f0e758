// Replication between two Partitions through the same calls the ReplicaFetch path makes
// (FetchForFollower on the leader, then AppendAsFollower / TruncateByLeaderEpoch on the follower):
// catch-up with the high watermark, and the KIP-101 divergence scenario end to end.
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/kafka/record_batch_builder.h"
#include "libs/storage/mem_file_system.h"
#include "services/broker/partition.h"
#include "tests/testing/status_matchers.h"

namespace eddy::broker {
namespace {

using kafka::ErrorCode;

std::string Batch(int records, const std::string& value) {
  kafka::RecordBatchBuilder builder({});
  for (int i = 0; i < records; ++i) builder.Append(1'700'000'000'000 + i, "k", value);
  return *builder.Build();
}

class ReplicationTest : public ::testing::Test {
 protected:
  std::unique_ptr<Partition> Open(int32_t self) {
    auto opened = Partition::Open(fs_, "/logs/b" + std::to_string(self) + "/t-0", TopicConfig{},
                                  PartitionOptions{.self = BrokerId(self)}, PartitionEvents{},
                                  clock_, nullptr);
    EXPECT_TRUE(opened.ok()) << opened.status();
    return std::move(*opened);
  }

  static PartitionAssignment Assign(int32_t leader, int32_t epoch, std::vector<BrokerId> isr) {
    return PartitionAssignment{.leader = BrokerId(leader),
                               .leader_epoch = LeaderEpoch(epoch),
                               .partition_epoch = PartitionEpoch(epoch),
                               .replicas = {BrokerId(1), BrokerId(2)},
                               .isr = std::move(isr)};
  }

  static Offset Produce(Partition& p, std::string records) {
    bool waiting = false;
    ProduceResult r = p.Produce(std::span<char>(records.data(), records.size()), 1, 9,
                                absl::InfiniteFuture(), [](ErrorCode) {}, &waiting);
    EXPECT_EQ(r.error, ErrorCode::kNone) << r.error_message;
    return r.base_offset;
  }

  // FetchOnce runs one follower fetch round as the replica fetcher does.
  static void FetchOnce(Partition& leader, Partition& follower, int32_t follower_id) {
    FetchArgs args;
    args.fetch_offset = follower.log().LogEndOffset();
    args.current_leader_epoch = follower.leader_epoch();
    args.last_fetched_epoch = follower.LastFetchedEpoch();
    FetchResult result = leader.FetchForFollower(BrokerId(follower_id), args);
    ASSERT_EQ(result.error, ErrorCode::kNone) << result.error_message;
    if (result.diverging) {
      EDDY_ASSERT_OK(follower.TruncateByLeaderEpoch(follower.leader_epoch(), *result.diverging).status());
      return;
    }
    EDDY_ASSERT_OK(follower.AppendAsFollower(follower.leader_epoch(), args.fetch_offset,
                                        std::move(result.records), result.high_watermark,
                                        result.log_start_offset));
  }

  static std::string ReadAll(const Partition& p) {
    storage::ReadOptions options;
    options.max_bytes = 1 << 20;
    auto read = p.log().Read(p.log().LogStartOffset(), options);
    return read.ok() ? read->records : std::string();
  }

  storage::MemFileSystem fs_;
  common::ManualClock clock_{absl::FromUnixMillis(1'700'000'000'000)};
};

TEST_F(ReplicationTest, FollowerCatchesUpAndTheHighWatermarkFollows) {
  std::unique_ptr<Partition> a = Open(1);
  std::unique_ptr<Partition> b = Open(2);
  a->ApplyAssignment(Assign(1, 1, {BrokerId(1), BrokerId(2)}));
  b->ApplyAssignment(Assign(1, 1, {BrokerId(1), BrokerId(2)}));
  Produce(*a, Batch(3, "x"));
  Produce(*a, Batch(2, "y"));
  EXPECT_EQ(a->high_watermark(), Offset(0));
  FetchOnce(*a, *b, 2);
  EXPECT_EQ(b->log().LogEndOffset(), Offset(5));
  FetchOnce(*a, *b, 2);  // reports the new log end: the HW moves, and reaches the follower
  EXPECT_EQ(a->high_watermark(), Offset(5));
  FetchOnce(*a, *b, 2);
  EXPECT_EQ(b->high_watermark(), Offset(5));
  EXPECT_EQ(ReadAll(*a), ReadAll(*b));
}

// KIP-101: A leads epoch 1 and writes an uncommitted tail B never got; B becomes leader in epoch 2
// and writes different records at the same offsets; A returns as follower and must end up with
// B's history, truncated at the epoch boundary (offset 5), never keeping its stale tail.
TEST_F(ReplicationTest, OldLeaderTruncatesItsDivergentTailAtTheEpochBoundary) {
  std::unique_ptr<Partition> a = Open(1);
  std::unique_ptr<Partition> b = Open(2);
  a->ApplyAssignment(Assign(1, 1, {BrokerId(1), BrokerId(2)}));
  b->ApplyAssignment(Assign(1, 1, {BrokerId(1), BrokerId(2)}));
  Produce(*a, Batch(5, "committed"));
  FetchOnce(*a, *b, 2);
  FetchOnce(*a, *b, 2);
  ASSERT_EQ(a->high_watermark(), Offset(5));
  Produce(*a, Batch(3, "uncommitted-on-a"));  // offsets 5..7, only on A
  ASSERT_EQ(a->log().LogEndOffset(), Offset(8));

  // A is gone; B leads epoch 2 with ISR {2} and writes offsets 5..6.
  b->ApplyAssignment(Assign(2, 2, {BrokerId(2)}));
  EXPECT_EQ(Produce(*b, Batch(2, "new-leader")), Offset(5));

  // A comes back as a follower of B in epoch 2.
  a->ApplyAssignment(Assign(2, 2, {BrokerId(2)}));
  FetchOnce(*b, *a, 1);  // divergence: epoch 1 ends at 5 on B
  EXPECT_EQ(a->log().LogEndOffset(), Offset(5));
  FetchOnce(*b, *a, 1);  // then B's records
  EXPECT_EQ(a->log().LogEndOffset(), Offset(7));
  EXPECT_EQ(ReadAll(*a), ReadAll(*b));
  EXPECT_EQ(a->LastFetchedEpoch(), LeaderEpoch(2));
}

}  // namespace
}  // namespace eddy::broker
