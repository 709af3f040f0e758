// GroupShardFence: the decision for __consumer_offsets requests by shard epoch (none, older,
// newer, equal), other topics untouched, epochs taken from metadata snapshots and deltas, and the
// barrier: a newer epoch is applied only once admitted produces have finished.
#include "services/broker/group_shard_fence.h"

#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace eddy::broker {
namespace {

using kafka::ErrorCode;

constexpr char kOffsets[] = "__consumer_offsets";

TEST(GroupShardFenceErrorTest, ProduceToTheGroupLogNeedsTheShardsCurrentEpoch) {
  const auto produce = GroupShardAccess::kProduce;
  EXPECT_EQ(GroupShardFenceError(kOffsets, 0, 3, produce), ErrorCode::kInvalidTopicException)
      << "a Kafka client (no epoch) may not append to the internal topic";
  EXPECT_EQ(GroupShardFenceError(kOffsets, -1, 3, produce), ErrorCode::kInvalidTopicException);
  EXPECT_EQ(GroupShardFenceError(kOffsets, 2, 3, produce), ErrorCode::kNotCoordinator)
      << "a deposed owner";
  EXPECT_EQ(GroupShardFenceError(kOffsets, 4, 3, produce), ErrorCode::kCoordinatorLoadInProgress)
      << "this broker has not applied the assignment yet";
  EXPECT_EQ(GroupShardFenceError(kOffsets, 1, 0, produce), ErrorCode::kCoordinatorLoadInProgress)
      << "no assignment known yet";
  EXPECT_EQ(GroupShardFenceError(kOffsets, 3, 3, produce), ErrorCode::kNone);
}

TEST(GroupShardFenceErrorTest, FetchIsCheckedOnlyWhenItCarriesAnEpoch) {
  const auto fetch = GroupShardAccess::kFetch;
  EXPECT_EQ(GroupShardFenceError(kOffsets, 0, 3, fetch), ErrorCode::kNone)
      << "consumers and followers read the group log unchecked";
  EXPECT_EQ(GroupShardFenceError(kOffsets, 2, 3, fetch), ErrorCode::kNotCoordinator);
  EXPECT_EQ(GroupShardFenceError(kOffsets, 4, 3, fetch), ErrorCode::kCoordinatorLoadInProgress);
  EXPECT_EQ(GroupShardFenceError(kOffsets, 3, 3, fetch), ErrorCode::kNone);
}

TEST(GroupShardFenceErrorTest, OtherTopicsAreUntouched) {
  for (auto access : {GroupShardAccess::kProduce, GroupShardAccess::kFetch}) {
    for (int64_t epoch : {0, 2, 3, 4}) {
      EXPECT_EQ(GroupShardFenceError("orders", epoch, 3, access), ErrorCode::kNone);
      EXPECT_EQ(GroupShardFenceError("__transaction_state", epoch, 3, access), ErrorCode::kNone);
      EXPECT_EQ(GroupShardFenceError("__consumer_offsets2", epoch, 3, access), ErrorCode::kNone);
    }
  }
}

eddy::v1::MetadataDelta Shards(bool snapshot,
                               std::vector<std::tuple<eddy::v1::CoordinatorType, int32_t, int64_t>>
                                   shards) {
  eddy::v1::MetadataDelta delta;
  delta.set_snapshot(snapshot);
  for (auto [type, shard, epoch] : shards) {
    eddy::v1::CoordinatorShardState* s = delta.add_coordinator_shards();
    s->set_coordinator_type(type);
    s->set_shard(shard);
    s->set_owner(7);
    s->set_epoch(epoch);
  }
  return delta;
}

constexpr auto kGroup = eddy::v1::COORDINATOR_TYPE_GROUP;
constexpr auto kTransaction = eddy::v1::COORDINATOR_TYPE_TRANSACTION;

TEST(GroupShardFenceTest, FollowsSnapshotsAndDeltasOfGroupShards) {
  GroupShardFence fence;
  fence.Apply(Shards(true, {{kGroup, 0, 1}, {kGroup, 1, 2}, {kTransaction, 0, 9}}));
  EXPECT_EQ(fence.EpochOf(0), 1) << "transaction shards are not group shards";
  EXPECT_EQ(fence.EpochOf(1), 2);
  EXPECT_EQ(fence.EpochOf(2), 0);
  fence.Apply(Shards(false, {{kGroup, 1, 3}}));  // shard 1 moved
  EXPECT_EQ(fence.EpochOf(0), 1);
  EXPECT_EQ(fence.EpochOf(1), 3);
  fence.Apply(eddy::v1::MetadataDelta());  // a delta without shard changes
  EXPECT_EQ(fence.EpochOf(1), 3);
  fence.Apply(Shards(true, {{kGroup, 1, 4}}));  // a snapshot replaces everything
  EXPECT_EQ(fence.EpochOf(0), 0);
  EXPECT_EQ(fence.EpochOf(1), 4);

  EXPECT_EQ(fence.AdmitProduce(kOffsets, 1, 4).error(), ErrorCode::kNone);
  GroupShardFence::Admission stale = fence.AdmitProduce(kOffsets, 1, 3);
  EXPECT_EQ(stale.error(), ErrorCode::kNotCoordinator);
  EXPECT_FALSE(stale.message().empty());
  GroupShardFence::Admission client = fence.AdmitProduce(kOffsets, 1, 0);
  EXPECT_EQ(client.error(), ErrorCode::kInvalidTopicException);
  EXPECT_EQ(client.message(), "Cannot append to internal topic __consumer_offsets");
  EXPECT_EQ(fence.AdmitProduce(kOffsets, 0, 1).error(), ErrorCode::kCoordinatorLoadInProgress);
  EXPECT_EQ(fence.AdmitProduce("orders", 1, 0).error(), ErrorCode::kNone);
  std::string message;
  EXPECT_EQ(fence.CheckFetch(kOffsets, 1, 0, &message), ErrorCode::kNone);
  EXPECT_EQ(fence.CheckFetch(kOffsets, 1, 3, &message), ErrorCode::kNotCoordinator);
  EXPECT_EQ(fence.CheckFetch(kOffsets, 1, 5, &message), ErrorCode::kCoordinatorLoadInProgress);
  EXPECT_EQ(fence.CheckFetch(kOffsets, 1, 4, &message), ErrorCode::kNone);
}

TEST(GroupShardFenceTest, ANewEpochWaitsForAdmittedAppendsToFinish) {
  GroupShardFence fence;
  fence.Apply(Shards(true, {{kGroup, 5, 1}}));
  std::optional<GroupShardFence::Admission> appending = fence.AdmitProduce(kOffsets, 5, 1);
  ASSERT_EQ(appending->error(), ErrorCode::kNone);
  absl::Notification applied;
  std::thread metadata([&] {
    fence.Apply(Shards(false, {{kGroup, 5, 2}}));
    applied.Notify();
  });
  // The move cannot be applied while the old owner's admitted append is still going into the log.
  EXPECT_FALSE(applied.WaitForNotificationWithTimeout(absl::Milliseconds(200)));
  appending.reset();
  applied.WaitForNotification();
  metadata.join();
  EXPECT_EQ(fence.AdmitProduce(kOffsets, 5, 1).error(), ErrorCode::kNotCoordinator);
  EXPECT_EQ(fence.AdmitProduce(kOffsets, 5, 2).error(), ErrorCode::kNone);
}

}  // namespace
}  // namespace eddy::broker
