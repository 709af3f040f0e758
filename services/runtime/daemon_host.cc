#include "services/runtime/daemon_host.h"

#include <malloc.h>

#include <cstdio>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/health_check_service_interface.h"
#include "libs/common/logging.h"
#include "libs/rpc/tls.h"
#include "spdlog/spdlog.h"

namespace eddy::runtime {
namespace {

// Produce and fetch payloads are megabytes per request. With glibc's defaults each such buffer is
// mmap'ed and unmapped (or the heap trimmed after it is freed), so every request pays page faults
// and page zeroing; `./dev bench consume` ran 2-4x faster with the buffers kept on the heap.
// The trim threshold does not cover a thread arena's extra 64 MiB heaps: glibc unmaps one as soon
// as it is free unless the top pad exceeds what it could hold, so a thread that briefly holds a
// 16 MB fetch answer grew (mprotect) and faulted in a new heap on every fetch. Under the sanitizers
// mallopt is a no-op.
void KeepLargeBuffersOnHeap() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
}

// Debian's Abseil checks every Mutex acquisition for lock-order cycles: ~3% of a broker's CPU on
// the acks=all path (`./dev bench broker`) and ~7% of a coordinator's under `./dev bench groups`.
// Debug and sanitizer builds, where the tests run, keep the check.
void SkipMutexDeadlockDetectionInRelease() {
#ifdef NDEBUG
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
}

rpc::ServerOptions GrpcOptions(const ServerConfig& config) {
  rpc::ServerOptions options;
  options.host = config.listen_host;
  options.port = config.grpc_port;
  return options;
}

eddy::v1::Endpoint MakeEndpoint(std::string_view name, const std::string& host, int port) {
  eddy::v1::Endpoint endpoint;
  endpoint.set_name(std::string(name));
  endpoint.set_host(host);
  endpoint.set_port(port);
  return endpoint;
}

eddy::v1::DaemonDescription Describe(const std::string& name, eddy::v1::MemberRole role) {
  eddy::v1::DaemonDescription description;
  description.set_name(name);
  description.set_version(kEddyVersion);
  description.set_role(role);
  description.set_start_time_unix_ms(absl::ToUnixMillis(absl::Now()));
  return description;
}

}  // namespace

DaemonHost::DaemonHost(std::string name, eddy::v1::MemberRole role, const ServerConfig& config)
    : name_(std::move(name)),
      config_(config),
      http_(metrics_, config.listen_host, config.http_port),
      daemon_service_(Describe(name_, role)),
      grpc_(GrpcOptions(config)),
      channels_(grpc::InsecureChannelCredentials()) {
  // The standard grpc.health.v1 service answers orchestrators' gRPC probes.
  grpc::EnableDefaultHealthCheckService(true);
  grpc_.AddService(&daemon_service_);
  metrics::AddProcessMetrics(metrics_, name_, kEddyVersion);
}

DaemonHost::~DaemonHost() { Stop(absl::ZeroDuration()); }

void DaemonHost::AddService(grpc::Service* service) { grpc_.AddService(service); }

absl::Status DaemonHost::Start() {
  std::error_code error;
  std::filesystem::create_directories(config_.data_dir, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot create --data-dir ", config_.data_dir, ": ", error.message()));
  }
  if (absl::Status status = http_.Start(); !status.ok()) return status;
  if (absl::Status status = grpc_.Start(); !status.ok()) return status;
  daemon_service_.SetEndpoints(Endpoints());
  spdlog::info("listening grpc={}:{} http={}:{}", config_.listen_host, grpc_.port(),
               config_.listen_host, http_.port());
  return absl::OkStatus();
}

std::vector<eddy::v1::Endpoint> DaemonHost::Endpoints() const {
  const std::string host = config_.AdvertisedHost();
  return {MakeEndpoint("grpc", host, grpc_.port()), MakeEndpoint("http", host, http_.port())};
}

void DaemonHost::Stop(absl::Duration grace) {
  http_.SetReady(false);
  grpc_.Shutdown(grace);
  http_.Stop();
}

int RunDaemon(std::string_view name, const common::ConfigSpec& spec, const ServerConfig& config,
              const std::function<int()>& main_body) {
  KeepLargeBuffersOnHeap();
  SkipMutexDeadlockDetectionInRelease();
  if (absl::Status status = common::InitLogging(name, config.log); !status.ok()) {
    std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(name.size()), name.data(),
                 std::string(status.message()).c_str());
    return 2;
  }
  spdlog::info("starting version={} config: {}", kEddyVersion, spec.EffectiveConfig());
  return main_body();
}

}  // namespace eddy::runtime
