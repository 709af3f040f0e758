#include "services/controller/config.h"

#include "absl/strings/str_cat.h"
#include "services/controller/metadata_quorum.h"

namespace eddy::controller {

runtime::ServerConfig Config::DefaultServer() {
  runtime::ServerConfig server;
  server.grpc_port = 9093;
  server.http_port = 9601;
  server.data_dir = "./data/controller";
  return server;
}

void Config::Bind(common::ConfigSpec& spec) {
  runtime::AddServerConfig(spec, &server);
  spec.Add("node-id", &node_id, "This controller's id in the quorum.", 1, 2147483647);
  spec.Add("member-session-timeout-ms", &member_session_timeout_ms,
           "Lease (ms) a member's registration or heartbeat buys; after it the member is fenced.",
           100, 600000);
  spec.Add("member-heartbeat-interval-ms", &member_heartbeat_interval_ms,
           "Interval (ms) members are asked to heartbeat at.", 10, 60000);
  spec.Add("quorum-voters", &quorum_voters,
           "Metadata quorum voters as id@host:port,... (Kafka's controller.quorum.voters); "
           "empty: this controller alone.");
  spec.Add("quorum-tick-ms", &quorum_tick_ms, "Raft tick (ms); the leader heartbeats every tick.",
           5, 1000);
  spec.Add("quorum-election-timeout-ms", &quorum_election_timeout_ms,
           "Minimum Raft election timeout (ms; Kafka's controller.quorum.election.timeout.ms, "
           "default 1000 there); at least two ticks. Followers wait a random time in "
           "[timeout, 2 * timeout).",
           10, 60000);
  spec.Add("metadata-snapshot-entries", &metadata_snapshot_entries,
           "Metadata log entries applied between snapshots.", 1, 100000000);
  spec.Add("num-partitions", &num_partitions,
           "Partitions of a topic created without a count (Kafka's num.partitions).", 1, 100000);
  spec.Add("default-replication-factor", &default_replication_factor,
           "Replication factor of a topic created without one.", 1, 32767);
  spec.Add("auto-leader-rebalance-enable", &auto_leader_rebalance_enable,
           "Move partition leadership back to preferred replicas on a timer (Kafka's "
           "auto.leader.rebalance.enable).");
  spec.Add("leader-imbalance-check-interval-seconds", &leader_imbalance_check_interval_seconds,
           "Seconds between the active controller's preferred-leader checks (Kafka's "
           "leader.imbalance.check.interval.seconds).",
           1, 86400);
  spec.Add("leader-imbalance-per-broker-percentage", &leader_imbalance_per_broker_percentage,
           "Share (%) of a broker's preferred partitions led elsewhere above which they are moved "
           "back (Kafka's leader.imbalance.per.broker.percentage).",
           0, 100);
  spec.Add("offsets-topic-num-partitions", &offsets_topic_num_partitions,
           "Partitions of __consumer_offsets, the group coordinator's shards (Kafka's "
           "offsets.topic.num.partitions); fixed once the topic exists.",
           1, 10000);
  spec.Add("offsets-topic-replication-factor", &offsets_topic_replication_factor,
           "Replication factor of __consumer_offsets (Kafka's offsets.topic.replication.factor); "
           "the controller creates the topic once this many brokers are usable.",
           1, 32767);
  spec.Add("offsets-topic-segment-bytes", &offsets_topic_segment_bytes,
           "segment.bytes of __consumer_offsets (Kafka's offsets.topic.segment.bytes).", 14,
           2147483647);
}

absl::Status Config::Validate() const {
  if (absl::Status status = server.Validate(); !status.ok()) return status;
  if (member_heartbeat_interval_ms >= member_session_timeout_ms) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid value for --member-heartbeat-interval-ms: ", member_heartbeat_interval_ms,
        " must be below --member-session-timeout-ms (", member_session_timeout_ms, ")"));
  }
  if (quorum_election_timeout_ms < 2 * quorum_tick_ms) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid value for --quorum-election-timeout-ms: ", quorum_election_timeout_ms,
        " must be at least two ticks (--quorum-tick-ms=", quorum_tick_ms, ")"));
  }
  if (!quorum_voters.empty()) {
    absl::StatusOr<std::vector<QuorumVoter>> voters = ParseQuorumVoters(quorum_voters);
    if (!voters.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("invalid value for --quorum-voters: ",
                                                     voters.status().message()));
    }
    bool listed = false;
    for (const QuorumVoter& voter : *voters) listed |= voter.id == NodeId(node_id);
    if (!listed) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid value for --quorum-voters: --node-id ", node_id, " is not among them"));
    }
  }
  return absl::OkStatus();
}

}  // namespace eddy::controller
