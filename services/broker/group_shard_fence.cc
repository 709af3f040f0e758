#include "services/broker/group_shard_fence.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace eddy::broker {

using kafka::ErrorCode;

ErrorCode GroupShardFenceError(std::string_view topic, int64_t request_epoch, int64_t known_epoch,
                               GroupShardAccess access) {
  if (topic != kGroupMetadataTopic) return ErrorCode::kNone;
  if (request_epoch <= 0) {
    // Only coordinators write the group log; consumers (and followers) may read it.
    return access == GroupShardAccess::kProduce ? ErrorCode::kInvalidTopicException
                                                : ErrorCode::kNone;
  }
  if (request_epoch < known_epoch) return ErrorCode::kNotCoordinator;
  if (request_epoch > known_epoch) return ErrorCode::kCoordinatorLoadInProgress;
  return ErrorCode::kNone;
}

GroupShardFence::Admission::Admission(absl::Mutex* held, ErrorCode error, std::string message)
    : held_(held), error_(error), message_(std::move(message)) {}

GroupShardFence::Admission::Admission(Admission&& other) noexcept
    : held_(std::exchange(other.held_, nullptr)),
      error_(other.error_),
      message_(std::move(other.message_)) {}

GroupShardFence::Admission::~Admission() {
  if (held_ != nullptr) held_->ReaderUnlock();
}

void GroupShardFence::Apply(const eddy::v1::MetadataDelta& delta) {
  if (!delta.snapshot() && delta.coordinator_shards().empty()) return;
  absl::MutexLock lock(&mu_);
  if (delta.snapshot()) epochs_.clear();
  for (const eddy::v1::CoordinatorShardState& shard : delta.coordinator_shards()) {
    if (shard.coordinator_type() != eddy::v1::COORDINATOR_TYPE_GROUP) continue;
    epochs_[shard.shard()] = shard.epoch();
  }
}

ErrorCode GroupShardFence::Decide(const std::string& topic, int32_t partition,
                                  int64_t request_epoch, GroupShardAccess access,
                                  std::string* message) const {
  auto it = epochs_.find(partition);
  const int64_t known = it == epochs_.end() ? 0 : it->second;
  const ErrorCode error = GroupShardFenceError(topic, request_epoch, known, access);
  switch (error) {
    case ErrorCode::kInvalidTopicException:
      *message = absl::StrCat("Cannot append to internal topic ", topic);
      break;
    case ErrorCode::kNotCoordinator:
      *message = absl::StrCat("group shard ", partition, " epoch ", request_epoch,
                              " is older than its current epoch ", known);
      break;
    case ErrorCode::kCoordinatorLoadInProgress:
      *message = absl::StrCat("group shard ", partition, " epoch ", request_epoch,
                              " is not known here yet (at ", known, ")");
      break;
    default:
      break;
  }
  return error;
}

GroupShardFence::Admission GroupShardFence::AdmitProduce(const std::string& topic,
                                                         int32_t partition,
                                                         int64_t request_epoch)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (topic != kGroupMetadataTopic) return Admission(nullptr, ErrorCode::kNone, "");
  mu_.ReaderLock();
  std::string message;
  const ErrorCode error =
      Decide(topic, partition, request_epoch, GroupShardAccess::kProduce, &message);
  if (error != ErrorCode::kNone) {
    mu_.ReaderUnlock();
    return Admission(nullptr, error, std::move(message));
  }
  // Held until the caller's append is in the log (the barrier invariant).
  return Admission(&mu_, ErrorCode::kNone, "");
}

ErrorCode GroupShardFence::CheckFetch(const std::string& topic, int32_t partition,
                                      int64_t request_epoch, std::string* message) {
  if (topic != kGroupMetadataTopic || request_epoch <= 0) return ErrorCode::kNone;
  absl::ReaderMutexLock lock(&mu_);
  return Decide(topic, partition, request_epoch, GroupShardAccess::kFetch, message);
}

int64_t GroupShardFence::EpochOf(int32_t shard) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = epochs_.find(shard);
  return it == epochs_.end() ? 0 : it->second;
}

}  // namespace eddy::broker
