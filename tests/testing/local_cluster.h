// LocalCluster runs a real Eddy cluster on loopback: N of each daemon as separate processes on free
// ports (or the default ports, for ./dev up), each with its own data directory and log file. It
// waits for every daemon's /readyz, exposes their addresses, and can kill -9, pause (SIGSTOP),
// resume and restart any one of them. Every integration test builds on it.
//
// Children get PR_SET_PDEATHSIG=SIGKILL, so no daemon outlives the process that started it, and
// their own process group, so a terminal's Ctrl-C reaches only the supervisor, which stops them
// in order. REQUIRES: the LocalCluster is created and used on one long-lived thread (the death
// signal follows the forking thread).
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/eddy/v1/controller.pb.h"

namespace eddy::testing {

enum class Role { kController, kBroker, kCoordinator, kRegistry, kGateway };

// RoleName is the daemon's short name: "controller", "broker", ...
std::string RoleName(Role role);

struct LocalClusterOptions {
  // Directory holding the eddy-* binaries.
  std::string bin_dir;
  int controllers = 1;
  int brokers = 1;
  int coordinators = 1;
  int registries = 1;  // more than one: the replicas of one replicated registry
  int gateways = 1;
  // Where data and logs go. Empty: a new temporary directory, removed on destruction unless kept.
  std::string data_dir;
  // Use each daemon's default ports (+100 per extra instance; the registry's REST API 8081) instead
  // of free ephemeral ones.
  bool default_ports = false;
  // Copy every daemon's output to stdout, each line prefixed with the daemon's name.
  bool echo_logs = false;
  // Controller lease settings; short by default so tests see fencing quickly.
  int member_session_timeout_ms = 2000;
  int member_heartbeat_interval_ms = 250;
  absl::Duration ready_timeout = absl::Seconds(30);
  // How long a SIGTERM stop may take before SIGKILL.
  absl::Duration stop_timeout = absl::Seconds(10);
  // Asked at destruction; true keeps the data directory (tests pass "the test failed").
  std::function<bool()> keep_data_if;
};

class LocalCluster {
 public:
  explicit LocalCluster(LocalClusterOptions options);
  // Stops every daemon still running (SIGTERM, then SIGKILL after stop_timeout).
  ~LocalCluster();

  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  // Start launches the controllers, waits until they are ready, then the other daemons, and waits
  // until each is ready (members are ready once registered with the controller). On failure the
  // error names the daemon, its log file and the log's last lines.
  absl::Status Start();

  int Count(Role role) const;
  std::string GrpcAddress(Role role, int index = 0) const;
  std::string HttpAddress(Role role, int index = 0) const;
  // RegistryUrl is registry `index`'s Confluent REST base URL, "http://127.0.0.1:<rest port>".
  std::string RegistryUrl(int index = 0) const;
  int RegistryRestPort(int index = 0) const;
  // KafkaAddress is gateway `index`'s Kafka listener, "127.0.0.1:<port>"; KafkaBootstrap lists every
  // gateway's, comma-separated (a client's bootstrap.servers).
  int KafkaPort(int index = 0) const;
  std::string KafkaAddress(int index = 0) const;
  std::string KafkaBootstrap() const;
  std::string LogPath(Role role, int index = 0) const;
  std::string Name(Role role, int index = 0) const;  // "broker-0"
  // Pid of the running process, or -1 when it is not running.
  pid_t Pid(Role role, int index = 0) const;
  const std::string& data_dir() const { return data_dir_; }

  // Signal sends `signal` (SIGKILL, SIGSTOP, SIGCONT, ...). For SIGKILL it also reaps the process.
  absl::Status Signal(Role role, int index, int signal);
  absl::Status Kill(Role role, int index = 0) { return Signal(role, index, 9); }
  absl::Status Pause(Role role, int index = 0) { return Signal(role, index, 19); }
  absl::Status Resume(Role role, int index = 0) { return Signal(role, index, 18); }
  // Stop sends SIGTERM and waits up to `timeout`; the returned status carries the exit code.
  absl::StatusOr<int> Stop(Role role, int index, absl::Duration timeout);
  // Restart starts a stopped or killed daemon again with the same ports and data, and waits ready.
  absl::Status Restart(Role role, int index = 0);
  // StopAll stops every running daemon, members first, controllers last.
  void StopAll();

  // ClusterStatus asks the live controllers in turn for GetClusterStatus; followers redirect it,
  // so the quorum leader answers (an error while none is elected).
  absl::StatusOr<eddy::v1::GetClusterStatusResponse> ClusterStatus() const;

  // Addresses, one line per daemon, for people.
  std::string Describe() const;

 private:
  struct Daemon;
  Daemon& At(Role role, int index);
  const Daemon& At(Role role, int index) const;
  absl::Status Launch(Daemon& daemon);
  absl::Status WaitReady(Daemon& daemon);
  std::vector<std::string> Args(const Daemon& daemon) const;

  LocalClusterOptions options_;
  std::string data_dir_;
  bool owns_data_dir_ = false;
  std::vector<std::unique_ptr<Daemon>> daemons_;
};

}  // namespace eddy::testing
