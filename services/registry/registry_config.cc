#include "services/registry/registry_config.h"

#include "absl/strings/str_cat.h"

namespace eddy::registry {

absl::Status RegistryConfig::Validate(const runtime::ServerConfig& server) const {
  if (rest_port != 0 && (rest_port == server.grpc_port || rest_port == server.http_port)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid value for --rest-port: ", rest_port, " is already --grpc-port or --http-port"));
  }
  if (max_schema_bytes > rest_max_body_bytes) {
    return absl::InvalidArgumentError(
        "invalid value for --max-schema-bytes: larger than --rest-max-body-bytes");
  }
  return absl::OkStatus();
}

void AddRegistryConfig(common::ConfigSpec& spec, RegistryConfig* config) {
  spec.Add("rest-port", &config->rest_port,
           "Port of the Confluent-compatible REST API (0: ephemeral).", 0, 65535);
  spec.Add("rest-threads", &config->rest_threads,
           "REST worker threads; each open keep-alive connection holds one.", 1, 4096);
  spec.Add("rest-max-body-bytes", &config->rest_max_body_bytes,
           "Largest REST request body (bytes); larger ones get HTTP 413.", 1024, 1LL << 30);
  spec.Add("max-schema-bytes", &config->max_schema_bytes,
           "Largest schema text (bytes); larger ones get error 42209.", 1024, 1LL << 30);
}

}  // namespace eddy::registry
