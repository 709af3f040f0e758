// FindCoordinator (key 10). A group key names the gateway presented for the group's shard
// (coordinator_calls.h), COORDINATOR_NOT_AVAILABLE while __consumer_offsets or the shard's owner
// is missing, so clients retry until the group can be served. Any gateway routes the group's
// requests to the owning coordinator; answering per shard keeps one group's members on one gateway.
// Transaction keys are not served by a coordinator yet: they get a gateway by the key's murmur2
// hash, and InitProducerId with a transactional id answers COORDINATOR_NOT_AVAILABLE.
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/find_coordinator.h"
#include "libs/kafka/partitioner.h"
#include "services/gateway/coordinator_calls.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {
namespace {

constexpr int8_t kGroupKey = 0;
constexpr int8_t kTransactionKey = 1;

const GatewayNode* GatewayForKey(const ClusterView& view, int8_t key_type,
                                 const std::string& key) {
  if (key_type == kGroupKey) {
    const GroupRoute route = RouteGroup(view, key);
    return route.error_code != 0 ? nullptr : GatewayForGroupShard(view, route.shard);
  }
  const auto& gateways = view.gateways();
  if (gateways.empty()) return nullptr;
  return &gateways[kafka::ToPositive(kafka::Murmur2(key)) % gateways.size()];
}

}  // namespace

absl::Status HandleFindCoordinator(GatewayContext& context, ClientInfo&,
                                   const kafka::RequestHeader& header, kafka::Reader& body,
                                   Responder responder) {
  absl::StatusOr<kafka::FindCoordinatorRequest> request =
      DecodeBody<kafka::FindCoordinatorRequest>(header, body);
  if (!request.ok()) return request.status();
  std::shared_ptr<const ClusterView> view = context.metadata->Current();
  kafka::FindCoordinatorResponse response;
  const int16_t not_available = kafka::ToInt(kafka::ErrorCode::kCoordinatorNotAvailable);
  const int16_t invalid_type = kafka::ToInt(kafka::ErrorCode::kInvalidRequest);
  const bool known_type =
      request->key_type == kGroupKey || request->key_type == kTransactionKey;
  if (header.api_version < 4) {
    const GatewayNode* node = GatewayForKey(*view, request->key_type, request->key);
    if (!known_type) {
      response.error_code = invalid_type;
    } else if (node == nullptr) {
      response.error_code = not_available;
      response.node_id = -1;
    } else {
      response.node_id = node->node_id;
      response.host = node->host;
      response.port = node->port;
    }
    responder.Error(response.error_code);
  } else {
    for (const std::string& key : request->coordinator_keys) {
      kafka::FindCoordinatorResponse::Coordinator c;
      c.key = key;
      const GatewayNode* node = GatewayForKey(*view, request->key_type, key);
      if (!known_type) {
        c.error_code = invalid_type;
        c.node_id = -1;
      } else if (node == nullptr) {
        c.error_code = not_available;
        c.node_id = -1;
      } else {
        c.node_id = node->node_id;
        c.host = node->host;
        c.port = node->port;
      }
      responder.Error(c.error_code);
      response.coordinators.push_back(std::move(c));
    }
  }
  responder.Respond(response);
  return absl::OkStatus();
}

}  // namespace eddy::gateway
