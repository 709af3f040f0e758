// eddy-gateway: the Kafka protocol front door (docs/architecture.md). Besides the member daemon's
// shared skeleton (config, logging, /metrics and /healthz, gRPC, heartbeat lease with the
// controller) it follows the controller's metadata, opens data streams to brokers on demand, and
// serves the Kafka wire protocol on --kafka-port before it registers, advertising that listener as
// its "kafka" endpoint so the other gateways list it as a broker.
#include <memory>

#include "libs/common/shutdown.h"
#include "libs/common/status_macros.h"
#include "services/gateway/controller_calls.h"
#include "services/gateway/coordinator_calls.h"
#include "services/gateway/gateway_config.h"
#include "services/gateway/gateway_metrics.h"
#include "services/gateway/kafka_dispatcher.h"
#include "services/gateway/kafka_listener.h"
#include "services/gateway/metadata_follower.h"
#include "services/gateway/producer_id_blocks.h"
#include "services/runtime/grpc_broker_data_path.h"
#include "services/runtime/member_daemon.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace eddy;
  using namespace eddy::gateway;
  common::TerminationSignals::Block();
  runtime::ServerConfig server;
  server.grpc_port = 9099;
  server.http_port = 9605;
  server.data_dir = "./data/gateway";
  runtime::MembershipConfig membership;
  GatewayConfig config;
  common::ConfigSpec spec{"eddy-gateway"};
  runtime::AddServerConfig(spec, &server);
  runtime::AddMembershipConfig(spec, &membership);
  AddGatewayConfig(spec, &config);
  runtime::LoadConfigOrExit(spec, argc, argv, [&]() -> absl::Status {
    EDDY_RETURN_IF_ERROR(server.Validate());
    EDDY_RETURN_IF_ERROR(membership.Validate());
    return config.Validate(server);
  });

  GatewayContext context;
  std::unique_ptr<GatewayMetrics> metrics;
  std::unique_ptr<ListenerMetrics> listener_metrics;
  std::unique_ptr<MetadataFollower> follower;
  std::unique_ptr<ControllerCalls> controller;
  std::unique_ptr<CoordinatorCalls> coordinators;
  std::unique_ptr<ProducerIdBlocks> producer_ids;
  std::unique_ptr<KafkaDispatcher> dispatcher;
  std::unique_ptr<KafkaListener> listener;
  std::unique_ptr<runtime::GrpcBrokerDataPath> data_path;
  auto start = [&](runtime::DaemonHost& host,
                   std::vector<eddy::v1::Endpoint>& endpoints) -> absl::Status {
    const absl::Duration timeout = absl::Milliseconds(config.internal_request_timeout_ms);
    metrics = std::make_unique<GatewayMetrics>(host.metrics(), "eddy_gateway");
    listener_metrics = std::make_unique<ListenerMetrics>(host.metrics(), "eddy_gateway");
    follower = std::make_unique<MetadataFollower>(
        MetadataFollowerOptions{.controllers = membership.ControllerTargets(),
                                .member_id = membership.node_id,
                                .self = {.node_id = membership.node_id,
                                         .host = server.AdvertisedHost(),
                                         .port = config.kafka_port}},
        host.channels());
    controller = std::make_unique<ControllerCalls>(host.channels(), membership.ControllerTargets(),
                                                   timeout, /*threads=*/4);
    producer_ids = std::make_unique<ProducerIdBlocks>(*controller, *follower);
    coordinators = std::make_unique<CoordinatorCalls>(
        [&channels = host.channels()](std::string_view target) { return channels.Get(target); });
    context.config = config;
    context.node_id = membership.node_id;
    context.metadata = follower.get();
    context.controller = controller.get();
    context.producer_ids = producer_ids.get();
    context.coordinators = coordinators.get();
    context.metrics = metrics.get();
    dispatcher = std::make_unique<KafkaDispatcher>(context);
    listener = std::make_unique<KafkaListener>(
        KafkaListenerOptions{.host = server.listen_host,
                             .port = config.kafka_port,
                             .max_frame_bytes = config.socket_request_max_bytes,
                             .max_idle_ms = config.connections_max_idle_ms,
                             .max_connections_per_ip = config.max_connections_per_ip,
                             .max_inflight_bytes = config.max_inflight_bytes_per_connection,
                             .threads = config.network_threads},
        *dispatcher, *listener_metrics);
    data_path =
        std::make_unique<runtime::GrpcBrokerDataPath>(host.channels(), listener->io_context());
    context.brokers = data_path.get();
    EDDY_RETURN_IF_ERROR(listener->Start());
    follower->SetSelf({.node_id = membership.node_id,
                       .host = server.AdvertisedHost(),
                       .port = listener->port()});
    follower->Start();
    if (!follower->WaitForSnapshot(absl::Seconds(10))) {
      spdlog::warn("no metadata snapshot from the controllers yet; serving what arrives later");
    }
    eddy::v1::Endpoint endpoint;
    endpoint.set_name("kafka");
    endpoint.set_host(server.AdvertisedHost());
    endpoint.set_port(listener->port());
    endpoints.push_back(std::move(endpoint));
    return absl::OkStatus();
  };
  auto stop = [&] {
    if (listener != nullptr) listener->Stop();
    if (data_path != nullptr) data_path->Stop();
    if (coordinators != nullptr) coordinators->Stop();
    if (controller != nullptr) controller->Stop();
    if (follower != nullptr) follower->Stop();
  };
  return runtime::RunMemberDaemon(runtime::MemberDaemon{.name = "eddy-gateway",
                                                        .metric_prefix = "eddy_gateway",
                                                        .role = eddy::v1::MEMBER_ROLE_GATEWAY,
                                                        .spec = &spec,
                                                        .server = &server,
                                                        .membership = &membership,
                                                        .services = {},
                                                        .start = start,
                                                        .stop = stop});
}
