#include "services/controller/broker_lifecycle.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "services/controller/metadata_records.h"
#include "services/controller/partition_change.h"

namespace eddy::controller {
namespace {

using kafka::ErrorCode;

// RemoveFromPartitions appends the changes that take `broker` out of every ISR it is in and move
// away the leadership it holds.
void RemoveFromPartitions(const MetadataImage& image, BrokerId broker,
                          std::vector<eddy::v1::MetadataRecord>& records) {
  for (const auto& [id, topic] : image.topics()) {
    PartitionChangeContext context = ContextFor(image, topic, broker);
    for (const auto& [index, partition] : topic.partitions) {
      if (!Contains(partition.isr, broker) && partition.leader != broker) continue;
      PartitionChangeRequest request;
      std::vector<BrokerId> isr;
      for (BrokerId r : partition.isr) {
        if (r != broker) isr.push_back(r);
      }
      request.target_isr = std::move(isr);
      if (auto change = BuildPartitionChange(id, index, partition, request, context)) {
        records.push_back(Wrap(std::move(change->record)));
      }
    }
  }
}

}  // namespace

ApiError CheckBrokerEpoch(const MetadataImage& image, BrokerId broker, BrokerEpoch broker_epoch) {
  const eddy::v1::BrokerRegistration* reg = image.FindBroker(broker);
  if (reg == nullptr) {
    return ApiError(ErrorCode::kStaleBrokerEpoch,
                    absl::StrCat("No broker registration found for broker ", broker.value()));
  }
  if (reg->broker_epoch() != broker_epoch.value()) {
    return ApiError(ErrorCode::kStaleBrokerEpoch,
                    absl::StrCat("Expected broker epoch ", reg->broker_epoch(),
                                 ", but got broker epoch ", broker_epoch.value()));
  }
  return ApiError();
}

bool ShutDownCleanly(const MetadataImage& image, BrokerId broker, BrokerEpoch previous_epoch) {
  const eddy::v1::BrokerRegistration* existing = image.FindBroker(broker);
  return existing == nullptr || existing->broker_epoch() == previous_epoch.value();
}

ControllerResult<ApiError> RegisterBroker(const MetadataImage& image,
                                          const RegisterBrokerRequest& request,
                                          bool previous_lease_live) {
  ControllerResult<ApiError> result;
  if (request.broker_id.value() < 0) {
    result.response = ApiError(ErrorCode::kInvalidRegistration,
                               absl::StrCat("Invalid broker id ", request.broker_id.value()));
    return result;
  }
  const eddy::v1::BrokerRegistration* existing = image.FindBroker(request.broker_id);
  if (existing != nullptr && existing->incarnation_id() != request.incarnation_id &&
      previous_lease_live && !existing->fenced()) {
    result.response = ApiError(ErrorCode::kDuplicateBrokerRegistration,
                               absl::StrCat("Another broker is registered with broker id ",
                                            request.broker_id.value(), "."));
    return result;
  }
  // The old registration's partitions move before the new, fenced one replaces it.
  if (existing != nullptr && !existing->fenced()) {
    RemoveFromPartitions(image, request.broker_id, result.records);
  }
  if (!request.clean_shutdown) {
    for (const auto& [id, topic] : image.topics()) {
      PartitionChangeContext context = ContextFor(image, topic, request.broker_id);
      for (const auto& [index, partition] : topic.partitions) {
        if (!Contains(partition.elr, request.broker_id)) continue;
        PartitionChangeRequest change_request;
        change_request.unclean_shutdown_replicas = {request.broker_id};
        if (auto change = BuildPartitionChange(id, index, partition, change_request, context)) {
          result.records.push_back(Wrap(std::move(change->record)));
        }
      }
    }
  }
  eddy::v1::RegisterBrokerRecord record;
  record.set_broker_id(request.broker_id.value());
  record.set_incarnation_id(request.incarnation_id);
  record.set_rack(request.rack);
  for (const eddy::v1::Endpoint& endpoint : request.endpoints) *record.add_endpoints() = endpoint;
  record.set_clean_shutdown(request.clean_shutdown);
  record.set_version(request.version);
  result.records.push_back(Wrap(std::move(record)));
  return result;
}

ControllerResult<ApiError> FenceBroker(const MetadataImage& image, BrokerId broker) {
  ControllerResult<ApiError> result;
  const eddy::v1::BrokerRegistration* reg = image.FindBroker(broker);
  if (reg == nullptr) {
    result.response =
        ApiError(ErrorCode::kBrokerIdNotRegistered,
                 absl::StrCat("Broker ID ", broker.value(), " is not currently registered"));
    return result;
  }
  if (reg->fenced()) return result;
  RemoveFromPartitions(image, broker, result.records);
  eddy::v1::FenceBrokerRecord record;
  record.set_broker_id(broker.value());
  record.set_broker_epoch(reg->broker_epoch());
  result.records.push_back(Wrap(std::move(record)));
  return result;
}

ControllerResult<ApiError> UnfenceBroker(const MetadataImage& image, BrokerId broker,
                                         BrokerEpoch broker_epoch) {
  ControllerResult<ApiError> result;
  result.response = CheckBrokerEpoch(image, broker, broker_epoch);
  if (!result.response.ok() || !image.FindBroker(broker)->fenced()) return result;
  eddy::v1::UnfenceBrokerRecord record;
  record.set_broker_id(broker.value());
  record.set_broker_epoch(broker_epoch.value());
  result.records.push_back(Wrap(std::move(record)));
  for (const auto& [id, topic] : image.topics()) {
    PartitionChangeContext context = ContextFor(image, topic, std::nullopt, broker);
    for (const auto& [index, partition] : topic.partitions) {
      if (partition.HasLeader() || !Contains(partition.replicas, broker)) continue;
      if (auto change = BuildPartitionChange(id, index, partition, {}, context)) {
        result.records.push_back(Wrap(std::move(change->record)));
      }
    }
  }
  return result;
}

ControllerResult<ApiError> BeginControlledShutdown(const MetadataImage& image, BrokerId broker,
                                                   BrokerEpoch broker_epoch) {
  ControllerResult<ApiError> result;
  result.response = CheckBrokerEpoch(image, broker, broker_epoch);
  if (!result.response.ok()) return result;
  const eddy::v1::BrokerRegistration* reg = image.FindBroker(broker);
  if (reg->fenced() || reg->in_controlled_shutdown()) return result;
  RemoveFromPartitions(image, broker, result.records);
  eddy::v1::BrokerControlledShutdownRecord record;
  record.set_broker_id(broker.value());
  record.set_broker_epoch(broker_epoch.value());
  result.records.push_back(Wrap(std::move(record)));
  return result;
}

ControllerResult<ApiError> UnregisterBroker(const MetadataImage& image, BrokerId broker) {
  ControllerResult<ApiError> result;
  const eddy::v1::BrokerRegistration* reg = image.FindBroker(broker);
  if (reg == nullptr) {
    result.response =
        ApiError(ErrorCode::kBrokerIdNotRegistered,
                 absl::StrCat("Broker ID ", broker.value(), " is not currently registered"));
    return result;
  }
  RemoveFromPartitions(image, broker, result.records);
  eddy::v1::UnregisterBrokerRecord record;
  record.set_broker_id(broker.value());
  record.set_broker_epoch(reg->broker_epoch());
  result.records.push_back(Wrap(std::move(record)));
  return result;
}

}  // namespace eddy::controller
