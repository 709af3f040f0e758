#include "tests/testing/data_stream_client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/kafka/record_batch.h"
#include "libs/kafka/record_batch_builder.h"
#include "libs/rpc/leader_hint.h"
#include "proto/eddy/v1/controller.grpc.pb.h"

namespace eddy::testing {

DataStreamClient::DataStreamClient(const std::string& target)
    : channel_(grpc::CreateChannel(target, grpc::InsecureChannelCredentials())),
      stub_(eddy::v1::Broker::NewStub(channel_)) {
  stream_ = stub_->Data(&context_);
  reader_ = std::thread([this] { ReadLoop(); });
}

DataStreamClient::~DataStreamClient() {
  context_.TryCancel();
  reader_.join();
  stream_->Finish().ok();
}

void DataStreamClient::ReadLoop() {
  eddy::v1::DataResponse response;
  while (stream_->Read(&response)) {
    absl::MutexLock lock(&mu_);
    auto it = pending_.find(response.id());
    if (it == pending_.end()) continue;
    it->second.set_value(std::move(response));
    pending_.erase(it);
    response = eddy::v1::DataResponse();
  }
  absl::MutexLock lock(&mu_);
  broken_ = true;
  for (auto& [id, promise] : pending_) promise.set_value(absl::UnavailableError("stream ended"));
  pending_.clear();
}

std::future<absl::StatusOr<eddy::v1::DataResponse>> DataStreamClient::Send(
    eddy::v1::DataRequest request) {
  std::future<absl::StatusOr<eddy::v1::DataResponse>> future;
  {
    absl::MutexLock lock(&mu_);
    std::promise<absl::StatusOr<eddy::v1::DataResponse>> promise;
    future = promise.get_future();
    if (broken_) {
      promise.set_value(absl::UnavailableError("stream ended"));
      return future;
    }
    request.set_id(next_id_++);
    pending_.emplace(request.id(), std::move(promise));
  }
  absl::MutexLock lock(&write_mu_);
  if (!stream_->Write(request)) {
    // The reader sees the end and fails the pending promise.
    context_.TryCancel();
  }
  return future;
}

absl::StatusOr<eddy::v1::DataResponse> DataStreamClient::Call(eddy::v1::DataRequest request,
                                                              absl::Duration timeout) {
  auto future = Send(std::move(request));
  if (future.wait_for(absl::ToChronoNanoseconds(timeout)) != std::future_status::ready) {
    return absl::DeadlineExceededError("no answer on the data stream");
  }
  return future.get();
}

bool DataStreamClient::broken() const {
  absl::MutexLock lock(&mu_);
  return broken_;
}

absl::StatusOr<eddy::v1::MetadataDelta> MetadataSnapshot(const std::string& controller) {
  auto channel = grpc::CreateChannel(controller, grpc::InsecureChannelCredentials());
  eddy::v1::Controller::Stub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  eddy::v1::WatchMetadataRequest request;
  request.set_from_offset(-1);
  auto reader = stub.WatchMetadata(&context, request);
  eddy::v1::MetadataDelta delta;
  const bool ok = reader->Read(&delta);
  context.TryCancel();
  reader->Finish().ok();
  if (!ok) return absl::UnavailableError(absl::StrCat("no metadata from ", controller));
  return delta;
}

absl::StatusOr<PartitionState> GetPartitionState(const std::string& controller,
                                                 const std::string& topic, int32_t partition) {
  absl::StatusOr<eddy::v1::MetadataDelta> snapshot = MetadataSnapshot(controller);
  if (!snapshot.ok()) return snapshot.status();
  for (const auto& t : snapshot->topics()) {
    if (t.name() != topic) continue;
    for (const auto& p : t.partitions()) {
      if (p.partition() != partition) continue;
      PartitionState state;
      state.leader = p.leader();
      state.leader_epoch = p.leader_epoch();
      state.isr.assign(p.isr().begin(), p.isr().end());
      return state;
    }
  }
  return absl::NotFoundError(absl::StrCat(topic, "-", partition, " not in the metadata"));
}

absl::Status CreateTopic(const std::string& controller, const std::string& topic,
                         int32_t partitions, int32_t replication_factor,
                         const std::map<std::string, std::string>& configs) {
  std::string target = controller;
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
    eddy::v1::Controller::Stub stub(channel);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    eddy::v1::CreateTopicsRequest request;
    eddy::v1::CreatableTopic* t = request.add_topics();
    t->set_name(topic);
    t->set_num_partitions(partitions);
    t->set_replication_factor(replication_factor);
    for (const auto& [k, v] : configs) (*t->mutable_configs())[k] = v;
    eddy::v1::CreateTopicsResponse response;
    grpc::Status status = stub.CreateTopics(&context, request, &response);
    if (status.ok()) {
      if (response.results_size() != 1 || response.results(0).error_code() != 0) {
        return absl::InternalError(absl::StrCat("CreateTopics: ", response.DebugString()));
      }
      return absl::OkStatus();
    }
    if (std::optional<eddy::v1::LeaderHint> hint = rpc::LeaderHintFrom(context)) {
      target = rpc::TargetOf(hint->endpoint());
    }
    absl::SleepFor(absl::Milliseconds(100));  // bounded retry while the quorum elects
  }
  return absl::UnavailableError("CreateTopics did not succeed");
}

std::string BuildBatch(const TestBatch& batch) {
  kafka::RecordBatchBuilder builder({.producer_id = ProducerId(batch.producer_id),
                                     .producer_epoch = ProducerEpoch(batch.producer_epoch),
                                     .base_sequence = batch.base_sequence});
  const int64_t ts = batch.timestamp_ms != 0 ? batch.timestamp_ms : absl::ToUnixMillis(absl::Now());
  for (const auto& [key, value] : batch.records) builder.Append(ts, key, value);
  absl::StatusOr<std::string> built = builder.Build();
  return built.ok() ? *built : std::string();
}

eddy::v1::DataRequest ProduceRequest(const std::string& topic, int32_t partition,
                                     std::string records, int acks, int timeout_ms) {
  eddy::v1::DataRequest request;
  eddy::v1::ProduceRequest* produce = request.mutable_produce();
  produce->set_acks(acks);
  produce->set_timeout_ms(timeout_ms);
  eddy::v1::ProducePartition* p = produce->add_partitions();
  p->mutable_partition()->set_topic(topic);
  p->mutable_partition()->set_partition(partition);
  p->set_records(std::move(records));
  return request;
}

eddy::v1::DataRequest FetchRequest(const std::string& topic, int32_t partition, int64_t offset,
                                   int max_wait_ms, int max_bytes) {
  eddy::v1::DataRequest request;
  eddy::v1::FetchRequest* fetch = request.mutable_fetch();
  fetch->set_max_wait_ms(max_wait_ms);
  fetch->set_min_bytes(1);
  fetch->set_max_bytes(max_bytes);
  fetch->set_replica_id(-1);
  eddy::v1::FetchPartition* p = fetch->add_partitions();
  p->mutable_partition()->set_topic(topic);
  p->mutable_partition()->set_partition(partition);
  p->set_fetch_offset(offset);
  p->set_current_leader_epoch(-1);
  p->set_partition_max_bytes(max_bytes);
  return request;
}

absl::StatusOr<std::vector<DecodedRecord>> DecodeRecords(const std::string& records) {
  std::vector<DecodedRecord> out;
  bool truncated = false;
  auto batches = kafka::SplitBatches(
      {reinterpret_cast<const uint8_t*>(records.data()), records.size()}, &truncated);
  if (!batches.ok()) return batches.status();
  for (const kafka::RecordBatchView& batch : *batches) {
    if (batch.is_control()) continue;
    std::string storage;
    auto decoded = kafka::ReadAllRecords(batch, &storage);
    if (!decoded.ok()) return decoded.status();
    for (const kafka::RecordView& r : *decoded) {
      out.push_back({batch.base_offset().value() + r.offset_delta,
                     r.key ? std::string(*r.key) : std::string(),
                     r.value ? std::string(*r.value) : std::string()});
    }
  }
  return out;
}

}  // namespace eddy::testing
