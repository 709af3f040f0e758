#pragma once

// Conversion between absl::Status (used across every Eddy module boundary) and grpc::Status (what
// a gRPC handler returns and a stub reports). The canonical codes of both libraries share the same
// numbering, so codes map 1:1 and the message is kept verbatim; a code outside the canonical range
// becomes kUnknown. Status payloads are not carried over the wire.

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace eddy::rpc {

// ToGrpcStatus converts a handler's absl::Status into the grpc::Status it finishes the call with.
grpc::Status ToGrpcStatus(const absl::Status& status);

// FromGrpcStatus converts the grpc::Status a client call ended with into an absl::Status.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace eddy::rpc
