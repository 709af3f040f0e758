// eddy-controller: the cluster's metadata authority. Controllers form a Raft quorum
// (--quorum-voters) that replicates the metadata log; the leader runs every write, keeps the
// members' heartbeat leases, and fences brokers whose lease expires. See controller_service.h.
#include <filesystem>
#include <thread>

#include "absl/synchronization/notification.h"
#include "libs/common/clock.h"
#include "libs/common/shutdown.h"
#include "services/controller/cluster_id.h"
#include "services/controller/cluster_membership.h"
#include "services/controller/config.h"
#include "services/controller/controller_service.h"
#include "services/controller/membership_metrics.h"
#include "services/controller/metadata_quorum.h"
#include "services/runtime/daemon_host.h"
#include "spdlog/spdlog.h"

namespace {

constexpr char kName[] = "eddy-controller";

absl::StatusOr<std::vector<eddy::controller::QuorumVoter>> Voters(
    const eddy::controller::Config& config) {
  if (!config.quorum_voters.empty()) {
    return eddy::controller::ParseQuorumVoters(config.quorum_voters);
  }
  eddy::controller::QuorumVoter self{.id = eddy::NodeId(config.node_id), .endpoint = {}};
  self.endpoint.set_name("grpc");
  self.endpoint.set_host("127.0.0.1");
  self.endpoint.set_port(config.server.grpc_port);
  return std::vector<eddy::controller::QuorumVoter>{self};
}

int Run(const eddy::controller::Config& config) {
  using namespace eddy;
  absl::StatusOr<std::string> cluster_id = controller::ProposedClusterId(config.server.data_dir);
  if (!cluster_id.ok()) {
    spdlog::critical("cannot start: {}", cluster_id.status().ToString());
    return 1;
  }
  absl::StatusOr<std::vector<controller::QuorumVoter>> voters = Voters(config);
  if (!voters.ok()) {
    spdlog::critical("cannot start: {}", voters.status().ToString());
    return 1;
  }
  controller::ClusterMembership membership(
      {.session_timeout = absl::Milliseconds(config.member_session_timeout_ms),
       .heartbeat_interval = absl::Milliseconds(config.member_heartbeat_interval_ms)},
      common::Clock::Real());

  runtime::DaemonHost host(kName, eddy::v1::MEMBER_ROLE_CONTROLLER, config.server);
  controller::MembershipMetrics metrics(host.metrics());
  absl::StatusOr<std::unique_ptr<controller::MetadataQuorum>> quorum =
      controller::MetadataQuorum::Create(
          {.self = NodeId(config.node_id),
           .voters = *std::move(voters),
           .dir = (std::filesystem::path(config.server.data_dir) / "raft").string(),
           .tick_interval = absl::Milliseconds(config.quorum_tick_ms),
           .election_ticks = config.quorum_election_timeout_ms / config.quorum_tick_ms,
           .snapshot_interval_entries = static_cast<uint64_t>(config.metadata_snapshot_entries)},
          host.metrics());
  if (!quorum.ok()) {
    spdlog::critical("cannot start: {}", quorum.status().ToString());
    return 1;
  }
  controller::ControllerService service(
      **quorum, membership,
      {.default_num_partitions = config.num_partitions,
       .default_replication_factor = config.default_replication_factor,
       .offsets_topic_num_partitions = config.offsets_topic_num_partitions,
       .offsets_topic_replication_factor = config.offsets_topic_replication_factor,
       .offsets_topic_segment_bytes = config.offsets_topic_segment_bytes},
      {.enabled = config.auto_leader_rebalance_enable,
       .check_interval = absl::Seconds(config.leader_imbalance_check_interval_seconds),
       .imbalance_percentage = config.leader_imbalance_per_broker_percentage},
      common::Clock::Real(), *cluster_id);
  host.AddService((*quorum)->service());
  host.AddService(&service);
  if (absl::Status status = host.Start(); !status.ok()) {
    spdlog::critical("cannot start: {}", status.ToString());
    return 1;
  }
  (*quorum)->Start();
  spdlog::info("controller ready node_id={}", config.node_id);
  host.SetReady(true);

  // Leases are checked often enough that a fenced member shows up within a tenth of a second.
  absl::Notification stop;
  std::thread reaper([&] {
    while (!stop.WaitForNotificationWithTimeout(absl::Milliseconds(100))) {
      service.Tick();
      metrics.Update(membership.Members());
    }
  });

  int signal = common::TerminationSignals::Wait();
  spdlog::info("stopping on signal {}", signal);
  common::ShutdownWatchdog watchdog(absl::Milliseconds(config.server.shutdown_timeout_ms));
  stop.Notify();
  reaper.join();
  // libs/raft's order: the driver, then the gRPC server, then (in the destructor) the transport.
  (*quorum)->StopDriver();
  host.Stop(absl::Milliseconds(config.server.shutdown_timeout_ms / 2));
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  eddy::common::TerminationSignals::Block();
  eddy::controller::Config config;
  eddy::common::ConfigSpec spec(kName);
  config.Bind(spec);
  eddy::runtime::LoadConfigOrExit(spec, argc, argv, [&] { return config.Validate(); });
  return eddy::runtime::RunDaemon(kName, spec, config.server, [&] { return Run(config); });
}
