#include "services/gateway/kafka_dispatcher.h"

#include "absl/strings/str_cat.h"
#include "services/gateway/api_support.h"

namespace eddy::gateway {
namespace {

Handler HandlerFor(int16_t api_key) {
  switch (api_key) {
    case 0: return HandleProduce;
    case 1: return HandleFetch;
    case 2: return HandleListOffsets;
    case 3: return HandleMetadata;
    case 8: return HandleOffsetCommit;
    case 9: return HandleOffsetFetch;
    case 10: return HandleFindCoordinator;
    case 11: return HandleJoinGroup;
    case 12: return HandleHeartbeat;
    case 13: return HandleLeaveGroup;
    case 14: return HandleSyncGroup;
    case 15: return HandleDescribeGroups;
    case 16: return HandleListGroups;
    case 18: return HandleApiVersions;
    case 19: return HandleCreateTopics;
    case 20: return HandleDeleteTopics;
    case 21: return HandleDeleteRecords;
    case 22: return HandleInitProducerId;
    case 23: return HandleOffsetForLeaderEpoch;
    case 32: return HandleDescribeConfigs;
    case 33: return HandleAlterConfigs;
    case 35: return HandleDescribeLogDirs;
    case 37: return HandleCreatePartitions;
    case 42: return HandleDeleteGroups;
    case 43: return HandleElectLeaders;
    case 44: return HandleIncrementalAlterConfigs;
    case 47: return HandleOffsetDelete;
    case 60: return HandleDescribeCluster;
    default: return nullptr;
  }
}

}  // namespace

absl::Status KafkaDispatcher::Dispatch(ClientInfo& client, std::span<const uint8_t> payload,
                                       Completion done) {
  kafka::Reader reader(payload);
  absl::StatusOr<kafka::RequestHeader> header = kafka::DecodeRequestHeader(reader);
  if (!header.ok()) return header.status();
  const SupportedApi* api = FindSupportedApi(header->api_key);
  Handler handler = HandlerFor(header->api_key);
  if (api == nullptr || handler == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported API key ", header->api_key));
  }
  if (header->api_key != kafka::kApiVersionsKey &&
      (header->api_version < api->accepted_min || header->api_version > api->max_version)) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported version ", header->api_version,
                                                   " of API key ", header->api_key));
  }
  if (context_.metrics != nullptr) {
    context_.metrics->Request(header->api_key);
    context_.metrics->ClientSoftware(client.software_name, client.software_version);
  }
  return handler(context_, client, *header, reader,
                 Responder(*header, std::move(done), context_.metrics));
}

}  // namespace eddy::gateway
