#include "libs/metrics/http_endpoint.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace eddy::metrics {
namespace {

constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";
constexpr char kTextContentType[] = "text/plain; charset=utf-8";
// Worker threads serving requests: scrapes and probes are rare and cheap.
constexpr size_t kServerThreads = 2;
// One request per connection: scrapes are seconds apart, so keep-alive saves nothing, and an idle
// kept-alive connection would hold a worker (and so Stop()) until its timeout. A client that
// connects but stays silent still holds one for up to kKeepAliveTimeoutSeconds.
constexpr size_t kRequestsPerConnection = 1;
constexpr time_t kKeepAliveTimeoutSeconds = 1;
constexpr time_t kReadWriteTimeoutSeconds = 5;

// ExclusiveAddressOptions sets SO_REUSEADDR (restart while old connections sit in TIME_WAIT) but,
// unlike httplib's default, not SO_REUSEPORT, which would let two daemons share a port silently.
void ExclusiveAddressOptions(socket_t sock) {
  int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

}  // namespace

// Server is one run of httplib: the bound server and the thread running its accept loop.
class HttpEndpoint::Server {
 public:
  httplib::Server http;
  std::thread listener;
  std::atomic<bool> exited{false};  // set when listen_after_bind returns
};

HttpEndpoint::HttpEndpoint(Registry& registry, std::string host, int port)
    : registry_(registry), host_(std::move(host)), requested_port_(port) {}

HttpEndpoint::~HttpEndpoint() { Stop(); }

absl::Status HttpEndpoint::Start() {
  const std::string address = absl::StrCat(host_, ":", requested_port_);
  if (host_.empty() || requested_port_ < 0 || requested_port_ > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics endpoint: invalid listen address ", address));
  }
  absl::MutexLock lock(&mu_);
  if (server_ != nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("metrics endpoint ", host_, ":", port(), " already started"));
  }
  auto server = std::make_unique<Server>();
  httplib::Server& http = server->http;
  http.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  http.set_socket_options(ExclusiveAddressOptions);
  http.set_keep_alive_max_count(kRequestsPerConnection);
  http.set_keep_alive_timeout(kKeepAliveTimeoutSeconds);
  http.set_read_timeout(kReadWriteTimeoutSeconds);
  http.set_write_timeout(kReadWriteTimeoutSeconds);
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry_.Expose(), kMetricsContentType);
  });
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", kTextContentType);
  });
  http.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    if (ready_.load(std::memory_order_acquire)) {
      res.set_content("ready", kTextContentType);
    } else {
      res.status = 503;
      res.set_content("not ready", kTextContentType);
    }
  });

  int bound = -1;
  if (requested_port_ == 0) {
    bound = http.bind_to_any_port(host_);
  } else if (http.bind_to_port(host_, requested_port_)) {
    bound = requested_port_;
  }
  if (bound <= 0) {
    return absl::UnavailableError(
        absl::StrCat("metrics endpoint: cannot bind ", address, " (address taken or invalid)"));
  }

  server->listener = std::thread([s = server.get()] {
    s->http.listen_after_bind();
    s->exited.store(true, std::memory_order_release);
  });
  // httplib's stop() is a no-op until the accept loop has started, so wait for the loop (or its
  // early exit): Stop() then always takes effect. The thread reaches one of the two at once.
  while (!http.is_running() && !server->exited.load(std::memory_order_acquire)) {
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  if (!http.is_running()) {
    server->listener.join();
    return absl::UnavailableError(
        absl::StrCat("metrics endpoint ", host_, ":", bound, ": accept loop exited at start"));
  }
  bound_port_.store(bound, std::memory_order_release);
  server_ = std::move(server);
  spdlog::info("metrics endpoint listening on {}:{}", host_, bound);
  return absl::OkStatus();
}

void HttpEndpoint::Stop() {
  std::unique_ptr<Server> server;
  {
    absl::MutexLock lock(&mu_);
    server = std::move(server_);
  }
  if (server == nullptr) return;
  server->http.stop();
  server->listener.join();
}

}  // namespace eddy::metrics
