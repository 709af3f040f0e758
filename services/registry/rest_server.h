// RestServer: the registry's Confluent-compatible HTTP API (default port 8081) on cpp-httplib.
// It owns the listener and its worker pool and hands every request to Dispatch (rest_dispatch.h:
// content negotiation, Confluent error bodies, forwarding of writes); requests httplib refuses
// before routing (an oversized body, a bad request line) get the same error body. Metrics:
// requests by route, method and status, latency by route (RegistryMetrics).
//
// Keep-alive connections are served until idle for keep_alive_seconds; each open connection holds
// one worker thread (httplib's model), so `threads` bounds concurrent clients.
//
// Lifecycle: construct, Start() (binds synchronously), Stop() or destroy. Thread-safety: Start and
// Stop from one thread; handlers run concurrently on the pool.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "services/registry/registry_metrics.h"
#include "services/registry/rest_dispatch.h"
#include "services/registry/rest_router.h"

namespace eddy::registry {

struct RestServerOptions {
  std::string host = "127.0.0.1";
  int port = 8081;  // 0: ephemeral
  int threads = 32;
  int64_t max_body_bytes = 32 << 20;
  int keep_alive_seconds = 30;
};

class RestServer {
 public:
  // `router`, `metrics` and `forwarder` (null: every write runs here) must outlive the server.
  RestServer(RestServerOptions options, const RestRouter& router, RegistryMetrics& metrics,
             RestForwarder* forwarder = nullptr);
  ~RestServer();
  RestServer(const RestServer&) = delete;
  RestServer& operator=(const RestServer&) = delete;

  // Start binds host:port and serves. kUnavailable names the address when it cannot bind.
  absl::Status Start();
  int port() const { return port_.load(std::memory_order_acquire); }
  // Stop closes the listener and joins the workers. Idempotent.
  void Stop();

 private:
  class Impl;
  const RestServerOptions options_;
  const RestRouter& router_;
  RegistryMetrics& metrics_;
  RestForwarder* const forwarder_;
  std::atomic<int> port_{0};
  std::unique_ptr<Impl> impl_;
};

}  // namespace eddy::registry
