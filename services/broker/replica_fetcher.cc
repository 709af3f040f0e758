#include "services/broker/replica_fetcher.h"

#include <utility>

#include "grpcpp/grpcpp.h"
#include "proto/eddy/v1/broker.grpc.pb.h"
#include "spdlog/spdlog.h"

namespace eddy::broker {

using kafka::ErrorCode;

// ReplicaFetcher is the loop for one leader broker.
class ReplicaFetcher {
 public:
  ReplicaFetcher(const ReplicaFetcherOptions& options, std::string target,
                 std::shared_ptr<grpc::Channel> channel, BrokerMetrics* metrics)
      : options_(options),
        target_(std::move(target)),
        channel_(std::move(channel)),
        metrics_(metrics) {
    thread_ = std::thread([this] { Run(); });
  }

  ~ReplicaFetcher() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      if (context_ != nullptr) context_->TryCancel();
    }
    thread_.join();
  }

  void SetPartitions(std::vector<FollowerAssignment> partitions) {
    absl::MutexLock lock(&mu_);
    std::map<TopicPartitionKey, absl::Time> retry_after;
    for (const FollowerAssignment& p : partitions) {
      auto it = retry_after_.find(p.key);
      if (it != retry_after_.end()) retry_after[p.key] = it->second;
    }
    retry_after_ = std::move(retry_after);
    partitions_ = std::move(partitions);
  }

  bool empty() {
    absl::MutexLock lock(&mu_);
    return partitions_.empty();
  }

  // CancelIfStuck cancels a fetch waiting longer than the leader's long-poll plus the timeout.
  void CancelIfStuck(absl::Time now) {
    absl::MutexLock lock(&mu_);
    if (context_ != nullptr && in_flight_since_ != absl::InfiniteFuture() &&
        now - in_flight_since_ > options_.max_wait + options_.request_timeout) {
      spdlog::warn("replica fetch from {} got no answer for {}; reconnecting", target_,
                   absl::FormatDuration(now - in_flight_since_));
      context_->TryCancel();
      in_flight_since_ = absl::InfiniteFuture();
    }
  }

 private:
  // Pause waits `d` unless stopping; false when stopping.
  bool Pause(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    return !mu_.AwaitWithTimeout(absl::Condition(&stopping_), d);
  }

  void Run() {
    absl::Duration backoff = options_.backoff;
    std::unique_ptr<grpc::ClientReaderWriter<eddy::v1::FetchRequest, eddy::v1::FetchResponse>>
        stream;
    std::unique_ptr<grpc::ClientContext> context;
    eddy::v1::Broker::Stub stub(channel_);
    auto close_stream = [&] {
      if (stream == nullptr) return;
      {
        absl::MutexLock lock(&mu_);
        context->TryCancel();
        context_ = nullptr;
      }
      stream->Finish().ok();
      stream.reset();
      context.reset();
    };
    while (true) {
      std::vector<FollowerAssignment> partitions;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this] { return stopping_ || !partitions_.empty(); };
        mu_.Await(absl::Condition(&ready));
        if (stopping_) break;
        const absl::Time now = absl::Now();
        for (const FollowerAssignment& p : partitions_) {
          auto it = retry_after_.find(p.key);
          if (it == retry_after_.end() || it->second <= now) partitions.push_back(p);
        }
      }
      if (partitions.empty()) {
        if (!Pause(options_.backoff)) break;
        continue;
      }
      if (stream == nullptr) {
        context = std::make_unique<grpc::ClientContext>();
        {
          absl::MutexLock lock(&mu_);
          if (stopping_) break;
          context_ = context.get();
        }
        stream = stub.ReplicaFetch(context.get());
      }
      eddy::v1::FetchRequest request;
      request.set_replica_id(options_.self.value());
      request.set_max_wait_ms(static_cast<int32_t>(absl::ToInt64Milliseconds(options_.max_wait)));
      request.set_min_bytes(1);
      request.set_max_bytes(options_.response_max_bytes);
      std::map<TopicPartitionKey, std::pair<FollowerAssignment, Offset>> sent;
      for (const FollowerAssignment& p : partitions) {
        eddy::v1::FetchPartition* fp = request.add_partitions();
        fp->mutable_partition()->set_topic(p.key.topic);
        fp->mutable_partition()->set_partition(p.key.partition);
        const Offset offset = p.partition->log().LogEndOffset();
        fp->set_fetch_offset(offset.value());
        fp->set_current_leader_epoch(p.leader_epoch.value());
        fp->set_last_fetched_epoch(p.partition->LastFetchedEpoch().value());
        fp->set_partition_max_bytes(options_.partition_max_bytes);
        sent.emplace(p.key, std::make_pair(p, offset));
      }
      const absl::Time sent_at = absl::Now();
      {
        absl::MutexLock lock(&mu_);
        in_flight_since_ = sent_at;
      }
      eddy::v1::FetchResponse response;
      const bool ok = stream->Write(request) && stream->Read(&response);
      const absl::Time answered_at = absl::Now();
      {
        absl::MutexLock lock(&mu_);
        in_flight_since_ = absl::InfiniteFuture();
      }
      if (!ok) {
        close_stream();
        spdlog::debug("replica fetch stream to {} broke; retrying in {}", target_,
                      absl::FormatDuration(backoff));
        if (!Pause(backoff)) break;
        backoff = std::min(backoff * 2, absl::Seconds(1));
        continue;
      }
      backoff = options_.backoff;
      for (eddy::v1::FetchPartitionResult& result : *response.mutable_results()) {
        const TopicPartitionKey key{result.partition().topic(), result.partition().partition()};
        auto it = sent.find(key);
        if (it == sent.end()) continue;
        Apply(it->second.first, it->second.second, result);
      }
      if (metrics_ != nullptr) {
        metrics_->ReplicaFetch(answered_at - sent_at, absl::Now() - answered_at);
      }
    }
    close_stream();
  }

  void Apply(const FollowerAssignment& p, Offset fetch_offset,
             eddy::v1::FetchPartitionResult& result) {
    Partition& partition = *p.partition;
    absl::Status status;
    const auto error = static_cast<ErrorCode>(result.error_code());
    if (error == ErrorCode::kNone && result.diverging_epoch() >= 0) {
      status = partition
                   .TruncateByLeaderEpoch(p.leader_epoch,
                                          EpochEndOffset{LeaderEpoch(result.diverging_epoch()),
                                                         Offset(result.diverging_end_offset())})
                   .status();
    } else if (error == ErrorCode::kNone) {
      const size_t bytes = result.records().size();
      status = partition.AppendAsFollower(
          p.leader_epoch, fetch_offset, std::move(*result.mutable_records()),
          Offset(result.high_watermark()), Offset(result.log_start_offset()));
      if (status.ok() && metrics_ != nullptr && bytes > 0) metrics_->ReplicationBytesIn(bytes);
    } else if (error == ErrorCode::kOffsetOutOfRange) {
      if (fetch_offset.value() < result.log_start_offset()) {
        status =
            partition.TruncateFullyAndStartAt(p.leader_epoch, Offset(result.log_start_offset()));
      } else if (result.log_end_offset() >= 0 && fetch_offset.value() > result.log_end_offset()) {
        status = partition.TruncateTo(p.leader_epoch, Offset(result.log_end_offset()));
      }
    } else {
      // Not (yet) the leader in our epoch, or metadata differs: wait for metadata to settle.
      absl::MutexLock lock(&mu_);
      retry_after_[p.key] = absl::Now() + options_.backoff;
      return;
    }
    if (!status.ok() && !absl::IsAborted(status)) {
      spdlog::error("{}: applying the fetch from {}: {}", p.key.ToString(), target_,
                    status.ToString());
      absl::MutexLock lock(&mu_);
      retry_after_[p.key] = absl::Now() + options_.backoff;
    }
  }

  const ReplicaFetcherOptions& options_;
  const std::string target_;
  const std::shared_ptr<grpc::Channel> channel_;
  BrokerMetrics* const metrics_;
  absl::Mutex mu_;
  std::vector<FollowerAssignment> partitions_ ABSL_GUARDED_BY(mu_);
  std::map<TopicPartitionKey, absl::Time> retry_after_ ABSL_GUARDED_BY(mu_);
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::Time in_flight_since_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

ReplicaFetchers::ReplicaFetchers(ReplicaFetcherOptions options, rpc::ChannelCache& channels,
                                 BrokerMetrics* metrics)
    : options_(std::move(options)), channels_(channels), metrics_(metrics) {
  watchdog_ = std::thread([this] { Watch(); });
}

ReplicaFetchers::~ReplicaFetchers() { Stop(); }

void ReplicaFetchers::Update(std::vector<FollowerAssignment> followers) {
  std::map<std::string, std::vector<FollowerAssignment>> by_leader;
  for (FollowerAssignment& f : followers) {
    if (f.leader_target.empty()) continue;
    by_leader[f.leader_target].push_back(std::move(f));
  }
  std::vector<std::unique_ptr<ReplicaFetcher>> retired;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    for (auto it = fetchers_.begin(); it != fetchers_.end();) {
      if (!by_leader.contains(it->first)) {
        retired.push_back(std::move(it->second));
        it = fetchers_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [target, partitions] : by_leader) {
      auto& fetcher = fetchers_[target];
      if (fetcher == nullptr) {
        spdlog::info("replica fetcher for {} started", target);
        fetcher =
            std::make_unique<ReplicaFetcher>(options_, target, channels_.Get(target), metrics_);
      }
      fetcher->SetPartitions(std::move(partitions));
    }
  }
  // Joined outside the lock: a fetcher may be finishing a fetch.
  retired.clear();
}

void ReplicaFetchers::Watch() {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Milliseconds(200))) {
    const absl::Time now = absl::Now();
    for (auto& [target, fetcher] : fetchers_) fetcher->CancelIfStuck(now);
  }
}

void ReplicaFetchers::Stop() {
  std::map<std::string, std::unique_ptr<ReplicaFetcher>> fetchers;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    fetchers.swap(fetchers_);
  }
  watchdog_.join();
  fetchers.clear();
}

}  // namespace eddy::broker
