// InitProducerId (key 22). Without a transactional id (idempotent producers) any broker answers
// with a new producer id from its block (producer_id_blocks.h), epoch 0. With a transactional id
// the transaction coordinator owns the answer; until it is reachable through the gateway the
// answer is COORDINATOR_NOT_AVAILABLE, which clients retry.
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/init_producer_id.h"
#include "services/gateway/controller_calls.h"
#include "services/gateway/handlers/admin_errors.h"
#include "services/gateway/handlers/handler.h"
#include "services/gateway/producer_id_blocks.h"
#include "spdlog/spdlog.h"

namespace eddy::gateway {

absl::Status HandleInitProducerId(GatewayContext& context, ClientInfo&,
                                  const kafka::RequestHeader& header, kafka::Reader& body,
                                  Responder responder) {
  absl::StatusOr<kafka::InitProducerIdRequest> request =
      DecodeBody<kafka::InitProducerIdRequest>(header, body);
  if (!request.ok()) return request.status();
  kafka::InitProducerIdResponse response;
  if (request->transactional_id.has_value() || context.producer_ids == nullptr) {
    response.error_code = kafka::ToInt(kafka::ErrorCode::kCoordinatorNotAvailable);
    responder.Error(response.error_code);
    responder.Respond(response);
    return absl::OkStatus();
  }
  ProducerIdBlocks* blocks = context.producer_ids;
  context.controller->Submit([blocks, responder] {
    kafka::InitProducerIdResponse response;
    int16_t kafka_error = 0;
    absl::StatusOr<int64_t> id = blocks->Next(&kafka_error);
    if (id.ok()) {
      response.producer_id = *id;
      response.producer_epoch = 0;
    } else {
      // Whatever kept the controller from handing out a block (no leader, a broker epoch that
      // just changed) passes; the client retries on COORDINATOR_NOT_AVAILABLE.
      spdlog::warn("allocating producer ids failed: {} (Kafka error {})", id.status().ToString(),
                   kafka_error);
      response.error_code = kafka::ToInt(kafka::ErrorCode::kCoordinatorNotAvailable);
    }
    responder.Error(response.error_code);
    responder.Respond(response);
  });
  return absl::OkStatus();
}

}  // namespace eddy::gateway
