#include "services/broker/leader_epoch_truncation.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/storage/partition_log.h"

namespace eddy::broker {

absl::StatusOr<TruncationDecision> ComputeFollowerTruncation(
    EpochEndOffset leader_answer, Offset follower_log_end,
    FollowerEndOffsetFn follower_end_offset_for_epoch) {
  if (leader_answer.end_offset == storage::LeaderEpochCache::kUndefinedOffset) {
    return absl::FailedPreconditionError(
        "the leader knows no epoch at or below the follower's latest; refresh metadata before "
        "truncating");
  }
  if (leader_answer.epoch == storage::LeaderEpochCache::kUndefinedEpoch) {
    // A leader without epoch information for the request still knows its end offset.
    return TruncationDecision{std::min(leader_answer.end_offset, follower_log_end), true};
  }
  const auto [follower_epoch, follower_end] = follower_end_offset_for_epoch(leader_answer.epoch);
  if (follower_end == storage::LeaderEpochCache::kUndefinedOffset) {
    // The follower has no epoch at or below the leader's: nothing it holds can be trusted past the
    // leader's end of that epoch.
    return TruncationDecision{std::min(leader_answer.end_offset, follower_log_end), true};
  }
  if (follower_epoch != leader_answer.epoch) {
    // The follower never saw the leader's epoch: cut to the end of its largest epoch below it and
    // ask again with that epoch.
    return TruncationDecision{std::min(follower_end, follower_log_end), false};
  }
  return TruncationDecision{std::min({follower_end, leader_answer.end_offset, follower_log_end}),
                            true};
}

absl::StatusOr<TruncationDecision> ComputeFollowerTruncation(
    EpochEndOffset leader_answer, const storage::LeaderEpochCache& follower_epochs,
    Offset follower_log_end) {
  return ComputeFollowerTruncation(leader_answer, follower_log_end, [&](LeaderEpoch epoch) {
    return follower_epochs.EndOffsetForEpoch(epoch, follower_log_end);
  });
}

absl::StatusOr<TruncationDecision> TruncateFollower(storage::PartitionLog& follower,
                                                    EpochEndOffset leader_answer) {
  EDDY_ASSIGN_OR_RETURN(
      TruncationDecision decision,
      ComputeFollowerTruncation(leader_answer, follower.LogEndOffset(), [&](LeaderEpoch epoch) {
        return follower.EndOffsetForEpoch(epoch);
      }));
  if (decision.truncate_to < follower.LogEndOffset()) {
    absl::Status truncated = follower.TruncateTo(decision.truncate_to);
    if (!truncated.ok()) {
      return absl::Status(truncated.code(),
                          absl::StrCat("truncating ", follower.dir(), " to ",
                                       decision.truncate_to.value(), ": ", truncated.message()));
    }
  }
  return decision;
}

}  // namespace eddy::broker
