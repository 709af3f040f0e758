// Helpers shared by the metadata state machine and the controller commands: conversions between
// metadata.proto records and the image's C++ types, and Wrap(), which puts a record into the
// versioned MetadataRecord envelope every log entry carries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/strong_id.h"
#include "libs/common/uuid.h"
#include "proto/eddy/v1/metadata.pb.h"
#include "services/controller/metadata_image.h"

namespace eddy::controller {

// kMetadataRecordVersion is the MetadataRecord.version this code writes and the newest it reads.
inline constexpr uint32_t kMetadataRecordVersion = 1;

eddy::v1::TopicId TopicIdToProto(const common::Uuid& id);
// TopicIdFromProto: kInvalidArgument unless the id is 16 bytes.
absl::StatusOr<common::Uuid> TopicIdFromProto(const eddy::v1::TopicId& id);

std::vector<BrokerId> BrokerIdsFromProto(const google::protobuf::RepeatedField<int32_t>& ids);
eddy::v1::BrokerIdList BrokerIdListToProto(const std::vector<BrokerId>& ids);
void BrokerIdsToProto(const std::vector<BrokerId>& ids,
                      google::protobuf::RepeatedField<int32_t>* out);

bool Contains(const std::vector<BrokerId>& ids, BrokerId id);
// FormatBrokerIds renders ids as Kafka prints replica lists in messages: "[1, 2, 3]".
std::string FormatBrokerIds(const std::vector<BrokerId>& ids);

eddy::v1::PartitionRecord PartitionToRecord(const common::Uuid& topic_id, int32_t partition,
                                            const PartitionState& state);
PartitionState PartitionFromRecord(const eddy::v1::PartitionRecord& record);

// Wrap returns `record` in a MetadataRecord envelope of the current version.
eddy::v1::MetadataRecord Wrap(eddy::v1::RegisterBrokerRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::UnregisterBrokerRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::FenceBrokerRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::UnfenceBrokerRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::BrokerControlledShutdownRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::TopicRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::PartitionRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::PartitionChangeRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::RemoveTopicRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::ConfigRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::ProducerIdsRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::CoordinatorShardRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::AccessControlEntryRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::RemoveAccessControlEntryRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::UserScramCredentialRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::RemoveUserScramCredentialRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::LeaderChangeRecord record);
eddy::v1::MetadataRecord Wrap(eddy::v1::ClusterIdRecord record);

}  // namespace eddy::controller
