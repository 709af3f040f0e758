// Follower truncation by leader epoch (KIP-101, refined by KIP-279), as Kafka's
// AbstractFetcherThread.getOffsetTruncationState. After a leader change a follower asks the new
// leader, through OffsetForLeaderEpoch, where its own latest epoch ends in the leader's log, and
// truncates its log there before fetching: records it holds past that point were never committed
// under the leader's history and would otherwise diverge silently. The high watermark is never
// used: a follower's HW may lag the true commit point (truncating to it loses committed records) or
// lie past a divergence (keeping a stale tail).
//
// When the leader answers with an epoch the follower does not have, the follower truncates to the
// end of its own largest epoch below it and asks again with that epoch; the answer converges
// because each round removes the follower's later epochs.
#pragma once

#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "libs/common/strong_id.h"
#include "libs/storage/leader_epoch_cache.h"

namespace eddy::storage {
class PartitionLog;
}

namespace eddy::broker {

// EpochEndOffset is one partition's OffsetForLeaderEpoch answer: the largest epoch <= the requested
// one the answering log knows, and where it ends there ((-1, -1) when it knows no such epoch).
struct EpochEndOffset {
  LeaderEpoch epoch{-1};
  Offset end_offset{-1};

  friend bool operator==(const EpochEndOffset&, const EpochEndOffset&) = default;
};

// TruncationDecision says where to truncate; `completed` false means ask the leader again with the
// follower's new latest epoch after truncating.
struct TruncationDecision {
  Offset truncate_to;
  bool completed = false;

  friend bool operator==(const TruncationDecision&, const TruncationDecision&) = default;
};

// FollowerEndOffsetFn is the follower's own EndOffsetForEpoch(epoch) (LeaderEpochCache semantics).
using FollowerEndOffsetFn = absl::FunctionRef<std::pair<LeaderEpoch, Offset>(LeaderEpoch)>;

// ComputeFollowerTruncation decides the truncation offset from the leader's answer, the follower's
// log end and its epoch cache. FailedPrecondition when the leader knows no epoch at or below the
// one asked (it is behind the follower's history: refresh metadata and retry, never truncate to
// HW).
absl::StatusOr<TruncationDecision> ComputeFollowerTruncation(
    EpochEndOffset leader_answer, Offset follower_log_end,
    FollowerEndOffsetFn follower_end_offset_for_epoch);

// ComputeFollowerTruncation over a follower's LeaderEpochCache.
absl::StatusOr<TruncationDecision> ComputeFollowerTruncation(
    EpochEndOffset leader_answer, const storage::LeaderEpochCache& follower_epochs,
    Offset follower_log_end);

// TruncateFollower computes the decision for `follower` and truncates it (PartitionLog::TruncateTo,
// which also trims its epoch cache).
absl::StatusOr<TruncationDecision> TruncateFollower(storage::PartitionLog& follower,
                                                    EpochEndOffset leader_answer);

}  // namespace eddy::broker
