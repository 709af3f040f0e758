#include "services/registry/rest_server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "services/registry/rest_json.h"
#include "spdlog/spdlog.h"

namespace eddy::registry {
namespace {

constexpr char kV1Json[] = "application/vnd.schemaregistry.v1+json";

std::string_view RawPath(const httplib::Request& req) {
  std::string_view target = req.target.empty() ? std::string_view(req.path) : req.target;
  return target.substr(0, target.find('?'));
}

// SocketOptions sets SO_REUSEADDR (restart while old connections sit in TIME_WAIT) but not
// SO_REUSEPORT, which would let two daemons share the port silently; and TCP_NODELAY, inherited by
// accepted sockets, because httplib writes headers and body separately and Nagle's algorithm would
// hold the body back for the client's delayed ACK (~40 ms per keep-alive request).
void SocketOptions(socket_t sock) {
  int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
}

}  // namespace

class RestServer::Impl {
 public:
  httplib::Server http;
  std::thread listener;
  std::atomic<bool> exited{false};
};

RestServer::RestServer(RestServerOptions options, const RestRouter& router,
                       RegistryMetrics& metrics, RestForwarder* forwarder)
    : options_(std::move(options)), router_(router), metrics_(metrics), forwarder_(forwarder) {}

RestServer::~RestServer() { Stop(); }

absl::Status RestServer::Start() {
  auto impl = std::make_unique<Impl>();
  httplib::Server& http = impl->http;
  const size_t threads = static_cast<size_t>(options_.threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_socket_options(SocketOptions);
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(1000000);
  http.set_keep_alive_timeout(options_.keep_alive_seconds);
  http.set_read_timeout(30);
  http.set_write_timeout(30);
  http.set_payload_max_length(static_cast<size_t>(options_.max_body_bytes));

  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    const std::string content_type = req.get_header_value("Content-Type");
    const std::string accept = req.get_header_value("Accept");
    RestResponse response =
        Dispatch(router_,
                 RestCall{.method = req.method,
                          .path = RawPath(req),
                          .query = std::multimap<std::string, std::string>(req.params.begin(),
                                                                           req.params.end()),
                          .body = req.body,
                          .content_type = content_type,
                          .accept = accept},
                 forwarder_);
    res.status = response.status;
    res.set_content(response.body, response.content_type.c_str());
    metrics_.ObserveRequest(response.route, req.method, response.status,
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                                .count());
  };
  const std::string any = ".*";
  http.Get(any, dispatch);  // also serves HEAD
  http.Post(any, dispatch);
  http.Put(any, dispatch);
  http.Delete(any, dispatch);
  http.Patch(any, dispatch);
  http.Options(any, dispatch);
  // Reached for what httplib refuses before routing: an oversized body (413), a bad request line.
  http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const std::string message = res.status == 413 ? "HTTP 413 Request Entity Too Large"
                                                  : absl::StrCat("HTTP ", res.status);
    res.set_content(ErrorBody(res.status, message), kV1Json);
    metrics_.ObserveRequest("unknown", req.method, res.status, 0);
  });

  int bound = -1;
  if (options_.port == 0) {
    bound = http.bind_to_any_port(options_.host);
  } else if (http.bind_to_port(options_.host, options_.port)) {
    bound = options_.port;
  }
  if (bound <= 0) {
    return absl::UnavailableError(absl::StrCat("registry REST: cannot bind ", options_.host, ":",
                                               options_.port, " (address taken or invalid)"));
  }
  impl->listener = std::thread([s = impl.get()] {
    s->http.listen_after_bind();
    s->exited.store(true, std::memory_order_release);
  });
  // httplib's stop() is a no-op until the accept loop runs; wait for it so Stop() always works.
  while (!http.is_running() && !impl->exited.load(std::memory_order_acquire)) {
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  if (!http.is_running()) {
    impl->listener.join();
    return absl::UnavailableError(absl::StrCat("registry REST ", options_.host, ":", bound,
                                               ": accept loop exited at start"));
  }
  port_.store(bound, std::memory_order_release);
  impl_ = std::move(impl);
  spdlog::info("schema registry REST listening on http://{}:{}", options_.host, bound);
  return absl::OkStatus();
}

void RestServer::Stop() {
  if (impl_ == nullptr) return;
  impl_->http.stop();
  impl_->listener.join();
  impl_.reset();
}

}  // namespace eddy::registry
