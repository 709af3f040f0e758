// GroupShardFence keeps the group coordinator shard epochs of the metadata this broker applied
// (MetadataDelta.coordinator_shards, shard n = partition n of __consumer_offsets) and checks the
// epoch a request to __consumer_offsets carries (ProduceRequest / FetchRequest
// .group_shard_epoch), so a deposed coordinator that has not yet seen its shard move cannot
// append:
//   - a produce without an epoch (a Kafka client through the gateway): INVALID_TOPIC_EXCEPTION,
//     as Kafka refuses client appends to internal topics;
//   - an epoch older than the shard's: NOT_COORDINATOR (the sender was deposed);
//   - a newer one: COORDINATOR_LOAD_IN_PROGRESS (this broker has not applied the assignment yet;
//     the coordinator retries);
//   - the shard's epoch: allowed.
// Fetches are checked only when they carry an epoch (consumers and followers do not).
//
// Invariant: an admitted produce holds the fence (shared) until its records are in the log, and a
// new epoch is applied only exclusively. So once a fetch with the new epoch was admitted, every
// append admitted under the old epoch is below the log end offset that fetch sees: the new
// owner's first fetch is a barrier after which nothing of the old owner's can land unseen.
// Thread-safety: all methods are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "libs/kafka/error_codes.h"
#include "proto/eddy/v1/controller.pb.h"

namespace eddy::broker {

// kGroupMetadataTopic is the internal topic whose partitions are the group coordinator's shards.
inline constexpr std::string_view kGroupMetadataTopic = "__consumer_offsets";

enum class GroupShardAccess { kProduce, kFetch };

// GroupShardFenceError decides one request to `topic`: `request_epoch` is what the request
// carries (<= 0: none), `known_epoch` the shard's epoch in this broker's metadata (0: unknown).
// Topics other than __consumer_offsets are always allowed (kNone).
kafka::ErrorCode GroupShardFenceError(std::string_view topic, int64_t request_epoch,
                                      int64_t known_epoch, GroupShardAccess access);

class GroupShardFence {
 public:
  // Admission is the answer to a produce: error() kNone means append now; the fence stays held
  // (shared) until the Admission is destroyed, so no newer epoch is applied in between.
  class Admission {
   public:
    Admission(Admission&& other) noexcept;
    Admission& operator=(Admission&&) = delete;
    ~Admission();
    kafka::ErrorCode error() const { return error_; }
    const std::string& message() const { return message_; }

   private:
    friend class GroupShardFence;
    Admission(absl::Mutex* held, kafka::ErrorCode error, std::string message);
    absl::Mutex* held_;  // read-locked while set
    kafka::ErrorCode error_;
    std::string message_;
  };

  // Apply takes the shard epochs of one WatchMetadata message (a snapshot replaces them).
  void Apply(const eddy::v1::MetadataDelta& delta);

  // AdmitProduce checks a produce to topic/partition carrying `request_epoch`.
  Admission AdmitProduce(const std::string& topic, int32_t partition, int64_t request_epoch);
  // CheckFetch checks a fetch of topic/partition carrying `request_epoch`; kNone: serve it.
  kafka::ErrorCode CheckFetch(const std::string& topic, int32_t partition, int64_t request_epoch,
                              std::string* message);

  // Epoch of `shard` in the applied metadata (0: unknown).
  int64_t EpochOf(int32_t shard) const;

 private:
  kafka::ErrorCode Decide(const std::string& topic, int32_t partition, int64_t request_epoch,
                          GroupShardAccess access, std::string* message) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<int32_t, int64_t> epochs_ ABSL_GUARDED_BY(mu_);  // shard → epoch
};

}  // namespace eddy::broker
