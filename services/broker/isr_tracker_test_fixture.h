// Shared fixture for the IsrTracker tests: leader 1 of replicas {1, 2, 3} on a ManualClock.
#pragma once

#include <memory>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "services/broker/isr_tracker.h"

namespace eddy::broker::testing {

inline constexpr BrokerId kLeader{1};
inline constexpr BrokerId kFollowerA{2};
inline constexpr BrokerId kFollowerB{3};

class IsrTrackerTest : public ::testing::Test {
 protected:
  // Start makes a tracker for ISR `isr` with the leader's log end and HW at `log_end`.
  void Start(std::vector<BrokerId> isr, Offset log_end = Offset(0),
             Offset epoch_start = Offset(0)) {
    PartitionAssignment assignment{kLeader,
                                   LeaderEpoch(4),
                                   PartitionEpoch(10),
                                   {kLeader, kFollowerA, kFollowerB},
                                   std::move(isr)};
    tracker_ =
        std::make_unique<IsrTracker>(assignment, log_end, log_end, epoch_start, options_, clock_);
  }

  // Append moves the leader's log end forward by `records`.
  void Append(int64_t records) {
    tracker_->OnLeaderAppend(Offset(tracker_->leader_log_end().value() + records));
  }

  void Fetch(BrokerId follower, int64_t offset) {
    EXPECT_EQ(tracker_->OnFollowerFetch(follower, Offset(offset)), kafka::ErrorCode::kNone);
  }

  common::ManualClock clock_;
  IsrTrackerOptions options_{.min_insync_replicas = 2, .replica_lag_time_max = absl::Seconds(30)};
  std::unique_ptr<IsrTracker> tracker_;
};

}  // namespace eddy::broker::testing
