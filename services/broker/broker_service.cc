#include "services/broker/broker_service.h"

#include <sys/statvfs.h>

#include <utility>
#include <vector>

#include "services/broker/internal/fetch_operation.h"

namespace eddy::broker {

using kafka::ErrorCode;

namespace {

using DataOutbox = std::shared_ptr<internal::Outbox<eddy::v1::DataResponse>>;

// kLatestProduceVersion is assumed when a request does not say (ProduceRequest.api_version 0).
constexpr int16_t kLatestProduceVersion = 11;

TopicPartitionKey KeyOf(const eddy::v1::TopicPartition& tp) { return {tp.topic(), tp.partition()}; }

// ProduceCompletion gathers one produce request's partitions; the answer goes once every acks=all
// partition finished (or at once for acks 0/1).
class ProduceCompletion {
 public:
  ProduceCompletion(uint64_t id, int acks, absl::Time start, DataOutbox outbox,
                    BrokerMetrics* metrics, common::Clock& clock)
      : acks_(acks), start_(start), outbox_(std::move(outbox)), metrics_(metrics), clock_(clock) {
    response_.set_id(id);
  }

  eddy::v1::ProduceResponse& response() { return *response_.mutable_produce(); }

  // Hold adds one outstanding completion; Release finishes one (with the acks=all outcome for
  // partition `index`, or -1 for the handler's own hold).
  void Hold() {
    absl::MutexLock lock(&mu_);
    ++pending_;
  }
  void Release(int index, ErrorCode error) {
    bool send = false;
    {
      absl::MutexLock lock(&mu_);
      if (index >= 0 && error != ErrorCode::kNone) errors_.emplace_back(index, error);
      send = --pending_ == 0;
    }
    if (!send) return;
    for (auto [i, e] : errors_) {
      eddy::v1::ProducePartitionResult* result = response().mutable_results(i);
      result->set_error_code(static_cast<int32_t>(e));
    }
    if (metrics_ != nullptr) metrics_->ProduceLatency(acks_, clock_.Now() - start_);
    outbox_->Send(std::move(response_));
  }

 private:
  const int acks_;
  const absl::Time start_;
  const DataOutbox outbox_;
  BrokerMetrics* const metrics_;
  common::Clock& clock_;
  eddy::v1::DataResponse response_;
  absl::Mutex mu_;
  int pending_ ABSL_GUARDED_BY(mu_) = 1;
  std::vector<std::pair<int, ErrorCode>> errors_ ABSL_GUARDED_BY(mu_);
};

ErrorCode MissingPartitionError(const ReplicaManager& replicas, const TopicPartitionKey& key) {
  return replicas.KnowsPartition(key) ? ErrorCode::kNotLeaderOrFollower
                                      : ErrorCode::kUnknownTopicOrPartition;
}

// RefuseFencedFetch answers a group coordinator's fetch whose shard epoch the fence refuses
// (group_shard_fence.h): every partition gets its error, so the coordinator learns it was deposed
// or must wait. Returns false (nothing written) when the fetch may proceed.
bool RefuseFencedFetch(ReplicaManager& replicas, const eddy::v1::FetchRequest& fetch,
                       eddy::v1::FetchResponse* out) {
  std::vector<std::pair<ErrorCode, std::string>> errors;
  bool refused = false;
  for (const eddy::v1::FetchPartition& p : fetch.partitions()) {
    std::string message;
    const ErrorCode error = replicas.group_shard_fence().CheckFetch(
        p.partition().topic(), p.partition().partition(), fetch.group_shard_epoch(), &message);
    refused = refused || error != ErrorCode::kNone;
    errors.emplace_back(error, std::move(message));
  }
  if (!refused) return false;
  for (int i = 0; i < fetch.partitions_size(); ++i) {
    eddy::v1::FetchPartitionResult* result = out->add_results();
    *result->mutable_partition() = fetch.partitions(i).partition();
    // The epoch names one shard, so a coordinator's fetch has one partition; any other is
    // refused with the request.
    auto& [error, message] = errors[i];
    if (error == ErrorCode::kNone) {
      error = ErrorCode::kNotCoordinator;
      message = "fetched with a group shard epoch the broker refused";
    }
    result->set_error_code(static_cast<int32_t>(error));
    result->set_error_message(std::move(message));
    result->set_high_watermark(-1);
    result->set_last_stable_offset(-1);
    result->set_log_start_offset(-1);
    result->set_diverging_epoch(-1);
  }
  return true;
}

// Unavailable refuses a stream opened before the service is bound.
template <typename Request, typename Response>
class Unavailable : public grpc::ServerBidiReactor<Request, Response> {
 public:
  Unavailable() { this->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "broker starting")); }
  void OnDone() override { delete this; }
};

}  // namespace

BrokerService::BrokerService(common::Clock& clock, BrokerServiceOptions options)
    : clock_(clock), options_(options) {}

void BrokerService::Bind(ReplicaManager* replicas, BrokerMetrics* metrics) {
  metrics_.store(metrics);
  replicas_.store(replicas);
}

grpc::ServerBidiReactor<eddy::v1::DataRequest, eddy::v1::DataResponse>* BrokerService::Data(
    grpc::CallbackServerContext*) {
  ReplicaManager* replicas = replicas_.load();
  if (replicas == nullptr) return new Unavailable<eddy::v1::DataRequest, eddy::v1::DataResponse>();
  BrokerMetrics* metrics = metrics_.load();
  return new internal::StreamReactor<eddy::v1::DataRequest, eddy::v1::DataResponse>(
      [this, replicas, metrics](eddy::v1::DataRequest& request, DataOutbox outbox) {
        HandleData(*replicas, metrics, request, std::move(outbox));
      });
}

grpc::ServerBidiReactor<eddy::v1::FetchRequest, eddy::v1::FetchResponse>*
BrokerService::ReplicaFetch(grpc::CallbackServerContext*) {
  ReplicaManager* replicas = replicas_.load();
  if (replicas == nullptr)
    return new Unavailable<eddy::v1::FetchRequest, eddy::v1::FetchResponse>();
  BrokerMetrics* metrics = metrics_.load();
  return new internal::StreamReactor<eddy::v1::FetchRequest, eddy::v1::FetchResponse>(
      [this, replicas, metrics](eddy::v1::FetchRequest& request,
                                std::shared_ptr<internal::Outbox<eddy::v1::FetchResponse>> outbox) {
        if (request.replica_id() < 0) request.set_replica_id(0);
        auto operation = std::make_shared<internal::FetchOperation>(
            *replicas, metrics, clock_, std::move(request), options_.default_fetch_max_bytes,
            options_.max_fetch_wait,
            [outbox](eddy::v1::FetchResponse response) { outbox->Send(std::move(response)); });
        internal::FetchOperation::Start(std::move(operation), *replicas);
      });
}

void BrokerService::HandleData(ReplicaManager& replicas, BrokerMetrics* metrics,
                               eddy::v1::DataRequest& request, DataOutbox outbox) {
  const uint64_t id = request.id();
  eddy::v1::DataResponse response;
  response.set_id(id);
  switch (request.body_case()) {
    case eddy::v1::DataRequest::kProduce: {
      eddy::v1::ProduceRequest& produce = *request.mutable_produce();
      const int acks = produce.acks();
      const absl::Time start = clock_.Now();
      auto completion =
          std::make_shared<ProduceCompletion>(id, acks, start, outbox, metrics, clock_);
      const absl::Duration timeout = produce.timeout_ms() >= 0
                                         ? absl::Milliseconds(produce.timeout_ms())
                                         : options_.default_produce_timeout;
      const int16_t version = produce.api_version() > 0
                                  ? static_cast<int16_t>(produce.api_version())
                                  : kLatestProduceVersion;
      // Results are laid out first, so completions running on other threads only set errors.
      for (const eddy::v1::ProducePartition& part : produce.partitions()) {
        eddy::v1::ProducePartitionResult* result = completion->response().add_results();
        *result->mutable_partition() = part.partition();
        result->set_base_offset(-1);
        result->set_log_append_time_ms(-1);
        result->set_log_start_offset(-1);
      }
      for (int i = 0; i < produce.partitions_size(); ++i) {
        eddy::v1::ProducePartition& part = *produce.mutable_partitions(i);
        eddy::v1::ProducePartitionResult* result = completion->response().mutable_results(i);
        const TopicPartitionKey key = KeyOf(part.partition());
        if (acks != 0 && acks != 1 && acks != -1) {
          result->set_error_code(static_cast<int32_t>(ErrorCode::kInvalidRequiredAcks));
          continue;
        }
        // The group log takes appends only from its shard's current coordinator; the admission
        // is held until the batch is in the log (group_shard_fence.h).
        GroupShardFence::Admission admission = replicas.group_shard_fence().AdmitProduce(
            key.topic, key.partition, produce.group_shard_epoch());
        if (admission.error() != ErrorCode::kNone) {
          result->set_error_code(static_cast<int32_t>(admission.error()));
          result->set_error_message(admission.message());
          continue;
        }
        std::shared_ptr<Partition> partition = replicas.Get(key);
        if (partition == nullptr) {
          result->set_error_code(static_cast<int32_t>(MissingPartitionError(replicas, key)));
          continue;
        }
        std::string& records = *part.mutable_records();
        bool waiting = false;
        completion->Hold();
        ProduceResult produced = partition->Produce(
            std::span<char>(records.data(), records.size()), static_cast<int16_t>(acks), version,
            start + timeout, [completion, i](ErrorCode error) { completion->Release(i, error); },
            &waiting);
        result->set_error_code(static_cast<int32_t>(produced.error));
        result->set_error_message(std::move(produced.error_message));
        result->set_base_offset(produced.base_offset.value());
        result->set_log_append_time_ms(produced.log_append_time_ms);
        result->set_log_start_offset(produced.log_start_offset.value());
        if (produced.records > 0 && metrics != nullptr) {
          metrics->BytesIn(key.topic, produced.bytes, produced.records);
        }
        if (!waiting) completion->Release(-1, ErrorCode::kNone);
      }
      completion->Release(-1, ErrorCode::kNone);
      return;
    }
    case eddy::v1::DataRequest::kFetch: {
      if (request.fetch().group_shard_epoch() > 0 &&
          RefuseFencedFetch(replicas, request.fetch(), response.mutable_fetch())) {
        break;
      }
      auto operation = std::make_shared<internal::FetchOperation>(
          replicas, metrics, clock_, std::move(*request.mutable_fetch()),
          options_.default_fetch_max_bytes, options_.max_fetch_wait,
          [outbox, id](eddy::v1::FetchResponse fetched) {
            eddy::v1::DataResponse answer;
            answer.set_id(id);
            *answer.mutable_fetch() = std::move(fetched);
            outbox->Send(std::move(answer));
          });
      internal::FetchOperation::Start(std::move(operation), replicas);
      return;
    }
    case eddy::v1::DataRequest::kListOffsets: {
      const eddy::v1::ListOffsetsRequest& list = request.list_offsets();
      eddy::v1::ListOffsetsResponse* out = response.mutable_list_offsets();
      for (const eddy::v1::ListOffsetsPartition& p : list.partitions()) {
        eddy::v1::ListOffsetsPartitionResult* result = out->add_results();
        *result->mutable_partition() = p.partition();
        result->set_timestamp(-1);
        result->set_offset(-1);
        result->set_leader_epoch(-1);
        const TopicPartitionKey key = KeyOf(p.partition());
        std::shared_ptr<Partition> partition = replicas.Get(key);
        if (partition == nullptr) {
          result->set_error_code(static_cast<int32_t>(MissingPartitionError(replicas, key)));
          continue;
        }
        Partition::ListedOffset listed = partition->ListOffset(
            p.timestamp(), LeaderEpoch(p.current_leader_epoch()), list.isolation_level() == 1);
        result->set_error_code(static_cast<int32_t>(listed.error));
        result->set_timestamp(listed.timestamp);
        result->set_offset(listed.offset.value());
        result->set_leader_epoch(listed.leader_epoch.value());
      }
      break;
    }
    case eddy::v1::DataRequest::kDeleteRecords: {
      eddy::v1::DeleteRecordsResponse* out = response.mutable_delete_records();
      for (const eddy::v1::DeleteRecordsPartition& p : request.delete_records().partitions()) {
        eddy::v1::DeleteRecordsPartitionResult* result = out->add_results();
        *result->mutable_partition() = p.partition();
        result->set_low_watermark(-1);
        const TopicPartitionKey key = KeyOf(p.partition());
        std::shared_ptr<Partition> partition = replicas.Get(key);
        if (partition == nullptr) {
          result->set_error_code(static_cast<int32_t>(MissingPartitionError(replicas, key)));
          continue;
        }
        auto [error, low] = partition->DeleteRecords(Offset(p.offset()));
        result->set_error_code(static_cast<int32_t>(error));
        result->set_low_watermark(low.value());
      }
      break;
    }
    case eddy::v1::DataRequest::kOffsetForLeaderEpoch: {
      eddy::v1::OffsetForLeaderEpochResponse* out = response.mutable_offset_for_leader_epoch();
      for (const auto& p : request.offset_for_leader_epoch().partitions()) {
        eddy::v1::OffsetForLeaderEpochPartitionResult* result = out->add_results();
        *result->mutable_partition() = p.partition();
        result->set_leader_epoch(-1);
        result->set_end_offset(-1);
        const TopicPartitionKey key = KeyOf(p.partition());
        std::shared_ptr<Partition> partition = replicas.Get(key);
        if (partition == nullptr) {
          result->set_error_code(static_cast<int32_t>(MissingPartitionError(replicas, key)));
          continue;
        }
        auto [error, answer] = partition->OffsetForLeaderEpoch(
            LeaderEpoch(p.current_leader_epoch()), LeaderEpoch(p.leader_epoch()));
        result->set_error_code(static_cast<int32_t>(error));
        result->set_leader_epoch(answer.epoch.value());
        result->set_end_offset(answer.end_offset.value());
      }
      break;
    }
    case eddy::v1::DataRequest::kDescribeLogDirs: {
      const auto& wanted = request.describe_log_dirs().partitions();
      eddy::v1::LogDir* dir = response.mutable_describe_log_dirs()->add_log_dirs();
      dir->set_path(replicas.log_dir());
      struct statvfs fs_stats {};
      if (statvfs(replicas.log_dir().c_str(), &fs_stats) == 0) {
        dir->set_total_bytes(static_cast<int64_t>(fs_stats.f_blocks) *
                             static_cast<int64_t>(fs_stats.f_frsize));
        dir->set_usable_bytes(static_cast<int64_t>(fs_stats.f_bavail) *
                              static_cast<int64_t>(fs_stats.f_frsize));
      } else {
        dir->set_total_bytes(-1);
        dir->set_usable_bytes(-1);
      }
      for (const auto& [key, partition] : replicas.Hosted()) {
        if (!wanted.empty() &&
            std::none_of(wanted.begin(), wanted.end(),
                         [&](const eddy::v1::TopicPartition& tp) { return KeyOf(tp) == key; })) {
          continue;
        }
        eddy::v1::LogDirPartition* p = dir->add_partitions();
        p->mutable_partition()->set_topic(key.topic);
        p->mutable_partition()->set_partition(key.partition);
        p->set_size_bytes(static_cast<int64_t>(partition->log().SizeBytes()));
        p->set_offset_lag(std::max<int64_t>(
            0, partition->high_watermark().value() - partition->log().LogEndOffset().value()));
      }
      break;
    }
    case eddy::v1::DataRequest::BODY_NOT_SET:
      // Nothing to do; answer with an empty body so the caller's id completes.
      break;
  }
  outbox->Send(std::move(response));
}

}  // namespace eddy::broker
