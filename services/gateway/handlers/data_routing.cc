#include "services/gateway/handlers/data_routing.h"

#include <atomic>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "libs/kafka/error_codes.h"

namespace eddy::gateway {

LeaderRoute RouteToLeader(const ClusterView& view, std::string_view topic_name,
                          int32_t partition) {
  LeaderRoute route;
  const TopicView* topic = view.FindTopic(topic_name);
  if (topic == nullptr || partition < 0 ||
      partition >= static_cast<int32_t>(topic->partitions.size())) {
    route.error = kafka::ToInt(kafka::ErrorCode::kUnknownTopicOrPartition);
    return route;
  }
  route.topic = topic;
  const PartitionView& p = topic->partitions[partition];
  if (p.leader < 0) {
    route.error = kafka::ToInt(kafka::ErrorCode::kLeaderNotAvailable);
    return route;
  }
  const BrokerView* broker = view.FindBroker(p.leader);
  if (broker == nullptr || broker->grpc_target.empty()) {
    route.error = kafka::ToInt(kafka::ErrorCode::kNotLeaderOrFollower);
    return route;
  }
  route.broker = broker;
  return route;
}

eddy::v1::TopicPartition ProtoPartition(const TopicView& topic, int32_t partition) {
  eddy::v1::TopicPartition tp;
  tp.set_topic(topic.name);
  tp.set_partition(partition);
  *tp.mutable_topic_id() = TopicIdOf(topic.id);
  return tp;
}

namespace {

struct GatherState {
  explicit GatherState(size_t n, std::function<void(BrokerAnswers)> done)
      : remaining(n), done(std::move(done)) {}
  absl::Mutex mu;
  BrokerAnswers answers ABSL_GUARDED_BY(mu);
  size_t remaining ABSL_GUARDED_BY(mu);
  std::function<void(BrokerAnswers)> done;
};

}  // namespace

void ScatterGather(runtime::BrokerDataPath& brokers, std::map<int32_t, BrokerBatch> batches,
                   absl::Duration timeout, std::function<void(BrokerAnswers)> done) {
  if (batches.empty()) {
    done(BrokerAnswers());
    return;
  }
  auto state = std::make_shared<GatherState>(batches.size(), std::move(done));
  for (auto& [broker_id, batch] : batches) {
    brokers.Send(broker_id, batch.target, std::move(batch.request), timeout,
                 [state, broker_id = broker_id](absl::StatusOr<eddy::v1::DataResponse> answer) {
                   BrokerAnswers all;
                   {
                     absl::MutexLock lock(&state->mu);
                     state->answers.emplace(broker_id, std::move(answer));
                     if (--state->remaining != 0) return;
                     all = std::move(state->answers);
                   }
                   state->done(std::move(all));
                 });
  }
}

int16_t DataPathErrorFor(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kDeadlineExceeded) {
    return kafka::ToInt(kafka::ErrorCode::kRequestTimedOut);
  }
  return kafka::ToInt(kafka::ErrorCode::kNotLeaderOrFollower);
}

}  // namespace eddy::gateway
