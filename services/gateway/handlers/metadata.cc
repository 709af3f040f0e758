// Metadata (key 3). The live gateways are the brokers; each partition is presented as led by one
// gateway (ClusterView::Present), with replicas and ISR as gateway ids the client can reach.
// Unknown topics are created through the controller when auto.create.topics.enable and the
// request allow it; the client is told LEADER_NOT_AVAILABLE meanwhile, as Kafka does, and retries.
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/metadata.h"
#include "services/gateway/controller_calls.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/topic_names.h"
#include "spdlog/spdlog.h"

namespace eddy::gateway {
namespace {

using kafka::ErrorCode;
using kafka::ToInt;

kafka::MetadataResponse::MetadataResponseTopic Describe(const ClusterView& view,
                                                         const TopicView& topic) {
  kafka::MetadataResponse::MetadataResponseTopic out;
  out.name = topic.name;
  out.topic_id = topic.id;
  out.is_internal = topic.internal;
  for (const PartitionView& partition : topic.partitions) {
    PresentedPartition shown = view.Present(topic, partition);
    kafka::MetadataResponse::MetadataResponsePartition p;
    p.partition_index = partition.partition;
    p.error_code = shown.leader < 0 ? ToInt(ErrorCode::kLeaderNotAvailable) : 0;
    p.leader_id = shown.leader;
    p.leader_epoch = partition.leader_epoch;
    p.replica_nodes = std::move(shown.replicas);
    p.isr_nodes = std::move(shown.isr);
    out.partitions.push_back(std::move(p));
  }
  return out;
}

void AutoCreate(GatewayContext& context, std::vector<std::string> names) {
  if (context.controller == nullptr || names.empty()) return;
  ControllerCalls* controller = context.controller;
  const absl::Duration timeout = context.InternalTimeout();
  controller->Submit([controller, names = std::move(names), timeout] {
    eddy::v1::CreateTopicsRequest request;
    request.set_timeout_ms(static_cast<int32_t>(absl::ToInt64Milliseconds(timeout)));
    for (const std::string& name : names) {
      eddy::v1::CreatableTopic* topic = request.add_topics();
      topic->set_name(name);
      topic->set_num_partitions(-1);
      topic->set_replication_factor(-1);
    }
    eddy::v1::CreateTopicsResponse response;
    absl::Status status = controller->Call(
        [&](eddy::v1::Controller::Stub& stub, grpc::ClientContext& ctx) {
          return stub.CreateTopics(&ctx, request, &response);
        });
    if (!status.ok()) spdlog::warn("auto-creating topics failed: {}", status.ToString());
  });
}

}  // namespace

absl::Status HandleMetadata(GatewayContext& context, ClientInfo&,
                            const kafka::RequestHeader& header, kafka::Reader& body,
                            Responder responder) {
  absl::StatusOr<kafka::MetadataRequest> request = DecodeBody<kafka::MetadataRequest>(header, body);
  if (!request.ok()) return request.status();
  std::shared_ptr<const ClusterView> view = context.metadata->Current();
  kafka::MetadataResponse response;
  for (const GatewayNode& node : view->gateways()) {
    response.brokers.push_back(
        {.node_id = node.node_id, .host = node.host, .port = node.port, .rack = node.rack});
  }
  if (!view->cluster_id().empty()) response.cluster_id = view->cluster_id();
  response.controller_id = view->controller_gateway();

  // v0: an empty list means every topic; v1+: null means every topic, empty means none.
  const bool all_topics = !request->topics.has_value() ||
                          (header.api_version == 0 && request->topics->empty());
  if (all_topics) {
    for (const auto& [name, topic] : view->topics()) {
      response.topics.push_back(Describe(*view, topic));
    }
  } else {
    std::vector<std::string> to_create;
    for (const auto& requested : *request->topics) {
      const TopicView* topic = nullptr;
      kafka::MetadataResponse::MetadataResponseTopic out;
      if (requested.name.has_value()) {
        out.name = requested.name;
        topic = view->FindTopic(*requested.name);
      } else {
        out.topic_id = requested.topic_id;
        // Names are nullable only from v12; v10-11 answers an unknown id with an empty name.
        if (header.api_version < 12) out.name = "";
        topic = view->FindTopicById(requested.topic_id);
      }
      if (topic != nullptr) {
        response.topics.push_back(Describe(*view, *topic));
        continue;
      }
      if (!requested.name.has_value()) {
        out.error_code = ToInt(ErrorCode::kUnknownTopicId);
      } else if (!IsValidTopicName(*requested.name)) {
        out.error_code = ToInt(ErrorCode::kInvalidTopicException);
      } else if (context.config.auto_create_topics_enable && request->allow_auto_topic_creation) {
        out.error_code = ToInt(ErrorCode::kLeaderNotAvailable);
        to_create.push_back(*requested.name);
      } else {
        out.error_code = ToInt(ErrorCode::kUnknownTopicOrPartition);
      }
      responder.Error(out.error_code);
      response.topics.push_back(std::move(out));
    }
    AutoCreate(context, std::move(to_create));
  }
  responder.Respond(response);
  return absl::OkStatus();
}

}  // namespace eddy::gateway
