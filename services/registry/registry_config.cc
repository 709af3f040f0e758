#include "services/registry/registry_config.h"

#include "absl/strings/str_cat.h"
#include "services/registry/registry_quorum.h"

namespace eddy::registry {

absl::Status RegistryConfig::Validate(const runtime::ServerConfig& server, int32_t node_id) const {
  if (rest_port != 0 && (rest_port == server.grpc_port || rest_port == server.http_port)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid value for --rest-port: ", rest_port, " is already --grpc-port or --http-port"));
  }
  if (max_schema_bytes > rest_max_body_bytes) {
    return absl::InvalidArgumentError(
        "invalid value for --max-schema-bytes: larger than --rest-max-body-bytes");
  }
  if (quorum_election_timeout_ms < 2 * quorum_tick_ms) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid value for --quorum-election-timeout-ms: ", quorum_election_timeout_ms,
        " must be at least two ticks (--quorum-tick-ms=", quorum_tick_ms, ")"));
  }
  if (!quorum_voters.empty()) {
    absl::StatusOr<std::vector<RegistryVoter>> voters = ParseRegistryVoters(quorum_voters);
    if (!voters.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid value for --quorum-voters: ", voters.status().message()));
    }
    bool listed = false;
    for (const RegistryVoter& voter : *voters) listed |= voter.id.value() == node_id;
    if (!listed) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid value for --quorum-voters: --node-id ", node_id, " is not among them"));
    }
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
  spec.Add("quorum-voters", &config->quorum_voters,
           "Replicas of a replicated registry as id@host:port,... (their gRPC addresses, "
           "--node-id among them); empty: a single replica.");
  spec.Add("quorum-tick-ms", &config->quorum_tick_ms,
           "Raft tick (ms); the registry leader heartbeats every tick.", 5, 1000);
  spec.Add("quorum-election-timeout-ms", &config->quorum_election_timeout_ms,
           "A registry follower starts an election after this long without the leader (ms); at "
           "least two ticks.", 10, 60000);
  spec.Add("quorum-snapshot-entries", &config->quorum_snapshot_entries,
           "Applied registry log entries between snapshots of the store.", 1, 1LL << 40);
  spec.Add("quorum-request-timeout-ms", &config->quorum_request_timeout_ms,
           "How long a registry write may wait for the quorum: commit, forwarding to the leader, "
           "a follower catching up (ms).", 100, 600000);
}

}  // namespace eddy::registry
