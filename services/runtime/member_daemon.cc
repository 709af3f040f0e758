#include "services/runtime/member_daemon.h"

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/common/shutdown.h"
#include "services/runtime/member_agent.h"
#include "spdlog/spdlog.h"

namespace eddy::runtime {

std::vector<std::string> MembershipConfig::ControllerTargets() const {
  std::vector<std::string> targets;
  for (absl::string_view part : absl::StrSplit(controllers, ',', absl::SkipWhitespace())) {
    targets.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return targets;
}

absl::Status MembershipConfig::Validate() const {
  for (const std::string& target : ControllerTargets()) {
    size_t colon = target.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == target.size()) {
      return absl::InvalidArgumentError("invalid value for --controllers: \"" + target +
                                        "\" is not host:port");
    }
  }
  if (ControllerTargets().empty()) {
    return absl::InvalidArgumentError("invalid value for --controllers: no address given");
  }
  return absl::OkStatus();
}

void AddMembershipConfig(common::ConfigSpec& spec, MembershipConfig* config) {
  spec.Add("controllers", &config->controllers,
           "Comma-separated controller gRPC addresses (host:port).");
  spec.Add("node-id", &config->node_id, "Member id, unique among members of the same role.", 0,
           2147483647);
  spec.Add("rack", &config->rack, "Rack of this member, for rack-aware placement.");
}

int RunMemberDaemon(const MemberDaemon& daemon) {
  return RunDaemon(daemon.name, *daemon.spec, *daemon.server, [&]() -> int {
    DaemonHost host(std::string(daemon.name), daemon.role, *daemon.server);
    for (grpc::Service* service : daemon.services) host.AddService(service);
    if (absl::Status status = host.Start(); !status.ok()) {
      spdlog::critical("cannot start: {}", status.ToString());
      return 1;
    }
    std::vector<eddy::v1::Endpoint> endpoints = host.Endpoints();
    if (daemon.start) {
      if (absl::Status status = daemon.start(host, endpoints); !status.ok()) {
        spdlog::critical("cannot start: {}", status.ToString());
        host.Stop(absl::ZeroDuration());
        return 1;
      }
      host.daemon_service().SetEndpoints(endpoints);
    }
    MemberAgentOptions options;
    options.role = daemon.role;
    options.member_id = daemon.membership->node_id;
    options.rack = daemon.membership->rack;
    options.version = kEddyVersion;
    options.endpoints = std::move(endpoints);
    options.controllers = daemon.membership->ControllerTargets();
    options.metric_prefix = std::string(daemon.metric_prefix);
    if (daemon.previous_member_epoch) {
      options.previous_member_epoch = daemon.previous_member_epoch();
    }
    MemberAgent agent(std::move(options), host.channels(), host.metrics());
    host.daemon_service().SetMembershipSource([&](eddy::v1::DaemonDescription& description) {
      description.set_member_id(daemon.membership->node_id);
      description.set_incarnation_id(agent.incarnation_id());
      description.set_member_epoch(agent.member_epoch());
      description.set_registered(agent.registered());
    });
    agent.Start([&host] { host.SetReady(true); });

    int signal = common::TerminationSignals::Wait();
    spdlog::info("stopping on signal {}", signal);
    const absl::Duration timeout = absl::Milliseconds(daemon.server->shutdown_timeout_ms);
    common::ShutdownWatchdog watchdog(timeout);
    host.SetReady(false);
    agent.Stop();
    if (daemon.stop) daemon.stop();
    if (daemon.stopped) daemon.stopped(agent.member_epoch());
    host.Stop(timeout / 2);
    spdlog::info("stopped");
    return 0;
  });
}

}  // namespace eddy::runtime
