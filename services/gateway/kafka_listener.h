// KafkaListener: the gateway's Kafka wire-protocol TCP server (Asio, C++20 coroutines). Per
// connection it reads frames, hands each to the RequestDispatcher, keeps many requests in flight
// and writes the responses strictly in request order, as Kafka requires (protocol guide: "the
// server guarantees that on a single TCP connection, requests will be processed in the order they
// are sent and responses will return in that order").
//
// Limits, as Kafka's SocketServer applies them:
//  - a frame size above socket.request.max.bytes (or negative) closes the connection before any
//    allocation;
//  - backpressure: while a connection's requests in flight hold more than
//    max_inflight_bytes_per_connection, the listener stops reading from it (TCP pushes back);
//  - connections.max.idle.ms: a connection with nothing in flight and no traffic that long closes;
//  - max.connections.per.ip: connections beyond the limit from one address are closed at once.
// Nothing on the event loop blocks: dispatchers complete requests from other threads and the
// completion is posted back to the connection's strand.
//
// Thread-safety: Start/Stop from one thread; the rest runs on the listener's threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "libs/metrics/registry.h"
#include "services/gateway/request_dispatcher.h"

namespace asio {
class io_context;
}

namespace eddy::gateway {

struct KafkaListenerOptions {
  std::string host = "127.0.0.1";
  int port = 9092;  // 0: ephemeral
  int32_t max_frame_bytes = 104857600;
  int64_t max_idle_ms = 600000;
  int32_t max_connections_per_ip = 1000;
  int64_t max_inflight_bytes = 64LL << 20;
  int threads = 2;
};

// ListenerMetrics are the connection-level series (request-level ones belong to the dispatcher).
struct ListenerMetrics {
  explicit ListenerMetrics(metrics::Registry& registry, const std::string& prefix);
  metrics::Gauge& connections;
  metrics::Counter& connections_accepted;
  metrics::Counter& connections_rejected;
  metrics::Counter& connections_closed_protocol;
  metrics::Counter& bytes_in;
  metrics::Counter& bytes_out;
  metrics::Gauge& requests_in_flight;
};

namespace internal {
class Connection;
}

class KafkaListener {
 public:
  KafkaListener(KafkaListenerOptions options, RequestDispatcher& dispatcher,
                ListenerMetrics& metrics);
  ~KafkaListener();

  KafkaListener(const KafkaListener&) = delete;
  KafkaListener& operator=(const KafkaListener&) = delete;

  // Start binds host:port and starts the event-loop threads; the error names the address.
  absl::Status Start();
  // Stop closes the listening socket and every connection and joins the threads.
  void Stop();
  // port is the bound port (the ephemeral one when options.port was 0).
  int port() const { return port_; }
  // io_context runs the event loop; other components may post timers to it.
  asio::io_context& io_context();
  // connections is the number of open client connections.
  int connections() const;

 private:
  struct State;
  friend class internal::Connection;
  // AdmitPeer counts a connection from `ip`; false when the per-IP limit is reached.
  bool AdmitPeer(const std::string& ip);
  void ReleasePeer(const std::string& ip);

  const KafkaListenerOptions options_;
  RequestDispatcher& dispatcher_;
  ListenerMetrics& metrics_;
  std::unique_ptr<State> state_;
  int port_ = 0;
  std::vector<std::thread> threads_;

  mutable absl::Mutex mu_;
  std::map<std::string, int> per_ip_ ABSL_GUARDED_BY(mu_);
  int total_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace eddy::gateway
