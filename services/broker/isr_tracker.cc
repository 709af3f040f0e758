#include "services/broker/isr_tracker.h"

#include <algorithm>
#include <utility>

namespace eddy::broker {

using kafka::ErrorCode;

IsrTracker::IsrTracker(PartitionAssignment assignment, Offset leader_log_end, Offset high_watermark,
                       Offset leader_epoch_start_offset, IsrTrackerOptions options,
                       common::Clock& clock)
    : assignment_(std::move(assignment)),
      leader_log_end_(leader_log_end),
      high_watermark_(std::min(high_watermark, leader_log_end)),
      leader_epoch_start_offset_(leader_epoch_start_offset),
      options_(options),
      clock_(clock) {
  if (!InIsr(assignment_.leader)) assignment_.isr.push_back(assignment_.leader);
  const absl::Time now = clock_.Now();
  for (BrokerId replica : assignment_.replicas) {
    if (replica == assignment_.leader) continue;
    FollowerState& state = followers_[replica];
    if (InIsr(replica)) state.last_caught_up = now;
  }
  MaybeAdvanceHighWatermark();
}

bool IsrTracker::InIsr(BrokerId replica) const {
  return std::find(assignment_.isr.begin(), assignment_.isr.end(), replica) !=
         assignment_.isr.end();
}

std::vector<BrokerId> IsrTracker::MaximalIsr() const {
  std::vector<BrokerId> maximal = assignment_.isr;
  if (pending_) {
    for (BrokerId replica : pending_->new_isr) {
      if (!InIsr(replica)) maximal.push_back(replica);
    }
  }
  return maximal;
}

const FollowerState* IsrTracker::follower(BrokerId replica) const {
  auto it = followers_.find(replica);
  return it == followers_.end() ? nullptr : &it->second;
}

void IsrTracker::OnLeaderAppend(Offset log_end) {
  leader_log_end_ = std::max(leader_log_end_, log_end);
  MaybeAdvanceHighWatermark();
}

ErrorCode IsrTracker::OnFollowerFetch(BrokerId replica, Offset fetch_offset) {
  auto it = followers_.find(replica);
  if (it == followers_.end()) return ErrorCode::kNotLeaderOrFollower;
  FollowerState& state = it->second;
  const absl::Time now = clock_.Now();
  // Replica.updateFetchStateOrThrow: reaching the current log end proves it is caught up now;
  // reaching the log end of its previous fetch proves it was caught up at that fetch.
  if (fetch_offset >= leader_log_end_) {
    state.last_caught_up = std::max(state.last_caught_up, now);
  } else if (fetch_offset >= state.leader_log_end_at_last_fetch) {
    state.last_caught_up = std::max(state.last_caught_up, state.last_fetch);
  }
  state.leader_log_end_at_last_fetch = leader_log_end_;
  state.last_fetch = now;
  state.log_end = fetch_offset;
  MaybeExpand(replica);
  MaybeAdvanceHighWatermark();
  return ErrorCode::kNone;
}

ErrorCode IsrTracker::CheckAcksAll() const {
  return static_cast<int32_t>(assignment_.isr.size()) < options_.min_insync_replicas
             ? ErrorCode::kNotEnoughReplicas
             : ErrorCode::kNone;
}

void IsrTracker::AddAcksAllWaiter(uint64_t request_id, Offset last_offset, absl::Time deadline) {
  waiters_.push_back({request_id, last_offset, deadline});
  ReleaseWaiters();
}

void IsrTracker::Propose(std::vector<BrokerId> new_isr) {
  pending_ = AlterPartitionProposal{assignment_.leader_epoch, assignment_.partition_epoch,
                                    std::move(new_isr)};
  send_pending_ = true;
}

void IsrTracker::MaybeExpand(BrokerId replica) {
  if (pending_ || InIsr(replica) || ineligible_.contains(replica)) return;
  const FollowerState& state = followers_.at(replica);
  // Partition.isFollowerInSync: at or past the HW and holding the current leader epoch's start, so
  // that a new ISR member can never lead with a log missing this epoch's records.
  if (state.log_end < high_watermark_ || state.log_end < leader_epoch_start_offset_) return;
  std::vector<BrokerId> expanded = assignment_.isr;
  expanded.push_back(replica);
  Propose(std::move(expanded));
}

void IsrTracker::SetIneligibleReplicas(std::set<BrokerId> ineligible) {
  ineligible_ = std::move(ineligible);
}

void IsrTracker::MaybeAdvanceHighWatermark() {
  if (static_cast<int32_t>(assignment_.isr.size()) >= options_.min_insync_replicas) {
    Offset candidate = leader_log_end_;
    for (BrokerId replica : MaximalIsr()) {
      if (replica == assignment_.leader) continue;
      auto it = followers_.find(replica);
      // A member the leader has not heard from since taking over holds the HW back.
      candidate = it == followers_.end() ? Offset(-1) : std::min(candidate, it->second.log_end);
    }
    high_watermark_ = std::max(high_watermark_, candidate);
  }
  ReleaseWaiters();
}

void IsrTracker::ReleaseWaiters() {
  const bool under_min =
      static_cast<int32_t>(assignment_.isr.size()) < options_.min_insync_replicas;
  std::erase_if(waiters_, [&](const Waiter& waiter) {
    if (high_watermark_ > waiter.last_offset) {
      completions_.push_back({waiter.request_id, ErrorCode::kNone});
      return true;
    }
    if (under_min) {
      completions_.push_back({waiter.request_id, ErrorCode::kNotEnoughReplicasAfterAppend});
      return true;
    }
    return false;
  });
}

void IsrTracker::ApplyCommitted(const std::vector<BrokerId>& isr, PartitionEpoch partition_epoch) {
  assignment_.isr = isr;
  assignment_.partition_epoch = partition_epoch;
  pending_.reset();
  send_pending_ = false;
  MaybeAdvanceHighWatermark();
}

void IsrTracker::OnAlterPartitionResponse(ErrorCode error, const std::vector<BrokerId>& isr,
                                          PartitionEpoch partition_epoch) {
  if (!pending_) return;
  switch (error) {
    case ErrorCode::kNone:
      if (partition_epoch > assignment_.partition_epoch) ApplyCommitted(isr, partition_epoch);
      return;
    case ErrorCode::kOperationNotAttempted:
    case ErrorCode::kIneligibleReplica:
      pending_.reset();
      send_pending_ = false;
      MaybeAdvanceHighWatermark();
      return;
    case ErrorCode::kFencedLeaderEpoch:
    case ErrorCode::kInvalidUpdateVersion:
    case ErrorCode::kUnknownTopicOrPartition:
      // The controller knows a newer partition state; it arrives through metadata.
      return;
    default:
      send_pending_ = true;
      return;
  }
}

void IsrTracker::OnPartitionChange(const PartitionAssignment& assignment) {
  if (assignment.leader != assignment_.leader ||
      assignment.leader_epoch != assignment_.leader_epoch ||
      assignment.partition_epoch <= assignment_.partition_epoch) {
    return;
  }
  assignment_.replicas = assignment.replicas;
  std::erase_if(followers_, [&](const auto& item) {
    return std::find(assignment.replicas.begin(), assignment.replicas.end(), item.first) ==
           assignment.replicas.end();
  });
  for (BrokerId replica : assignment.replicas) {
    if (replica != assignment_.leader) followers_.try_emplace(replica);
  }
  ApplyCommitted(assignment.isr, assignment.partition_epoch);
}

void IsrTracker::Tick() {
  const absl::Time now = clock_.Now();
  std::erase_if(waiters_, [&](const Waiter& waiter) {
    if (waiter.deadline > now) return false;
    completions_.push_back({waiter.request_id, ErrorCode::kRequestTimedOut});
    return true;
  });
  if (pending_) return;
  std::vector<BrokerId> shrunk;
  for (BrokerId replica : assignment_.isr) {
    auto it = followers_.find(replica);
    const bool lagging = it != followers_.end() && it->second.log_end != leader_log_end_ &&
                         now - it->second.last_caught_up > options_.replica_lag_time_max;
    if (!lagging) shrunk.push_back(replica);
  }
  if (shrunk.size() != assignment_.isr.size()) Propose(std::move(shrunk));
}

IsrTrackerOutput IsrTracker::TakeOutput() {
  IsrTrackerOutput output;
  if (send_pending_) output.alter_partition = pending_;
  send_pending_ = false;
  output.completions = std::move(completions_);
  completions_.clear();
  return output;
}

}  // namespace eddy::broker
