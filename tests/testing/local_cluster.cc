#include "tests/testing/local_cluster.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "httplib.h"
#include "proto/eddy/v1/controller.grpc.pb.h"

extern char** environ;

namespace eddy::testing {
namespace {

constexpr Role kRoles[] = {Role::kController, Role::kBroker, Role::kCoordinator, Role::kRegistry,
                           Role::kGateway};

// Default (grpc, http) ports per role; instance i adds 100 * i.
std::pair<int, int> DefaultPorts(Role role) {
  switch (role) {
    case Role::kController: return {9093, 9601};
    case Role::kBroker: return {9094, 9602};
    case Role::kCoordinator: return {9095, 9603};
    case Role::kRegistry: return {9096, 9604};
    case Role::kGateway: return {9099, 9605};
  }
  return {0, 0};
}

// The registry's REST port in default-ports mode: Confluent's 8081.
constexpr int kRegistryRestPort = 8081;
// The gateway's Kafka port in default-ports mode: Kafka's 9092 (then 9192, 9292, ...).
constexpr int kGatewayKafkaPort = 9092;

// PickFreePort returns a loopback port nobody listens on, chosen at random below the kernel's
// ephemeral range (32768-60999 by default). A port handed out by bind(0) is an ephemeral one: between
// this probe and the daemon's own bind, any client connection in a parallel test (ctest -j) may take
// it as its source port, and the daemon then fails with "Address already in use". Ports below that
// range are never given to outgoing connections; this process remembers what it handed out.
// Parallel test processes may still draw the same port before either daemon binds it, so each
// port is also reserved across processes: a write lock on byte `port` of one shared file, which
// the kernel drops when this process exits.
absl::StatusOr<int> PickFreePort() {
  constexpr int kFirstPort = 20000;
  constexpr int kEndPort = 32768;
  static absl::Mutex mu;
  static absl::flat_hash_set<int> handed_out;  // guarded by mu
  static absl::BitGen random;                  // guarded by mu
  static const int reservations =
      ::open((std::filesystem::temp_directory_path() / "eddy-test-ports.lock").c_str(),
             O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  absl::MutexLock lock(&mu);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int port = absl::Uniform(random, kFirstPort, kEndPort);
    if (handed_out.contains(port)) continue;
    if (reservations >= 0) {
      struct flock reserve{};
      reserve.l_type = F_WRLCK;
      reserve.l_whence = SEEK_SET;
      reserve.l_start = port;
      reserve.l_len = 1;
      if (::fcntl(reservations, F_SETLK, &reserve) != 0) continue;  // another test process's
    }
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    if (bound) {
      handed_out.insert(port);
      return port;
    }
  }
  return absl::UnavailableError(
      absl::StrCat("no free loopback port in [", kFirstPort, ", ", kEndPort, ")"));
}

std::string LogTail(const std::string& path, size_t lines) {
  std::ifstream in(path);
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  return absl::StrJoin(tail, "\n");
}

// Copies a child's output to its log file and, optionally, to stdout with a name prefix.
void PumpOutput(int fd, std::string log_path, std::string prefix, bool echo) {
  static std::mutex stdout_mu;
  std::ofstream log(log_path, std::ios::app);
  std::string pending;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    log.write(buffer, n);
    log.flush();
    if (!echo) continue;
    pending.append(buffer, static_cast<size_t>(n));
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      std::lock_guard<std::mutex> lock(stdout_mu);
      std::cout << prefix << std::string_view(pending).substr(0, newline + 1) << std::flush;
      pending.erase(0, newline + 1);
    }
  }
  ::close(fd);
}

}  // namespace

std::string RoleName(Role role) {
  switch (role) {
    case Role::kController: return "controller";
    case Role::kBroker: return "broker";
    case Role::kCoordinator: return "coordinator";
    case Role::kRegistry: return "registry";
    case Role::kGateway: return "gateway";
  }
  return "unknown";
}

struct LocalCluster::Daemon {
  Role role;
  int index;
  std::string name;
  int grpc_port = 0;
  int http_port = 0;
  int rest_port = 0;  // registries only: the Confluent REST API
  int kafka_port = 0;  // gateways only: the Kafka wire protocol
  std::string dir;
  std::string log_path;
  pid_t pid = -1;
  std::thread output;

  void JoinOutput() {
    if (output.joinable()) output.join();
  }
};

LocalCluster::LocalCluster(LocalClusterOptions options) : options_(std::move(options)) {}

LocalCluster::~LocalCluster() {
  StopAll();
  const bool keep = options_.keep_data_if && options_.keep_data_if();
  if (keep || !owns_data_dir_) {
    if (keep) std::cerr << "LocalCluster: logs and data kept in " << data_dir_ << "\n";
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(data_dir_, ignored);
}

int LocalCluster::Count(Role role) const {
  switch (role) {
    case Role::kController: return options_.controllers;
    case Role::kBroker: return options_.brokers;
    case Role::kCoordinator: return options_.coordinators;
    case Role::kRegistry: return options_.registries;
    case Role::kGateway: return options_.gateways;
  }
  return 0;
}

LocalCluster::Daemon& LocalCluster::At(Role role, int index) {
  for (auto& daemon : daemons_) {
    if (daemon->role == role && daemon->index == index) return *daemon;
  }
  std::cerr << "LocalCluster: no " << RoleName(role) << "-" << index << "\n";
  std::abort();
}

const LocalCluster::Daemon& LocalCluster::At(Role role, int index) const {
  return const_cast<LocalCluster*>(this)->At(role, index);
}

std::string LocalCluster::GrpcAddress(Role role, int index) const {
  return absl::StrCat("127.0.0.1:", At(role, index).grpc_port);
}
std::string LocalCluster::HttpAddress(Role role, int index) const {
  return absl::StrCat("127.0.0.1:", At(role, index).http_port);
}
std::string LocalCluster::RegistryUrl(int index) const {
  return absl::StrCat("http://127.0.0.1:", RegistryRestPort(index));
}
int LocalCluster::RegistryRestPort(int index) const { return At(Role::kRegistry, index).rest_port; }
int LocalCluster::KafkaPort(int index) const { return At(Role::kGateway, index).kafka_port; }
std::string LocalCluster::KafkaAddress(int index) const {
  return absl::StrCat("127.0.0.1:", KafkaPort(index));
}
std::string LocalCluster::KafkaBootstrap() const {
  std::vector<std::string> addresses;
  for (int i = 0; i < options_.gateways; ++i) addresses.push_back(KafkaAddress(i));
  return absl::StrJoin(addresses, ",");
}
std::string LocalCluster::LogPath(Role role, int index) const { return At(role, index).log_path; }
std::string LocalCluster::Name(Role role, int index) const { return At(role, index).name; }
pid_t LocalCluster::Pid(Role role, int index) const { return At(role, index).pid; }

absl::Status LocalCluster::Start() {
  if (options_.data_dir.empty()) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "eddy-cluster-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return absl::InternalError(absl::StrCat("mkdtemp: ", std::strerror(errno)));
    }
    data_dir_ = pattern;
    owns_data_dir_ = true;
  } else {
    data_dir_ = std::filesystem::absolute(options_.data_dir).string();
  }
  for (Role role : kRoles) {
    for (int i = 0; i < Count(role); ++i) {
      auto daemon = std::make_unique<Daemon>();
      daemon->role = role;
      daemon->index = i;
      daemon->name = absl::StrCat(RoleName(role), "-", i);
      daemon->dir = absl::StrCat(data_dir_, "/", daemon->name);
      daemon->log_path = absl::StrCat(data_dir_, "/", daemon->name, ".log");
      if (options_.default_ports) {
        auto [grpc, http] = DefaultPorts(role);
        daemon->grpc_port = grpc + 100 * i;
        daemon->http_port = http + 100 * i;
        if (role == Role::kRegistry) daemon->rest_port = kRegistryRestPort + 100 * i;
        if (role == Role::kGateway) daemon->kafka_port = kGatewayKafkaPort + 100 * i;
      } else {
        absl::StatusOr<int> grpc = PickFreePort();
        absl::StatusOr<int> http = PickFreePort();
        if (!grpc.ok()) return grpc.status();
        if (!http.ok()) return http.status();
        daemon->grpc_port = *grpc;
        daemon->http_port = *http;
        if (role == Role::kRegistry) {
          absl::StatusOr<int> rest = PickFreePort();
          if (!rest.ok()) return rest.status();
          daemon->rest_port = *rest;
        }
        if (role == Role::kGateway) {
          absl::StatusOr<int> kafka = PickFreePort();
          if (!kafka.ok()) return kafka.status();
          daemon->kafka_port = *kafka;
        }
      }
      daemons_.push_back(std::move(daemon));
    }
  }
  // Controllers first: members register with them as they come up.
  for (bool controllers : {true, false}) {
    for (auto& daemon : daemons_) {
      if ((daemon->role == Role::kController) != controllers) continue;
      if (absl::Status status = Launch(*daemon); !status.ok()) return status;
    }
    for (auto& daemon : daemons_) {
      if ((daemon->role == Role::kController) != controllers) continue;
      if (absl::Status status = WaitReady(*daemon); !status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> LocalCluster::Args(const Daemon& daemon) const {
  std::vector<std::string> args = {
      absl::StrCat(options_.bin_dir, "/eddy-", RoleName(daemon.role)),
      "--listen-host=127.0.0.1",
      absl::StrCat("--grpc-port=", daemon.grpc_port),
      absl::StrCat("--http-port=", daemon.http_port),
      absl::StrCat("--data-dir=", daemon.dir),
      absl::StrCat("--node-id=", daemon.index + 1),
  };
  if (daemon.role == Role::kRegistry) {
    args.push_back(absl::StrCat("--rest-port=", daemon.rest_port));
    // Several registries are the replicas of one Raft quorum; node ids are index + 1.
    if (options_.registries > 1) {
      std::vector<std::string> voters;
      for (int i = 0; i < options_.registries; ++i) {
        voters.push_back(absl::StrCat(i + 1, "@", GrpcAddress(Role::kRegistry, i)));
      }
      args.push_back(absl::StrCat("--quorum-voters=", absl::StrJoin(voters, ",")));
    }
  }
  if (daemon.role == Role::kGateway) {
    args.push_back(absl::StrCat("--kafka-port=", daemon.kafka_port));
  }
  if (daemon.role == Role::kController) {
    args.push_back(absl::StrCat("--member-session-timeout-ms=", options_.member_session_timeout_ms));
    args.push_back(
        absl::StrCat("--member-heartbeat-interval-ms=", options_.member_heartbeat_interval_ms));
    // __consumer_offsets gets min(3, brokers) replicas, so a small cluster still creates it.
    args.push_back(absl::StrCat("--offsets-topic-replication-factor=",
                                std::clamp(options_.brokers, 1, 3)));
    // Every controller is a founding voter of one metadata quorum; node ids are index + 1.
    std::vector<std::string> voters;
    for (int i = 0; i < options_.controllers; ++i) {
      voters.push_back(absl::StrCat(i + 1, "@", GrpcAddress(Role::kController, i)));
    }
    args.push_back(absl::StrCat("--quorum-voters=", absl::StrJoin(voters, ",")));
  } else {
    std::vector<std::string> controllers;
    for (int i = 0; i < options_.controllers; ++i) {
      controllers.push_back(GrpcAddress(Role::kController, i));
    }
    args.push_back(absl::StrCat("--controllers=", absl::StrJoin(controllers, ",")));
  }
  return args;
}

absl::Status LocalCluster::Launch(Daemon& daemon) {
  std::error_code error;
  std::filesystem::create_directories(daemon.dir, error);
  if (error) return absl::InternalError(absl::StrCat("mkdir ", daemon.dir, ": ", error.message()));
  daemon.JoinOutput();

  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  std::vector<std::string> args = Args(daemon);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::dup2(pipe_fds[1], STDERR_FILENO);
    ::execve(argv[0], argv.data(), environ);
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  daemon.pid = pid;
  daemon.output = std::thread(PumpOutput, pipe_fds[0], daemon.log_path,
                              absl::StrCat("[", daemon.name, "] "), options_.echo_logs);
  return absl::OkStatus();
}

absl::Status LocalCluster::WaitReady(Daemon& daemon) {
  const absl::Time deadline = absl::Now() + options_.ready_timeout;
  httplib::Client client("127.0.0.1", daemon.http_port);
  client.set_connection_timeout(0, 200000);
  client.set_read_timeout(1, 0);
  while (absl::Now() < deadline) {
    int status = 0;
    if (::waitpid(daemon.pid, &status, WNOHANG) == daemon.pid) {
      daemon.pid = -1;
      daemon.JoinOutput();
      return absl::UnavailableError(
          absl::StrCat(daemon.name, " exited (status ", status, ") before it was ready; log ",
                       daemon.log_path, ":\n", LogTail(daemon.log_path, 20)));
    }
    if (auto result = client.Get("/readyz"); result && result->status == 200) {
      return absl::OkStatus();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat(daemon.name, " not ready after ", absl::FormatDuration(options_.ready_timeout),
                   "; log ", daemon.log_path, ":\n", LogTail(daemon.log_path, 20)));
}

absl::Status LocalCluster::Signal(Role role, int index, int signal) {
  Daemon& daemon = At(role, index);
  if (daemon.pid <= 0) return absl::FailedPreconditionError(daemon.name + " is not running");
  if (::kill(daemon.pid, signal) != 0) {
    return absl::InternalError(absl::StrCat("kill ", daemon.name, ": ", std::strerror(errno)));
  }
  if (signal == SIGKILL) {
    ::waitpid(daemon.pid, nullptr, 0);
    daemon.pid = -1;
    daemon.JoinOutput();
  }
  return absl::OkStatus();
}

absl::StatusOr<int> LocalCluster::Stop(Role role, int index, absl::Duration timeout) {
  Daemon& daemon = At(role, index);
  if (daemon.pid <= 0) return absl::FailedPreconditionError(daemon.name + " is not running");
  ::kill(daemon.pid, SIGCONT);
  ::kill(daemon.pid, SIGTERM);
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (::waitpid(daemon.pid, &status, WNOHANG) != daemon.pid) {
    if (absl::Now() >= deadline) {
      ::kill(daemon.pid, SIGKILL);
      ::waitpid(daemon.pid, nullptr, 0);
      daemon.pid = -1;
      daemon.JoinOutput();
      return absl::DeadlineExceededError(absl::StrCat(
          daemon.name, " did not stop within ", absl::FormatDuration(timeout), "; killed"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  daemon.pid = -1;
  daemon.JoinOutput();
  if (WIFSIGNALED(status)) {
    return absl::InternalError(
        absl::StrCat(daemon.name, " died of signal ", WTERMSIG(status), " while stopping"));
  }
  return WEXITSTATUS(status);
}

absl::Status LocalCluster::Restart(Role role, int index) {
  Daemon& daemon = At(role, index);
  if (daemon.pid > 0) return absl::FailedPreconditionError(daemon.name + " is still running");
  if (absl::Status status = Launch(daemon); !status.ok()) return status;
  return WaitReady(daemon);
}

void LocalCluster::StopAll() {
  for (bool controllers : {false, true}) {
    for (auto& daemon : daemons_) {
      if ((daemon->role == Role::kController) != controllers || daemon->pid <= 0) continue;
      ::kill(daemon->pid, SIGCONT);
      ::kill(daemon->pid, SIGTERM);
    }
    for (auto& daemon : daemons_) {
      if ((daemon->role == Role::kController) != controllers || daemon->pid <= 0) continue;
      absl::StatusOr<int> code = Stop(daemon->role, daemon->index, options_.stop_timeout);
      if (!code.ok() || *code != 0) {
        std::cerr << "LocalCluster: " << daemon->name << " stopped badly: "
                  << (code.ok() ? absl::StrCat("exit code ", *code) : code.status().ToString())
                  << "\n";
      }
    }
  }
}

absl::StatusOr<eddy::v1::GetClusterStatusResponse> LocalCluster::ClusterStatus() const {
  absl::Status last = absl::UnavailableError("no controller is running");
  for (int i = 0; i < options_.controllers; ++i) {
    if (At(Role::kController, i).pid <= 0) continue;
    auto stub = eddy::v1::Controller::NewStub(grpc::CreateChannel(
        GrpcAddress(Role::kController, i), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    eddy::v1::GetClusterStatusResponse response;
    grpc::Status status = stub->GetClusterStatus(&context, {}, &response);
    if (status.ok()) return response;
    last = absl::UnavailableError(absl::StrCat("GetClusterStatus on ", GrpcAddress(Role::kController, i),
                                               ": ", status.error_message()));
  }
  return last;
}

std::string LocalCluster::Describe() const {
  std::string out;
  for (const auto& daemon : daemons_) {
    absl::StrAppend(&out, absl::StrFormat("  %-14s", daemon->name), "grpc 127.0.0.1:",
                    daemon->grpc_port, "  metrics http://127.0.0.1:", daemon->http_port,
                    "/metrics  log ", daemon->log_path, "\n");
    if (daemon->role == Role::kRegistry) {
      absl::StrAppend(&out, absl::StrFormat("  %-14s", ""), "schema registry http://127.0.0.1:",
                      daemon->rest_port, "\n");
    }
    if (daemon->role == Role::kGateway) {
      absl::StrAppend(&out, absl::StrFormat("  %-14s", ""), "kafka 127.0.0.1:", daemon->kafka_port,
                      "\n");
    }
  }
  return out;
}

}  // namespace eddy::testing
