// The controller's typed configuration. Keys, defaults and bounds are bound in Bind(); see
// docs/configuration.md.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "libs/common/config.h"
#include "services/runtime/server_config.h"

namespace eddy::controller {

struct Config {
  runtime::ServerConfig server = DefaultServer();
  // This controller's id in the quorum (1..2^31-1).
  int32_t node_id = 1;
  // Lease a member's registration or heartbeat buys (ms, 100..600000); Kafka's
  // broker.session.timeout.ms.
  int32_t member_session_timeout_ms = 9000;
  // Interval members are asked to heartbeat at (ms, 10..60000); Kafka's
  // broker.heartbeat.interval.ms. Must be below the session timeout.
  int32_t member_heartbeat_interval_ms = 2000;
  // The metadata quorum's voters, Kafka's controller.quorum.voters: "1@host:port,2@host:port"
  // (controller gRPC addresses). Empty: this controller alone, at 127.0.0.1:<grpc port>. Every
  // voter must be given the same list; it seeds a fresh log and is ignored once one exists.
  std::string quorum_voters;
  // Raft tick (ms, 5..1000): heartbeat period of the leader.
  int32_t quorum_tick_ms = 50;
  // Minimum election timeout (ms; Kafka's controller.quorum.election.timeout.ms), a multiple of
  // the tick of at least 2 ticks; followers wait a random time in [timeout, 2 * timeout). Kafka's
  // default is 1000; 800 keeps a failover (the first survivor's timeout, at most 2 * timeout, plus
  // one election and a write) within the 2 s issue 5 asks for, still 16 missed heartbeats.
  int32_t quorum_election_timeout_ms = 800;
  // Applied metadata log entries between snapshots (the log is truncated behind each).
  int32_t metadata_snapshot_entries = 10000;
  // Kafka's num.partitions and default.replication.factor, used when CreateTopics passes -1.
  int32_t num_partitions = 1;
  int32_t default_replication_factor = 1;
  // Preferred-leader rebalancing on the active controller: Kafka's auto.leader.rebalance.enable,
  // leader.imbalance.check.interval.seconds and leader.imbalance.per.broker.percentage.
  bool auto_leader_rebalance_enable = true;
  int32_t leader_imbalance_check_interval_seconds = 300;
  int32_t leader_imbalance_per_broker_percentage = 10;
  // __consumer_offsets: Kafka's offsets.topic.num.partitions, offsets.topic.replication.factor
  // (creation waits until that many brokers are usable) and offsets.topic.segment.bytes.
  int32_t offsets_topic_num_partitions = 50;
  int32_t offsets_topic_replication_factor = 3;
  int32_t offsets_topic_segment_bytes = 100 * 1024 * 1024;

  void Bind(common::ConfigSpec& spec);
  absl::Status Validate() const;

 private:
  static runtime::ServerConfig DefaultServer();
};

}  // namespace eddy::controller
