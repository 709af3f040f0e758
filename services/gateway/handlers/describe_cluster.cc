// DescribeCluster (key 60): the gateways are the brokers, as in Metadata.
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/describe_cluster.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {

absl::Status HandleDescribeCluster(GatewayContext& context, ClientInfo&,
                                   const kafka::RequestHeader& header, kafka::Reader& body,
                                   Responder responder) {
  absl::StatusOr<kafka::DescribeClusterRequest> request =
      DecodeBody<kafka::DescribeClusterRequest>(header, body);
  if (!request.ok()) return request.status();
  std::shared_ptr<const ClusterView> view = context.metadata->Current();
  kafka::DescribeClusterResponse response;
  // Endpoint type 1 is "brokers" (KIP-919); controllers are not exposed to clients.
  if (request->endpoint_type != 1) {
    response.error_code = kafka::ToInt(kafka::ErrorCode::kUnsupportedEndpointType);
    response.endpoint_type = request->endpoint_type;
    responder.Error(response.error_code);
    responder.Respond(response);
    return absl::OkStatus();
  }
  response.cluster_id = view->cluster_id();
  response.controller_id = view->controller_gateway();
  for (const GatewayNode& node : view->gateways()) {
    response.brokers.push_back(
        {.broker_id = node.node_id, .host = node.host, .port = node.port, .rack = node.rack});
  }
  responder.Respond(response);
  return absl::OkStatus();
}

}  // namespace eddy::gateway
