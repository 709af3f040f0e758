#include "services/broker/internal/fetch_operation.h"

#include <algorithm>
#include <utility>

#include "libs/kafka/record_batch.h"

namespace eddy::broker::internal {

using kafka::ErrorCode;

FetchOperation::FetchOperation(ReplicaManager& replicas, BrokerMetrics* metrics,
                               common::Clock& clock, eddy::v1::FetchRequest request,
                               int32_t default_max_bytes, absl::Duration max_wait_cap, Reply reply)
    : replicas_(replicas),
      metrics_(metrics),
      request_(std::move(request)),
      follower_(request_.replica_id() >= 0),
      max_bytes_(request_.max_bytes() > 0 ? request_.max_bytes() : default_max_bytes),
      clock_(clock),
      start_(clock.Now()),
      deadline_(start_ + std::min(absl::Milliseconds(std::max(0, request_.max_wait_ms())), max_wait_cap)),
      reply_(std::move(reply)) {}

void FetchOperation::Start(std::shared_ptr<FetchOperation> operation, ReplicaManager& replicas) {
  if (operation->request_.max_wait_ms() <= 0 || operation->TryComplete(false)) {
    operation->TryComplete(true);
    return;
  }
  replicas.AddDelayed(std::move(operation));
}

bool FetchOperation::AnyReadable() const {
  for (const eddy::v1::FetchPartition& fp : request_.partitions()) {
    std::shared_ptr<Partition> partition =
        replicas_.Get({fp.partition().topic(), fp.partition().partition()});
    if (partition == nullptr || partition->Readable(Offset(fp.fetch_offset()), follower_)) return true;
  }
  return false;
}

eddy::v1::FetchResponse FetchOperation::Build(bool* ready, bool expired) {
  eddy::v1::FetchResponse response;
  int64_t remaining = max_bytes_;
  int64_t total = 0;
  bool error = false;
  for (const eddy::v1::FetchPartition& fp : request_.partitions()) {
    eddy::v1::FetchPartitionResult* out = response.add_results();
    *out->mutable_partition() = fp.partition();
    out->set_diverging_epoch(-1);
    const TopicPartitionKey key{fp.partition().topic(), fp.partition().partition()};
    std::shared_ptr<Partition> partition = replicas_.Get(key);
    if (partition == nullptr) {
      out->set_error_code(static_cast<int32_t>(replicas_.KnowsPartition(key)
                                                   ? ErrorCode::kNotLeaderOrFollower
                                                   : ErrorCode::kUnknownTopicOrPartition));
      out->set_high_watermark(-1);
      out->set_last_stable_offset(-1);
      out->set_log_start_offset(-1);
      error = true;
      continue;
    }
    FetchArgs args;
    args.fetch_offset = Offset(fp.fetch_offset());
    args.current_leader_epoch = LeaderEpoch(fp.current_leader_epoch());
    args.last_fetched_epoch = LeaderEpoch(fp.last_fetched_epoch());
    const int64_t partition_max = fp.partition_max_bytes() > 0 ? fp.partition_max_bytes() : (1 << 20);
    // KIP-74: once something was returned, later partitions get only what is left of max_bytes
    // (the first non-empty one may exceed it by one batch).
    args.max_bytes =
        static_cast<size_t>(total == 0 ? partition_max : std::min(partition_max, remaining));
    args.read_committed = request_.isolation_level() == 1;
    const bool out_of_budget = total > 0 && remaining <= 0;
    if (out_of_budget) args.max_bytes = 1;
    FetchResult result = follower_ ? partition->FetchForFollower(BrokerId(request_.replica_id()), args)
                                   : partition->Fetch(args);
    // Out of budget: the partition's state without data.
    if (out_of_budget) result.records.clear();
    out->set_error_code(static_cast<int32_t>(result.error));
    out->set_error_message(std::move(result.error_message));
    out->set_high_watermark(result.high_watermark.value());
    out->set_last_stable_offset(result.last_stable_offset.value());
    out->set_log_start_offset(result.log_start_offset.value());
    out->set_log_end_offset(result.log_end_offset.value());
    if (result.diverging) {
      out->set_diverging_epoch(result.diverging->epoch.value());
      out->set_diverging_end_offset(result.diverging->end_offset.value());
      error = true;
    }
    if (result.error != ErrorCode::kNone) error = true;
    const int64_t bytes = static_cast<int64_t>(result.records.size());
    if (bytes > 0 && metrics_ != nullptr && !follower_) {
      bool truncated = false;
      auto batches = kafka::SplitBatches(
          {reinterpret_cast<const uint8_t*>(result.records.data()), result.records.size()}, &truncated);
      metrics_->BytesOut(key.topic, bytes, batches.ok() ? static_cast<int64_t>(batches->size()) : 0);
    }
    total += bytes;
    remaining -= bytes;
    out->set_records(std::move(result.records));
  }
  *ready = expired || error || total >= std::max(1, request_.min_bytes());
  return response;
}

bool FetchOperation::TryComplete(bool expired) {
  if (done_.load()) return true;
  if (!expired && !AnyReadable()) return false;
  bool ready = false;
  eddy::v1::FetchResponse response = Build(&ready, expired);
  if (!ready) return false;
  if (done_.exchange(true)) return true;
  if (metrics_ != nullptr) metrics_->FetchLatency(follower_, clock_.Now() - start_);
  reply_(std::move(response));
  return true;
}

}  // namespace eddy::broker::internal
