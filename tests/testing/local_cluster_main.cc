// eddy-local-cluster: runs a LocalCluster on the default ports until SIGINT/SIGTERM. This is what
// `./dev up` execs: it prints the Kafka bootstrap address and every daemon's addresses, streams
// their logs prefixed by name, and on Ctrl-C stops them all (SIGTERM, then SIGKILL after a
// timeout), leaving no process behind.
#include <cstdio>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "libs/common/config.h"
#include "libs/common/shutdown.h"
#include "tests/testing/local_cluster.h"

extern char** environ;

namespace {

struct Config {
  std::string bin_dir;
  std::string data_dir = "./.eddy";
  int32_t controllers = 1;
  int32_t brokers = 1;
  int32_t coordinators = 1;
  int32_t registries = 1;
  int32_t gateways = 1;
  int32_t member_session_timeout_ms = 9000;
};

std::string_view ShortState(eddy::v1::MemberState state) {
  switch (state) {
    case eddy::v1::MEMBER_STATE_ACTIVE: return "registered";
    case eddy::v1::MEMBER_STATE_FENCED: return "fenced";
    case eddy::v1::MEMBER_STATE_SHUTTING_DOWN: return "shutting down";
    default: return "unknown";
  }
}

}  // namespace

int main(int argc, char** argv) {
  eddy::common::TerminationSignals::Block();
  Config config;
  eddy::common::ConfigSpec spec("eddy-local-cluster");
  spec.Add("bin-dir", &config.bin_dir, "Directory holding the eddy-* daemons.");
  spec.Add("data-dir", &config.data_dir, "Where the daemons keep data and logs.");
  spec.Add("controllers", &config.controllers, "Number of controllers.", 1, 9);
  spec.Add("brokers", &config.brokers, "Number of brokers.", 0, 32);
  spec.Add("coordinators", &config.coordinators, "Number of coordinators.", 0, 32);
  spec.Add("registries", &config.registries, "Number of schema registries.", 0, 9);
  spec.Add("gateways", &config.gateways, "Number of gateways.", 0, 32);
  spec.Add("member-session-timeout-ms", &config.member_session_timeout_ms,
           "Lease (ms) of a member's heartbeat.", 500, 600000);
  if (absl::Status status = spec.Load(argc, argv, environ); !status.ok()) {
    std::fprintf(stderr, "eddy-local-cluster: %s\n", std::string(status.message()).c_str());
    return 2;
  }
  if (spec.help_requested()) {
    std::fputs(spec.Usage().c_str(), stdout);
    return 0;
  }
  if (config.bin_dir.empty()) {
    std::fprintf(stderr, "eddy-local-cluster: invalid value for --bin-dir: must not be empty\n");
    return 2;
  }

  eddy::testing::LocalClusterOptions options;
  options.bin_dir = config.bin_dir;
  options.data_dir = config.data_dir;
  options.controllers = config.controllers;
  options.brokers = config.brokers;
  options.coordinators = config.coordinators;
  options.registries = config.registries;
  options.gateways = config.gateways;
  options.default_ports = true;
  options.echo_logs = true;
  options.member_session_timeout_ms = config.member_session_timeout_ms;
  options.member_heartbeat_interval_ms = std::max(100, config.member_session_timeout_ms / 4);
  eddy::testing::LocalCluster cluster(options);
  if (absl::Status status = cluster.Start(); !status.ok()) {
    std::cerr << "eddy-local-cluster: " << status.message() << "\n";
    return 1;
  }

  std::cout << "\n== Eddy local cluster is up (data in " << cluster.data_dir() << ")\n"
            << cluster.Describe();
  if (config.gateways > 0) {
    // Gateway i serves Kafka on 9092 + 100 * i.
    std::cout << "  Kafka bootstrap: " << cluster.KafkaBootstrap() << "\n";
  }
  for (int i = 0; i < config.registries; ++i) {
    std::cout << "  Schema Registry: " << cluster.RegistryUrl(i) << "\n";
  }
  if (auto status = cluster.ClusterStatus(); status.ok()) {
    std::cout << "  cluster id " << status->cluster_id() << "; members:\n";
    for (const auto& member : status->members()) {
      std::cout << "    " << eddy::v1::MemberRole_Name(member.role()) << " " << member.member_id()
                << " " << ShortState(member.state()) << " (epoch " << member.member_epoch()
                << ")\n";
    }
  } else {
    std::cout << "  cluster status unavailable: " << status.status().message() << "\n";
  }
  std::cout << "== Ctrl-C stops the cluster\n" << std::flush;

  eddy::common::TerminationSignals::Wait();
  std::cout << "\n== stopping\n" << std::flush;
  cluster.StopAll();
  std::cout << "== stopped\n" << std::flush;
  return 0;
}
