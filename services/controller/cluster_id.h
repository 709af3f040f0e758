// The cluster id names a cluster for its whole life (Kafka's cluster.id, a base64url UUID). It is
// replicated: the first active controller of a new cluster writes a ClusterIdRecord to the
// metadata log, and every controller reports the id its image holds (see ControllerService).
//
// Controllers from before the id was replicated kept it in <data-dir>/cluster_id; such a
// controller proposes that id, so an existing cluster keeps its name when it first writes it.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace eddy::controller {

// ProposedClusterId is the id this controller writes if the metadata log has none yet: the one
// in `<data_dir>/cluster_id` when that legacy file exists, else a new random one. DataLoss when
// the file holds no valid id.
absl::StatusOr<std::string> ProposedClusterId(const std::string& data_dir);

}  // namespace eddy::controller
