#include "services/registry/rest_server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <exception>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/registry/registry_errors.h"
#include "services/registry/rest_json.h"
#include "spdlog/spdlog.h"

namespace eddy::registry {
namespace {

constexpr char kV1Json[] = "application/vnd.schemaregistry.v1+json";
constexpr char kAnyJson[] = "application/vnd.schemaregistry+json";
constexpr char kPlainJson[] = "application/json";
constexpr char kOctetStream[] = "application/octet-stream";

// MediaType returns the lower-cased type/subtype of a header value item, without parameters.
std::string MediaType(absl::string_view item) {
  return absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(item.substr(0, std::min(item.find(';'), item.size()))));
}

// NegotiateResponseType returns the response media type for an Accept header, or "" for 406.
std::string NegotiateResponseType(const std::string& accept) {
  if (accept.empty()) return kV1Json;
  bool wildcard = false;
  for (absl::string_view item : absl::StrSplit(accept, ',')) {
    const std::string type = MediaType(item);
    if (type == kV1Json || type == kAnyJson || type == kPlainJson) return type;
    if (type == "*/*" || type == "application/*") wildcard = true;
  }
  return wildcard ? kV1Json : "";
}

bool AcceptedRequestType(const std::string& content_type) {
  if (content_type.empty()) return true;
  const std::string type = MediaType(content_type);
  return type == kV1Json || type == kAnyJson || type == kPlainJson || type == kOctetStream;
}

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
                       RegistryMetrics& metrics)
    : options_(std::move(options)), router_(router), metrics_(metrics) {}

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
    std::string route = "unknown";
    const std::string content_type = NegotiateResponseType(req.get_header_value("Accept"));
    int status = 200;
    std::string body;
    if (content_type.empty()) {
      status = 406;
      body = ErrorBody(406, "HTTP 406 Not Acceptable");
    } else {
      // HEAD is GET without the body (httplib drops it), as JAX-RS provides it.
      RestRouter::Match match =
          router_.Find(req.method == "HEAD" ? std::string_view("GET") : req.method, RawPath(req));
      if (match.route == nullptr) {
        status = match.path_known ? 405 : 404;
        body = ErrorBody(status, match.path_known ? "HTTP 405 Method Not Allowed"
                                                  : "HTTP 404 Not Found");
      } else if ((req.method == "POST" || req.method == "PUT") &&
                 !AcceptedRequestType(req.get_header_value("Content-Type"))) {
        route = match.route->pattern;
        status = 415;
        body = ErrorBody(415, "HTTP 415 Unsupported Media Type");
      } else {
        route = match.route->pattern;
        RestRequest request{std::move(match.params),
                            std::multimap<std::string, std::string>(req.params.begin(),
                                                                    req.params.end()),
                            req.body};
        absl::StatusOr<RestReply> reply = absl::InternalError("no answer");
        try {
          reply = match.route->handler(request);
        } catch (const std::exception& e) {
          // Handlers report errors as Status; an exception here is a bug, answered as Confluent
          // answers unexpected failures rather than ending the process.
          spdlog::error("registry REST {} {}: {}", req.method, req.path, e.what());
          reply = absl::InternalError(absl::StrCat("Internal Server Error: ", e.what()));
        }
        if (reply.ok()) {
          status = reply->status;
          body = std::move(reply->body);
        } else {
          const int code = ErrorCodeOf(reply.status());
          status = HttpStatusFor(code);
          body = ErrorBody(code, std::string(reply.status().message()));
        }
      }
    }
    res.status = status;
    res.set_content(body, content_type.empty() ? kV1Json : content_type.c_str());
    metrics_.ObserveRequest(route, req.method, status,
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
