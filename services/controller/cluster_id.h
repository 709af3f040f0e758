// The cluster id names a cluster for its whole life (Kafka's cluster.id, a base64url UUID). The
// first controller start creates it in the data directory; every later start reads it back.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace eddy::controller {

// LoadOrCreateClusterId reads `<data_dir>/cluster_id`, or creates it (atomically) when absent.
absl::StatusOr<std::string> LoadOrCreateClusterId(const std::string& data_dir);

}  // namespace eddy::controller
