// KafkaTestClient: a blocking loopback Kafka client for the gateway's tests. It writes raw frames
// (so tests can send malformed ones) and reads whole response frames with a time limit.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/kafka/framing.h"
#include "libs/kafka/headers.h"
#include "libs/kafka/writer.h"

namespace eddy::gateway::testing {

class KafkaTestClient {
 public:
  explicit KafkaTestClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~KafkaTestClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  KafkaTestClient(const KafkaTestClient&) = delete;
  KafkaTestClient& operator=(const KafkaTestClient&) = delete;

  bool connected() const { return connected_; }

  bool SendRaw(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // Send frames request `message` at `version` with `correlation_id`.
  template <typename Request>
  bool Send(const Request& message, int16_t version, int32_t correlation_id,
            const std::string& client_id = "test") {
    return SendRaw(Frame(message, version, correlation_id, client_id));
  }

  template <typename Request>
  static std::string Frame(const Request& message, int16_t version, int32_t correlation_id,
                           const std::string& client_id = "test") {
    std::string out;
    const size_t start = kafka::BeginFrame(out);
    kafka::Writer writer(&out);
    kafka::RequestHeader header{.api_key = Request::kApiKey,
                                .api_version = version,
                                .correlation_id = correlation_id,
                                .client_id = client_id};
    kafka::EncodeRequestHeader(header, writer).IgnoreError();
    message.Encode(writer, version).IgnoreError();
    kafka::EndFrame(out, start).IgnoreError();
    return out;
  }

  // ReadFrame returns the next response frame's payload (without the size), or nullopt when the
  // connection closed or `timeout` passed.
  std::optional<std::string> ReadFrame(absl::Duration timeout = absl::Seconds(10)) {
    const absl::Time deadline = absl::Now() + timeout;
    std::string size_bytes;
    if (!ReadExactly(4, deadline, &size_bytes)) return std::nullopt;
    const uint32_t size = (uint32_t{static_cast<uint8_t>(size_bytes[0])} << 24) |
                          (uint32_t{static_cast<uint8_t>(size_bytes[1])} << 16) |
                          (uint32_t{static_cast<uint8_t>(size_bytes[2])} << 8) |
                          uint32_t{static_cast<uint8_t>(size_bytes[3])};
    std::string payload;
    if (!ReadExactly(size, deadline, &payload)) return std::nullopt;
    return payload;
  }

  // Closed waits until the peer closed the connection (true) or `timeout` passed (false).
  bool Closed(absl::Duration timeout = absl::Seconds(10)) {
    const absl::Time deadline = absl::Now() + timeout;
    for (;;) {
      pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
      const int wait_ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
      if (wait_ms <= 0) return false;
      if (::poll(&p, 1, wait_ms) <= 0) return false;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return true;
    }
  }

 private:
  bool ReadExactly(size_t n, absl::Time deadline, std::string* out) {
    out->clear();
    while (out->size() < n) {
      pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
      const int wait_ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
      if (wait_ms <= 0 || ::poll(&p, 1, wait_ms) <= 0) return false;
      char buf[65536];
      ssize_t got = ::recv(fd_, buf, std::min(sizeof(buf), n - out->size()), 0);
      if (got <= 0) return false;
      out->append(buf, static_cast<size_t>(got));
    }
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
};

// CorrelationId reads the correlation id at the start of a response payload.
inline int32_t CorrelationId(const std::string& payload) {
  return static_cast<int32_t>((uint32_t{static_cast<uint8_t>(payload[0])} << 24) |
                              (uint32_t{static_cast<uint8_t>(payload[1])} << 16) |
                              (uint32_t{static_cast<uint8_t>(payload[2])} << 8) |
                              uint32_t{static_cast<uint8_t>(payload[3])});
}

}  // namespace eddy::gateway::testing
