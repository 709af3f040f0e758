#include "services/gateway/producer_id_blocks.h"

#include "libs/kafka/error_codes.h"

namespace eddy::gateway {

absl::StatusOr<int64_t> ProducerIdBlocks::Next(int16_t* kafka_error) {
  *kafka_error = 0;
  absl::MutexLock lock(&mu_);
  if (next_ >= end_) {
    eddy::v1::AllocateProducerIdsRequest request;
    std::shared_ptr<const ClusterView> view = metadata_.Current();
    const BrokerView* asker = nullptr;
    for (const auto& [id, broker] : view->brokers()) {
      if (broker.active) {
        asker = &broker;
        break;
      }
    }
    if (asker == nullptr) return absl::UnavailableError("no live broker to allocate producer ids for");
    request.set_broker_id(asker->id);
    request.set_broker_epoch(asker->epoch);
    eddy::v1::AllocateProducerIdsResponse response;
    absl::Status status =
        controller_.Call([&](eddy::v1::Controller::Stub& stub, grpc::ClientContext& context) {
          return stub.AllocateProducerIds(&context, request, &response);
        });
    if (!status.ok()) return status;
    if (response.error_code() != 0 || response.producer_id_count() <= 0) {
      *kafka_error = response.error_code() != 0
                         ? static_cast<int16_t>(response.error_code())
                         : kafka::ToInt(kafka::ErrorCode::kUnknownServerError);
      return absl::UnavailableError(response.error_message());
    }
    next_ = response.first_producer_id();
    end_ = next_ + response.producer_id_count();
  }
  return next_++;
}

}  // namespace eddy::gateway
