#include "services/broker/alter_partition_client.h"

#include "proto/eddy/v1/controller.grpc.pb.h"
#include "spdlog/spdlog.h"

namespace eddy::broker {

AlterPartitionClient::AlterPartitionClient(rpc::ChannelCache& channels,
                                           std::vector<std::string> controllers)
    : controllers_(channels, std::move(controllers),
                   rpc::RetryPolicy{.max_attempts = 5,
                                    .backoff = {.initial = absl::Milliseconds(50),
                                                .max = absl::Seconds(1)}},
                   absl::Seconds(2)) {
  thread_ = std::thread([this] { Run(); });
}

AlterPartitionClient::~AlterPartitionClient() { Stop(); }

void AlterPartitionClient::Send(AlterPartitionCall call,
                                std::function<void(AlterPartitionAnswer)> done) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  queue_.emplace_back(std::move(call), std::move(done));
}

void AlterPartitionClient::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void AlterPartitionClient::Run() {
  while (true) {
    std::pair<AlterPartitionCall, std::function<void(AlterPartitionAnswer)>> item;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this] { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      item = std::move(queue_.front());
      queue_.pop_front();
    }
    const AlterPartitionCall& call = item.first;
    eddy::v1::AlterPartitionRequest request;
    request.set_broker_id(call.broker.value());
    request.set_broker_epoch(call.broker_epoch);
    request.mutable_partition()->set_topic(call.partition.topic);
    request.mutable_partition()->set_partition(call.partition.partition);
    request.mutable_partition()->mutable_topic_id()->set_value(call.topic_id);
    request.set_leader_epoch(call.proposal.leader_epoch.value());
    request.set_partition_epoch(call.proposal.partition_epoch.value());
    for (BrokerId id : call.proposal.new_isr) request.add_new_isr(id.value());
    eddy::v1::AlterPartitionResponse response;
    absl::Status status = controllers_.Call(
        [&](grpc::Channel& channel, grpc::ClientContext& context) {
          eddy::v1::Controller::Stub stub(channel.shared_from_this());
          return stub.AlterPartition(&context, request, &response);
        },
        rpc::Idempotency::kIdempotent);
    AlterPartitionAnswer answer;
    if (!status.ok()) {
      spdlog::warn("AlterPartition for {}: {}", call.partition.ToString(), status.ToString());
      answer.error = kafka::ErrorCode::kRequestTimedOut;
    } else {
      answer.error = static_cast<kafka::ErrorCode>(response.error_code());
      for (int32_t id : response.partition().isr()) answer.isr.emplace_back(id);
      answer.partition_epoch = PartitionEpoch(response.partition().partition_epoch());
    }
    item.second(std::move(answer));
  }
}

}  // namespace eddy::broker
