// Conversions between libs/raft's structs (types.h) and their protobuf records
// (proto/eddy/v1/raft.proto), for a gRPC transport and a persistent Storage. Encoding never fails;
// decoding validates what the core relies on (known enum values, positive voter ids, non-negative
// indexes and terms) and returns InvalidArgument otherwise, so a corrupt or hostile record never
// reaches a RaftNode. This is the only file of libs/raft that knows protobuf.
#pragma once

#include "absl/status/statusor.h"
#include "libs/raft/types.h"
#include "proto/eddy/v1/raft.pb.h"

namespace eddy::raft {

v1::RaftMessage ToProto(const Message& message);
absl::StatusOr<Message> FromProto(const v1::RaftMessage& proto);

v1::RaftEntry ToProto(const Entry& entry);
absl::StatusOr<Entry> FromProto(const v1::RaftEntry& proto);

v1::RaftHardState ToProto(const HardState& state);
absl::StatusOr<HardState> FromProto(const v1::RaftHardState& proto);

v1::RaftSnapshotMetadata ToProto(const SnapshotMetadata& metadata);
absl::StatusOr<SnapshotMetadata> FromProto(const v1::RaftSnapshotMetadata& proto);

}  // namespace eddy::raft
