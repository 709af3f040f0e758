#include "services/gateway/kafka_listener.h"

#include <chrono>
#include <deque>
#include <set>

#include "absl/strings/str_cat.h"
#include "asio.hpp"
#include "spdlog/spdlog.h"

namespace eddy::gateway {

ListenerMetrics::ListenerMetrics(metrics::Registry& registry, const std::string& prefix)
    : connections(registry
                      .AddGauge(prefix + "_kafka_connections",
                                "Open Kafka client connections.")
                      .Get()),
      connections_accepted(registry
                               .AddCounter(prefix + "_kafka_connections_accepted_total",
                                           "Kafka client connections accepted.")
                               .Get()),
      connections_rejected(
          registry
              .AddCounter(prefix + "_kafka_connections_rejected_total",
                          "Kafka client connections closed at once (max-connections-per-ip).")
              .Get()),
      connections_closed_protocol(
          registry
              .AddCounter(prefix + "_kafka_connections_closed_protocol_total",
                          "Kafka connections closed for a protocol violation (bad frame size, "
                          "unparsable request, unknown API or version).")
              .Get()),
      bytes_in(registry
                   .AddCounter(prefix + "_kafka_received_bytes_total",
                               "Bytes received from Kafka clients.")
                   .Get()),
      bytes_out(registry
                    .AddCounter(prefix + "_kafka_sent_bytes_total", "Bytes sent to Kafka clients.")
                    .Get()),
      requests_in_flight(registry
                             .AddGauge(prefix + "_kafka_requests_in_flight",
                                       "Kafka requests received and not yet answered.")
                             .Get()) {}

struct KafkaListener::State {
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{io.get_executor()};
  asio::ip::tcp::acceptor acceptor{io};
  absl::Mutex mu;
  std::set<std::shared_ptr<internal::Connection>> connections ABSL_GUARDED_BY(mu);
  bool stopping ABSL_GUARDED_BY(mu) = false;
};

namespace internal {

using Clock = std::chrono::steady_clock;

// TransferAllAtOnce is asio::transfer_all without its 64 KiB cap per system call: each read or
// write asks for everything still missing, so a 16 MB fetch answer or a 1 MB produce request takes
// as few recv/sendmsg calls (and epoll rounds) as the socket buffers allow, not one per 64 KiB.
struct TransferAllAtOnce {
  size_t total;
  size_t operator()(const std::error_code& ec, size_t transferred) const {
    return ec ? 0 : total - transferred;
  }
};

// Connection serves one client socket on its own strand: ReadLoop reads and dispatches frames,
// WriteLoop writes finished responses in request order, IdleLoop closes an idle connection.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(KafkaListener& listener, asio::ip::tcp::socket socket, std::string ip)
      : listener_(listener),
        options_(listener.options_),
        socket_(std::move(socket)),
        ip_(std::move(ip)),
        wake_writer_(socket_.get_executor()),
        wake_reader_(socket_.get_executor()),
        idle_timer_(socket_.get_executor()) {
    std::error_code ec;
    auto endpoint = socket_.remote_endpoint(ec);
    client_.peer = ec ? ip_ : absl::StrCat(ip_, ":", endpoint.port());
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  }

  void Start() {
    auto self = shared_from_this();
    last_activity_ = Clock::now();
    asio::co_spawn(socket_.get_executor(), [self] { return self->ReadLoop(); }, asio::detached);
    asio::co_spawn(socket_.get_executor(), [self] { return self->WriteLoop(); }, asio::detached);
    asio::co_spawn(socket_.get_executor(), [self] { return self->IdleLoop(); }, asio::detached);
  }

  // CloseSoon closes the connection from any thread.
  void CloseSoon() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->Close(); });
  }

 private:
  struct Slot {
    size_t request_bytes = 0;
    bool done = false;
    std::optional<OutboundFrame> frame;
  };

  void Close() {
    if (closed_) return;
    closed_ = true;
    std::error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    wake_writer_.cancel();
    wake_reader_.cancel();
    idle_timer_.cancel();
    listener_.metrics_.requests_in_flight.Dec(static_cast<double>(slots_.size()));
    slots_.clear();
    listener_.ReleasePeer(ip_);
    listener_.metrics_.connections.Dec();
    auto self = shared_from_this();
    absl::MutexLock lock(&listener_.state_->mu);
    listener_.state_->connections.erase(self);
  }

  void CloseForProtocol(std::string_view why) {
    spdlog::debug("closing Kafka connection {}: {}", client_.peer, why);
    listener_.metrics_.connections_closed_protocol.Inc();
    Close();
  }

  static asio::awaitable<void> Wait(asio::steady_timer& timer) {
    timer.expires_at(asio::steady_timer::time_point::max());
    std::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

  asio::awaitable<void> ReadLoop() {
    std::vector<uint8_t> payload;
    for (;;) {
      while (!closed_ && inflight_bytes_ >= static_cast<size_t>(options_.max_inflight_bytes) &&
             !slots_.empty()) {
        co_await Wait(wake_reader_);
      }
      if (closed_) co_return;
      uint8_t size_bytes[4];
      std::error_code ec;
      co_await asio::async_read(socket_, asio::buffer(size_bytes),
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec || closed_) {
        Close();
        co_return;
      }
      const int32_t size = static_cast<int32_t>(
          (uint32_t{size_bytes[0]} << 24) | (uint32_t{size_bytes[1]} << 16) |
          (uint32_t{size_bytes[2]} << 8) | uint32_t{size_bytes[3]});
      if (size < 0 || size > options_.max_frame_bytes) {
        CloseForProtocol(absl::StrCat("frame size ", size, " outside [0, ",
                                      options_.max_frame_bytes, "]"));
        co_return;
      }
      payload.resize(static_cast<size_t>(size));
      co_await asio::async_read(socket_, asio::buffer(payload), TransferAllAtOnce{payload.size()},
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec || closed_) {
        Close();
        co_return;
      }
      last_activity_ = Clock::now();
      listener_.metrics_.bytes_in.Inc(4.0 + size);
      const size_t index = slots_.size();
      const uint64_t seq = first_seq_ + index;
      slots_.push_back(Slot{.request_bytes = payload.size() + 4});
      inflight_bytes_ += payload.size() + 4;
      listener_.metrics_.requests_in_flight.Inc();
      std::weak_ptr<Connection> weak = weak_from_this();
      auto executor = socket_.get_executor();
      absl::Status status = listener_.dispatcher_.Dispatch(
          client_, payload, [weak, executor, seq](ResponseFrame frame) {
            asio::post(executor, [weak, seq, frame = std::move(frame)]() mutable {
              if (auto self = weak.lock()) self->Complete(seq, std::move(frame));
            });
          });
      if (payload.capacity() > (1u << 20)) payload = std::vector<uint8_t>();
      if (!status.ok()) {
        CloseForProtocol(status.ToString());
        co_return;
      }
    }
  }

  void Complete(uint64_t seq, ResponseFrame frame) {
    if (closed_ || seq < first_seq_ || seq - first_seq_ >= slots_.size()) return;
    if (!frame.ok()) {
      CloseForProtocol(frame.status().ToString());
      return;
    }
    Slot& slot = slots_[seq - first_seq_];
    slot.done = true;
    slot.frame = *std::move(frame);
    if (slot.frame.has_value()) inflight_bytes_ += slot.frame->size();
    if (seq == first_seq_) wake_writer_.cancel();
  }

  asio::awaitable<void> WriteLoop() {
    std::vector<OutboundFrame> batch;
    std::vector<asio::const_buffer> buffers;
    for (;;) {
      while (!closed_ && (slots_.empty() || !slots_.front().done)) co_await Wait(wake_writer_);
      if (closed_) co_return;
      batch.clear();
      size_t released = 0;
      while (!slots_.empty() && slots_.front().done) {
        Slot& slot = slots_.front();
        released += slot.request_bytes;
        if (slot.frame.has_value()) {
          released += slot.frame->size();
          batch.push_back(std::move(*slot.frame));
        }
        slots_.pop_front();
        ++first_seq_;
        listener_.metrics_.requests_in_flight.Dec();
      }
      if (!batch.empty()) {
        buffers.clear();
        size_t bytes = 0;
        for (const OutboundFrame& frame : batch) {
          frame.ForEachRun([&](std::string_view run) {
            buffers.push_back(asio::buffer(run.data(), run.size()));
            bytes += run.size();
          });
        }
        std::error_code ec;
        co_await asio::async_write(socket_, buffers, TransferAllAtOnce{bytes},
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec || closed_) {
          Close();
          co_return;
        }
        listener_.metrics_.bytes_out.Inc(static_cast<double>(bytes));
        last_activity_ = Clock::now();
      }
      inflight_bytes_ -= std::min(inflight_bytes_, released);
      wake_reader_.cancel();
    }
  }

  asio::awaitable<void> IdleLoop() {
    const auto max_idle = std::chrono::milliseconds(options_.max_idle_ms);
    while (!closed_) {
      idle_timer_.expires_at(last_activity_ + max_idle);
      std::error_code ec;
      co_await idle_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (closed_) co_return;
      if (slots_.empty() && Clock::now() - last_activity_ >= max_idle) {
        spdlog::debug("closing idle Kafka connection {}", client_.peer);
        Close();
        co_return;
      }
      if (!slots_.empty()) last_activity_ = Clock::now();
    }
  }

  KafkaListener& listener_;
  const KafkaListenerOptions& options_;
  asio::ip::tcp::socket socket_;
  const std::string ip_;
  ClientInfo client_;
  asio::steady_timer wake_writer_;
  asio::steady_timer wake_reader_;
  asio::steady_timer idle_timer_;
  std::deque<Slot> slots_;
  uint64_t first_seq_ = 0;
  size_t inflight_bytes_ = 0;
  bool closed_ = false;
  Clock::time_point last_activity_;
};

}  // namespace internal

KafkaListener::KafkaListener(KafkaListenerOptions options, RequestDispatcher& dispatcher,
                             ListenerMetrics& metrics)
    : options_(std::move(options)),
      dispatcher_(dispatcher),
      metrics_(metrics),
      state_(std::make_unique<State>()) {}

KafkaListener::~KafkaListener() { Stop(); }

asio::io_context& KafkaListener::io_context() { return state_->io; }

int KafkaListener::connections() const {
  absl::MutexLock lock(&mu_);
  return total_;
}

bool KafkaListener::AdmitPeer(const std::string& ip) {
  absl::MutexLock lock(&mu_);
  int& count = per_ip_[ip];
  if (count >= options_.max_connections_per_ip) {
    if (count == 0) per_ip_.erase(ip);
    return false;
  }
  ++count;
  ++total_;
  return true;
}

void KafkaListener::ReleasePeer(const std::string& ip) {
  absl::MutexLock lock(&mu_);
  auto it = per_ip_.find(ip);
  if (it == per_ip_.end()) return;
  --total_;
  if (--it->second == 0) per_ip_.erase(it);
}

absl::Status KafkaListener::Start() {
  std::error_code ec;
  asio::ip::address address = asio::ip::make_address(options_.host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad Kafka listen host ", options_.host));
  asio::ip::tcp::endpoint endpoint(address, static_cast<uint16_t>(options_.port));
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot listen for Kafka clients on ",
                                               options_.host, ":", options_.port, ": ",
                                               ec.message()));
  }
  port_ = acceptor.local_endpoint().port();
  asio::co_spawn(
      state_->io,
      [this]() -> asio::awaitable<void> {
        for (;;) {
          std::error_code ec;
          asio::ip::tcp::socket socket = co_await state_->acceptor.async_accept(
              asio::make_strand(state_->io), asio::redirect_error(asio::use_awaitable, ec));
          if (ec) {
            if (!state_->acceptor.is_open()) co_return;
            // Out of file descriptors (EMFILE) and the like: back off instead of spinning.
            spdlog::warn("accepting a Kafka connection failed: {}", ec.message());
            asio::steady_timer pause(state_->io, std::chrono::milliseconds(50));
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
          }
          std::error_code peer_ec;
          std::string ip = socket.remote_endpoint(peer_ec).address().to_string();
          if (peer_ec) continue;
          if (!AdmitPeer(ip)) {
            metrics_.connections_rejected.Inc();
            socket.close(peer_ec);
            continue;
          }
          metrics_.connections_accepted.Inc();
          metrics_.connections.Inc();
          auto connection = std::make_shared<internal::Connection>(*this, std::move(socket), ip);
          {
            absl::MutexLock lock(&state_->mu);
            if (state_->stopping) {
              connection->CloseSoon();
              co_return;
            }
            state_->connections.insert(connection);
          }
          connection->Start();
        }
      },
      asio::detached);
  for (int i = 0; i < options_.threads; ++i) {
    threads_.emplace_back([this] { state_->io.run(); });
  }
  spdlog::info("Kafka listener on {}:{}", options_.host, port_);
  return absl::OkStatus();
}

void KafkaListener::Stop() {
  if (threads_.empty()) return;
  std::set<std::shared_ptr<internal::Connection>> connections;
  {
    absl::MutexLock lock(&state_->mu);
    state_->stopping = true;
    connections = state_->connections;
  }
  asio::post(state_->io, [this] {
    std::error_code ec;
    state_->acceptor.close(ec);
  });
  for (const auto& connection : connections) connection->CloseSoon();
  connections.clear();
  state_->work.reset();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace eddy::gateway
