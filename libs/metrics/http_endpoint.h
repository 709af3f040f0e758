#pragma once

// HttpEndpoint is a daemon's operational HTTP port: GET /metrics renders the Registry in the
// Prometheus text format 0.0.4, GET /healthz answers 200 "ok" while the process serves (liveness),
// GET /readyz answers 200 "ready" once SetReady(true) and 503 "not ready" before (readiness); any
// other path is 404. It runs cpp-httplib on its own small thread pool, independent of the daemon's
// data path, so a wedged data path still answers /healthz and /metrics.
//
// Lifecycle: construct, Start() (binds synchronously, so a taken port fails at startup), then
// Stop() or destroy. The Registry must outlive the endpoint.

#include <atomic>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "libs/metrics/registry.h"

namespace eddy::metrics {

class HttpEndpoint {
 public:
  // `port` 0 picks an ephemeral port; read it back with port() after Start().
  HttpEndpoint(Registry& registry, std::string host, int port);
  // Stops the server (see Stop).
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // Start binds host:port and starts serving. Errors name host:port: kInvalidArgument for a port
  // outside [0, 65535] or an empty host, kUnavailable if the address cannot be bound (taken,
  // unresolvable), kFailedPrecondition if already started.
  absl::Status Start();
  // port returns the bound port (0 before Start).
  int port() const { return bound_port_.load(std::memory_order_acquire); }
  // SetReady flips /readyz between 503 and 200. Thread-safe.
  void SetReady(bool ready) { ready_.store(ready, std::memory_order_release); }
  // Stop closes the listening socket and joins the server threads. Idempotent; new connections are
  // refused once it returns.
  void Stop();

 private:
  class Server;

  Registry& registry_;
  const std::string host_;
  const int requested_port_;
  std::atomic<int> bound_port_{0};
  std::atomic<bool> ready_{false};
  absl::Mutex mu_;
  std::unique_ptr<Server> server_ ABSL_GUARDED_BY(mu_);
};

}  // namespace eddy::metrics
