// IsrTracker is a partition leader's view of its replicas: each follower's log end offset and last
// caught-up time (from its fetches), the in-sync replica set, the high watermark, the ISR changes
// it proposes to the controller, and the acks=all produce requests waiting for the high watermark.
// It is a deterministic core (STYLE.md): events (appends, follower fetches, controller answers) and
// Tick() change it; TakeOutput() returns the AlterPartition request to send and the waiters that
// finished. No threads, no I/O; time comes from the injected clock.
//
// Rules, as Kafka's Partition / Replica:
//   - A follower is caught up at a fetch whose offset reaches the leader's log end; a fetch that
//     reaches the leader's log end as of the follower's previous fetch proves it was caught up
//     then.
//   - HW = min log end over the maximal ISR (committed ISR plus a pending expansion), and it only
//     advances while the committed ISR has at least min.insync.replicas members (KIP-966). It never
//     moves back.
//   - An ISR member not caught up for longer than replica.lag.time.max.ms is proposed for removal;
//   a
//     replica outside the ISR whose log end reaches the HW and the current leader epoch's start
//     offset is proposed for addition, unless its broker is fenced or shutting down (KIP-841: the
//     controller would refuse it with INELIGIBLE_REPLICA, and the next fetch would propose it
//     again). One AlterPartition (KIP-497) is in flight at a time: a
//     pending change blocks further proposals until the controller answers or new metadata arrives.
//   - acks=all: rejected before appending when the ISR is below min.insync.replicas
//     (NOT_ENOUGH_REPLICAS); a waiter completes once the HW passes its last offset, fails with
//     NOT_ENOUGH_REPLICAS_AFTER_APPEND as soon as the committed ISR drops below min.insync.replicas
//     (with KIP-966 the HW would not reach it until the ISR recovers; the client retries, and an
//     idempotent retry is answered as a duplicate), and with REQUEST_TIMED_OUT at its deadline.
// Invariant: the leader is always in the ISR; high_watermark() <= the leader's log end.
// Thread-safety: none; the partition's driver serialises calls.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "libs/common/strong_id.h"
#include "libs/kafka/error_codes.h"

namespace eddy::broker {

struct IsrTrackerOptions {
  // min.insync.replicas: default 1, >= 1.
  int32_t min_insync_replicas = 1;
  // replica.lag.time.max.ms: default 30 s.
  absl::Duration replica_lag_time_max = absl::Seconds(30);
};

// PartitionAssignment is the controller's record of the partition as this leader knows it.
struct PartitionAssignment {
  BrokerId leader;
  LeaderEpoch leader_epoch;
  PartitionEpoch partition_epoch;
  std::vector<BrokerId> replicas;
  std::vector<BrokerId> isr;
};

// AlterPartitionProposal is the AlterPartition request to send (KIP-497): the new ISR, based on the
// partition epoch the leader last saw.
struct AlterPartitionProposal {
  LeaderEpoch leader_epoch;
  PartitionEpoch partition_epoch;
  std::vector<BrokerId> new_isr;

  friend bool operator==(const AlterPartitionProposal&, const AlterPartitionProposal&) = default;
};

// AcksAllCompletion finishes a waiting acks=all produce request (error kNone = committed).
struct AcksAllCompletion {
  uint64_t request_id = 0;
  kafka::ErrorCode error = kafka::ErrorCode::kNone;

  friend bool operator==(const AcksAllCompletion&, const AcksAllCompletion&) = default;
};

struct IsrTrackerOutput {
  std::optional<AlterPartitionProposal> alter_partition;
  std::vector<AcksAllCompletion> completions;
};

// FollowerState is the leader's record of one follower.
struct FollowerState {
  Offset log_end{-1};  // -1 until its first fetch since this leader took over
  absl::Time last_caught_up = absl::InfinitePast();
  Offset leader_log_end_at_last_fetch{-1};
  absl::Time last_fetch = absl::InfinitePast();
};

class IsrTracker {
 public:
  // IsrTracker starts leadership of `assignment` (whose leader is this broker) with the leader's
  // log end, the HW it had, and the offset where `assignment.leader_epoch` begins in its log. ISR
  // members count as caught up now, as Kafka resets replica state on becoming leader.
  IsrTracker(PartitionAssignment assignment, Offset leader_log_end, Offset high_watermark,
             Offset leader_epoch_start_offset, IsrTrackerOptions options, common::Clock& clock);

  // OnLeaderAppend records the leader's new log end after an append.
  void OnLeaderAppend(Offset log_end);

  // OnFollowerFetch records that `replica` fetched from `fetch_offset` (its log end). Returns
  // NOT_LEADER_OR_FOLLOWER for a broker that is not a follower of this partition.
  kafka::ErrorCode OnFollowerFetch(BrokerId replica, Offset fetch_offset);

  // CheckAcksAll is the pre-append check for acks=all: NOT_ENOUGH_REPLICAS below
  // min.insync.replicas.
  kafka::ErrorCode CheckAcksAll() const;

  // AddAcksAllWaiter registers an appended acks=all request ending at `last_offset`. It may finish
  // at once (the HW already passed it) in the next TakeOutput().
  void AddAcksAllWaiter(uint64_t request_id, Offset last_offset, absl::Time deadline);

  // OnAlterPartitionResponse applies the controller's answer to the pending proposal: on success
  // the committed ISR and partition epoch it returns; OPERATION_NOT_ATTEMPTED / INELIGIBLE_REPLICA
  // drop the proposal; FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION and UNKNOWN_TOPIC_OR_PARTITION
  // keep it pending until OnPartitionChange; any other error resends it.
  void OnAlterPartitionResponse(kafka::ErrorCode error, const std::vector<BrokerId>& isr,
                                PartitionEpoch partition_epoch);

  // OnPartitionChange applies a newer partition record from metadata (same leader and leader epoch;
  // a new leader epoch means a new IsrTracker). Older or equal partition epochs are ignored.
  void OnPartitionChange(const PartitionAssignment& assignment);

  // SetIneligibleReplicas names the brokers that are fenced or shutting down, which are not added to
  // the ISR; one that becomes eligible again is added at its next caught-up fetch.
  void SetIneligibleReplicas(std::set<BrokerId> ineligible);

  // Tick proposes ISR shrinks and times out waiters; the driver calls it periodically.
  void Tick();

  // TakeOutput returns and clears what the driver must act on.
  IsrTrackerOutput TakeOutput();

  Offset high_watermark() const { return high_watermark_; }
  Offset leader_log_end() const { return leader_log_end_; }
  const std::vector<BrokerId>& isr() const { return assignment_.isr; }
  PartitionEpoch partition_epoch() const { return assignment_.partition_epoch; }
  bool alter_partition_pending() const { return pending_.has_value(); }
  const FollowerState* follower(BrokerId replica) const;
  size_t waiter_count() const { return waiters_.size(); }

 private:
  struct Waiter {
    uint64_t request_id;
    Offset last_offset;
    absl::Time deadline;
  };

  bool InIsr(BrokerId replica) const;
  // MaximalIsr is the committed ISR plus a pending expansion.
  std::vector<BrokerId> MaximalIsr() const;
  void Propose(std::vector<BrokerId> new_isr);
  void MaybeExpand(BrokerId replica);
  void MaybeAdvanceHighWatermark();
  // ReleaseWaiters completes committed waiters, or fails them all when the ISR is below minimum.
  void ReleaseWaiters();
  void ApplyCommitted(const std::vector<BrokerId>& isr, PartitionEpoch partition_epoch);

  PartitionAssignment assignment_;
  Offset leader_log_end_;
  Offset high_watermark_;
  const Offset leader_epoch_start_offset_;
  const IsrTrackerOptions options_;
  common::Clock& clock_;
  std::map<BrokerId, FollowerState> followers_;
  std::optional<AlterPartitionProposal> pending_;
  std::set<BrokerId> ineligible_;
  bool send_pending_ = false;  // pending_ must be (re)sent in the next output
  std::vector<Waiter> waiters_;
  std::vector<AcksAllCompletion> completions_;
};

}  // namespace eddy::broker
