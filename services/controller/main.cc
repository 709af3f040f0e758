// eddy-controller: the cluster's metadata authority. For now a single controller that keeps the
// membership of brokers, coordinators, registries and gateways with heartbeat leases; the Raft
// quorum and the metadata state machine come with their own issue.
#include <thread>

#include "absl/synchronization/notification.h"
#include "libs/common/clock.h"
#include "libs/common/shutdown.h"
#include "services/controller/cluster_id.h"
#include "services/controller/cluster_membership.h"
#include "services/controller/config.h"
#include "services/controller/controller_service.h"
#include "services/controller/membership_metrics.h"
#include "services/runtime/daemon_host.h"
#include "spdlog/spdlog.h"

namespace {

constexpr char kName[] = "eddy-controller";

int Run(const eddy::controller::Config& config) {
  using namespace eddy;
  absl::StatusOr<std::string> cluster_id = controller::LoadOrCreateClusterId(config.server.data_dir);
  if (!cluster_id.ok()) {
    spdlog::critical("cannot start: {}", cluster_id.status().ToString());
    return 1;
  }
  controller::ClusterMembership membership(
      {.session_timeout = absl::Milliseconds(config.member_session_timeout_ms),
       .heartbeat_interval = absl::Milliseconds(config.member_heartbeat_interval_ms)},
      common::Clock::Real());
  controller::ControllerService service(membership, *cluster_id, config.node_id);

  runtime::DaemonHost host(kName, eddy::v1::MEMBER_ROLE_CONTROLLER, config.server);
  controller::MembershipMetrics metrics(host.metrics());
  host.AddService(&service);
  if (absl::Status status = host.Start(); !status.ok()) {
    spdlog::critical("cannot start: {}", status.ToString());
    return 1;
  }
  spdlog::info("controller ready cluster_id={} node_id={}", *cluster_id, config.node_id);
  host.SetReady(true);

  // Leases are checked often enough that a fenced member shows up within a tenth of a second.
  absl::Notification stop;
  std::thread reaper([&] {
    while (!stop.WaitForNotificationWithTimeout(absl::Milliseconds(100))) {
      membership.ExpireLeases();
      metrics.Update(membership.Members());
    }
  });

  int signal = common::TerminationSignals::Wait();
  spdlog::info("stopping on signal {}", signal);
  common::ShutdownWatchdog watchdog(absl::Milliseconds(config.server.shutdown_timeout_ms));
  stop.Notify();
  reaper.join();
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
