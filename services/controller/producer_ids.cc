#include "services/controller/producer_ids.h"

#include <limits>

#include "services/controller/broker_lifecycle.h"
#include "services/controller/metadata_records.h"

namespace eddy::controller {

ControllerResult<AllocateProducerIdsResult> AllocateProducerIds(const MetadataImage& image,
                                                                const ControllerOptions& options,
                                                                BrokerId broker,
                                                                BrokerEpoch broker_epoch) {
  ControllerResult<AllocateProducerIdsResult> result;
  result.response.error = CheckBrokerEpoch(image, broker, broker_epoch);
  if (!result.response.error.ok()) return result;
  const ProducerId first = image.next_producer_id();
  const int64_t size = options.producer_id_block_size;
  if (first.value() > std::numeric_limits<int64_t>::max() - size) {
    result.response.error =
        ApiError(kafka::ErrorCode::kUnknownServerError, "Exhausted all producerIds.");
    return result;
  }
  result.response.block = ProducerIdBlock{broker, first, size};
  eddy::v1::ProducerIdsRecord record;
  record.set_broker_id(broker.value());
  record.set_broker_epoch(broker_epoch.value());
  record.set_next_producer_id(first.value() + size);
  result.records.push_back(Wrap(std::move(record)));
  return result;
}

}  // namespace eddy::controller
