// Conversions between libs/raft's value types (types.h, the single definition) and their protobuf
// form in proto/eddy/v1/raft.proto, used by the gRPC transport (messages) and the RocksDB storage
// (entries, hard state, snapshot metadata). ToProto never fails; FromProto validates what an
// untrusted or older peer or file could get wrong (unknown enum values, negative ids or indexes)
// and returns InvalidArgument instead of building a value the core would misread.
#pragma once

#include "absl/status/statusor.h"
#include "libs/raft/types.h"
#include "proto/eddy/v1/raft.pb.h"

namespace eddy::raft {

void ToProto(const Entry& entry, eddy::v1::RaftEntry* out);
absl::StatusOr<Entry> FromProto(const eddy::v1::RaftEntry& proto);

void ToProto(const HardState& state, eddy::v1::RaftHardState* out);
absl::StatusOr<HardState> FromProto(const eddy::v1::RaftHardState& proto);

void ToProto(const SnapshotMetadata& metadata, eddy::v1::RaftSnapshotMetadata* out);
absl::StatusOr<SnapshotMetadata> FromProto(const eddy::v1::RaftSnapshotMetadata& proto);

// A Message's snapshot fields (snapshot, snapshot_size, offset, chunk) travel as one
// RaftSnapshotChunk, present only on the InstallSnapshot types.
void ToProto(const Message& message, eddy::v1::RaftMessage* out);
absl::StatusOr<Message> FromProto(const eddy::v1::RaftMessage& proto);

}  // namespace eddy::raft
