// The registry's REST routes, one file per route family as Confluent groups its resources:
// rest_schemas.cc (/schemas), rest_subjects.cc (/subjects), rest_compatibility.cc
// (/compatibility), rest_config.cc (/config), rest_mode.cc (/mode) and rest_metadata.cc (/,
// /contexts, /v1/metadata). Each Add* registers its routes on `router`; handlers call `service`,
// which must outlive the router.
#pragma once

#include <string>

#include "services/registry/registry_service.h"
#include "services/registry/rest_router.h"

namespace eddy::registry {

void AddSchemaRoutes(RestRouter& router, RegistryService& service);
void AddSubjectRoutes(RestRouter& router, RegistryService& service);
void AddCompatibilityRoutes(RestRouter& router, RegistryService& service);
void AddConfigRoutes(RestRouter& router, RegistryService& service);
void AddModeRoutes(RestRouter& router, RegistryService& service);
// `cluster_id` is reported by /v1/metadata/id as the Kafka cluster's id.
void AddMetadataRoutes(RestRouter& router, std::string cluster_id, std::string version);

// AddAllRoutes registers every family above.
void AddAllRoutes(RestRouter& router, RegistryService& service, std::string cluster_id,
                  std::string version);

// ParseId parses a path id the way JAX-RS converts an int path parameter: anything that is not an
// int32 is 404 (no such resource).
absl::StatusOr<int32_t> ParseId(std::string_view text);

}  // namespace eddy::registry
