// Conversions between the controller's admin RPC messages (proto/eddy/v1/controller.proto) and the
// command shapes of config_commands.h, partition_commands.h and producer_ids.h, so the gRPC
// adapter stays a thin shell and the mapping (Kafka's ConfigType and ConfigSource codes, the
// "all partitions" flag, op codes) is unit-tested without a server.
#pragma once

#include <vector>

#include "proto/eddy/v1/controller.pb.h"
#include "services/controller/config_commands.h"
#include "services/controller/partition_commands.h"
#include "services/controller/producer_ids.h"

namespace eddy::controller {

// KafkaConfigType is Kafka's DescribeConfigs ConfigType code (1 BOOLEAN, 2 STRING, 3 INT,
// 5 LONG, 6 DOUBLE, 7 LIST).
int32_t KafkaConfigType(ConfigType type);

std::vector<DescribeConfigsItem> FromProto(const eddy::v1::DescribeConfigsRequest& request);
std::vector<AlterConfigsItem> FromProto(const eddy::v1::AlterConfigsRequest& request);
std::vector<IncrementalAlterConfigsItem> FromProto(
    const eddy::v1::IncrementalAlterConfigsRequest& request);
ElectLeadersRequest FromProto(const eddy::v1::ElectLeadersRequest& request);

eddy::v1::DescribeConfigsResponse ToProto(const std::vector<DescribeConfigsResult>& results);
// Fills `results` of an AlterConfigs or IncrementalAlterConfigs response.
void ToProto(const std::vector<ResourceResult>& results,
             google::protobuf::RepeatedPtrField<eddy::v1::ConfigResourceResult>* out);
eddy::v1::ElectLeadersResponse ToProto(const std::vector<PartitionResult>& results);
eddy::v1::AllocateProducerIdsResponse ToProto(const AllocateProducerIdsResult& result);

}  // namespace eddy::controller
