// DescribeLogDirs (key 35). Clients see gateways as brokers and no gateway has a disk, so the
// answer describes the log directories of every live broker (each broker's directories as
// separate results), asked over the brokers' data streams.
#include <map>

#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/describe_log_dirs.h"
#include "services/gateway/handlers/data_routing.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {

absl::Status HandleDescribeLogDirs(GatewayContext& context, ClientInfo&,
                                   const kafka::RequestHeader& header, kafka::Reader& body,
                                   Responder responder) {
  using Response = kafka::DescribeLogDirsResponse;
  absl::StatusOr<kafka::DescribeLogDirsRequest> request =
      DecodeBody<kafka::DescribeLogDirsRequest>(header, body);
  if (!request.ok()) return request.status();
  std::shared_ptr<const ClusterView> view = context.metadata->Current();
  eddy::v1::DescribeLogDirsRequest asked;
  if (request->topics.has_value()) {
    for (const auto& topic : *request->topics) {
      const TopicView* known = view->FindTopic(topic.topic);
      for (int32_t p : topic.partitions) {
        if (known != nullptr) {
          *asked.add_partitions() = ProtoPartition(*known, p);
        } else {
          eddy::v1::TopicPartition* tp = asked.add_partitions();
          tp->set_topic(topic.topic);
          tp->set_partition(p);
        }
      }
    }
    // An empty (non-null) topic list asks about nothing.
    if (asked.partitions().empty()) {
      responder.Respond(Response());
      return absl::OkStatus();
    }
  }
  std::map<int32_t, BrokerBatch> batches;
  for (const auto& [id, broker] : view->brokers()) {
    if (!broker.active || broker.grpc_target.empty()) continue;
    BrokerBatch& batch = batches[id];
    batch.target = broker.grpc_target;
    *batch.request.mutable_describe_log_dirs() = asked;
  }
  ScatterGather(*context.brokers, std::move(batches), context.InternalTimeout(),
                [responder](BrokerAnswers answers) {
                  Response response;
                  for (const auto& [broker, answer] : answers) {
                    if (!answer.ok() || !answer->has_describe_log_dirs()) continue;
                    for (const eddy::v1::LogDir& dir : answer->describe_log_dirs().log_dirs()) {
                      Response::DescribeLogDirsResult result;
                      result.error_code = static_cast<int16_t>(dir.error_code());
                      result.log_dir = dir.path();
                      result.total_bytes = dir.total_bytes();
                      result.usable_bytes = dir.usable_bytes();
                      std::map<std::string, size_t> topics;
                      for (const eddy::v1::LogDirPartition& p : dir.partitions()) {
                        auto [it, inserted] =
                            topics.emplace(p.partition().topic(), result.topics.size());
                        if (inserted) result.topics.push_back({.name = p.partition().topic()});
                        result.topics[it->second].partitions.push_back(
                            {.partition_index = p.partition().partition(),
                             .partition_size = p.size_bytes(),
                             .offset_lag = p.offset_lag(),
                             .is_future_key = p.is_future()});
                      }
                      responder.Error(result.error_code);
                      response.results.push_back(std::move(result));
                    }
                  }
                  responder.Respond(response);
                });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
