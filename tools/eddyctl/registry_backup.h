// Registry backup and migration for `eddyctl registry export|import`: the whole content of a
// schema registry (every subject version, soft-deleted ones flagged, with its global id, and the
// compatibility settings) as one JSON document, read and written over the registry's gRPC API
// (proto/eddy/v1/registry.proto).
//
// Document:
//   {"format": "eddy-registry-export/1",
//    "compatibility": "BACKWARD",                       // the global level
//    "subjectCompatibility": {"<subject>": "FULL"},     // levels set on subjects
//    "schemas": [{"subject", "version", "id", "schemaType", "schema", "references",
//                 "deleted", "metadata"?, "ruleSet"?}, ...]}   // by id, then subject, version
//
// Import puts the target registry in IMPORT mode (Confluent's migration mode, which keeps ids and
// versions and skips compatibility checks), registers every version in id order (so references
// resolve), soft-deletes the deleted ones, applies the levels and returns to READWRITE. Like
// Confluent it refuses a target that already holds schemas unless `force`.
#pragma once

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "proto/eddy/v1/registry.grpc.pb.h"

namespace eddy::eddyctl {

// ExportRegistry reads everything from the registry behind `stub`.
absl::StatusOr<nlohmann::json> ExportRegistry(eddy::v1::Registry::StubInterface& stub);

struct ImportSummary {
  int versions = 0;  // subject versions registered
  int deleted = 0;   // of which soft-deleted again
};

// ImportRegistry writes `document` (made by ExportRegistry) into the registry behind `stub`, which
// must be the quorum leader of a replicated registry. kInvalidArgument for a malformed document;
// the registry's own errors otherwise (the status message carries its Confluent code).
absl::StatusOr<ImportSummary> ImportRegistry(eddy::v1::Registry::StubInterface& stub,
                                             const nlohmann::json& document, bool force);

}  // namespace eddy::eddyctl
