// kafka_capture_proxy: a loopback TCP proxy between a Kafka client and one Kafka broker (in tests,
// librdkafka's mock cluster) that records every request and response frame, for golden-byte tests.
// Broker addresses in Metadata and FindCoordinator responses are rewritten to the proxy's own so
// the client keeps talking through it, and a Metadata controller id that names no broker is
// replaced by the first broker's; the recorded bytes are the broker's originals.
//
// CreateTopics: librdkafka 2.0.2's mock cluster does not implement it (its ApiVersions omits key
// 19, so clients refuse to send it). When the broker's ApiVersions answer lacks
// CreateTopics, the proxy adds CreateTopics 0-7 (Eddy's codec range) to the copy it forwards, and
// answers CreateTopics requests itself with a success response encoded by Eddy's codec. The
// client's request bytes are recorded (they are the golden); the synthesized response is not,
// because re-encoding our own encoding proves nothing.
//
// Usage: kafka_capture_proxy <listen_port> <upstream_host> <upstream_port> <out_file>
// Output: one line per frame, "<req|resp> <api_key> <api_version> <hex of header+body>".
// Single-threaded poll loop; runs until killed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "libs/kafka/framing.h"
#include "libs/kafka/headers.h"
#include "libs/kafka/messages/api_versions.h"
#include "libs/kafka/messages/create_topics.h"
#include "libs/kafka/messages/find_coordinator.h"
#include "libs/kafka/messages/metadata.h"

namespace eddy::kafka {
namespace {

struct Connection {
  int client = -1;
  int upstream = -1;
  std::string from_client;
  std::string from_upstream;
  std::map<int32_t, std::pair<int16_t, int16_t>> inflight;  // correlation id → (key, version)
  // Synthesized response frames held back until the requests sent upstream before them have been
  // answered, so the client sees responses in request order (Kafka's per-connection guarantee).
  std::vector<std::string> held;
};

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

int Connect(const std::string& host, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::span<const uint8_t> Span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

template <typename M, typename Fn>
std::string Rewrite(const std::string& payload, int16_t key, int16_t version, Fn&& fn) {
  Reader reader(payload.data(), payload.size());
  auto header = DecodeResponseHeader(reader, key, version);
  if (!header.ok()) return payload;
  auto body = DecodeFull<M>(reader.Rest(), version);
  if (!body.ok()) return payload;
  fn(*body);
  std::string out;
  Writer writer(&out);
  if (!EncodeResponseHeader(*header, key, version, writer).ok() || !body->Encode(writer, version).ok()) {
    return payload;
  }
  return out;
}

// AnswerCreateTopics is the response a one-broker cluster gives when every topic is created: no
// error, the requested partition count and replication factor (1 when the request leaves it to the
// broker, as this broker's default would be), no configs.
absl::StatusOr<std::string> AnswerCreateTopics(const RequestHeader& header,
                                               std::span<const uint8_t> body) {
  auto req = DecodeFull<CreateTopicsRequest>(body, header.api_version);
  if (!req.ok()) return req.status();
  CreateTopicsResponse resp;
  for (const auto& topic : req->topics) {
    CreateTopicsResponse::CreatableTopicResult& result = resp.topics.emplace_back();
    result.name = topic.name;
    result.error_message = std::nullopt;
    result.num_partitions = topic.num_partitions > 0 ? topic.num_partitions : 1;
    result.replication_factor = topic.replication_factor > 0 ? topic.replication_factor : 1;
    result.configs.emplace();
  }
  std::string out;
  Writer writer(&out);
  const ResponseHeader response_header{.correlation_id = header.correlation_id};
  absl::Status s =
      EncodeResponseHeader(response_header, header.api_key, header.api_version, writer);
  if (!s.ok()) return s;
  s = resp.Encode(writer, header.api_version);
  if (!s.ok()) return s;
  return out;
}

// AdvertiseCreateTopics adds CreateTopics to an ApiVersions answer that lacks it, in key order.
void AdvertiseCreateTopics(ApiVersionsResponse& resp) {
  if (resp.error_code != 0) return;
  auto it = resp.api_keys.begin();
  while (it != resp.api_keys.end() && it->api_key < CreateTopicsRequest::kApiKey) ++it;
  if (it != resp.api_keys.end() && it->api_key == CreateTopicsRequest::kApiKey) return;
  ApiVersionsResponse::ApiVersion create_topics;
  create_topics.api_key = CreateTopicsRequest::kApiKey;
  create_topics.min_version = CreateTopicsRequest::kMinVersion;
  create_topics.max_version = CreateTopicsRequest::kMaxVersion;
  resp.api_keys.insert(it, create_topics);
}

class Proxy {
 public:
  Proxy(int listen_port, std::string upstream_host, int upstream_port, FILE* out)
      : listen_port_(listen_port), upstream_host_(std::move(upstream_host)),
        upstream_port_(upstream_port), out_(out) {}

  int Run() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(listen_port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(listener_, 16) != 0) {
      perror("bind/listen");
      return 1;
    }
    while (true) {
      std::vector<pollfd> fds{{listener_, POLLIN, 0}};
      for (auto& c : conns_) {
        fds.push_back({c->client, POLLIN, 0});
        fds.push_back({c->upstream, POLLIN, 0});
      }
      if (poll(fds.data(), fds.size(), -1) < 0) continue;
      if (fds[0].revents & POLLIN) Accept();
      for (size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        Connection* c = conns_[(i - 1) / 2].get();
        if (!Pump(*c, fds[i].fd == c->client)) c->client = -1;
      }
      std::erase_if(conns_, [](const std::unique_ptr<Connection>& c) {
        if (c->client >= 0) return false;
        close(c->upstream);
        return true;
      });
    }
  }

 private:
  void Accept() {
    const int fd = accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    const int up = Connect(upstream_host_, upstream_port_);
    if (up < 0) {
      close(fd);
      return;
    }
    auto c = std::make_unique<Connection>();
    c->client = fd;
    c->upstream = up;
    conns_.push_back(std::move(c));
  }

  // Pump reads from one side and forwards complete frames; false when the connection is done.
  bool Pump(Connection& c, bool from_client) {
    char buf[65536];
    const ssize_t n = read(from_client ? c.client : c.upstream, buf, sizeof(buf));
    if (n <= 0) {
      close(c.client);
      return false;
    }
    std::string& pending = from_client ? c.from_client : c.from_upstream;
    pending.append(buf, static_cast<size_t>(n));
    while (true) {
      auto frame = NextFrame(Span(pending));
      if (!frame.ok()) {
        close(c.client);
        return false;
      }
      if (!frame->has_value()) return true;
      std::string payload(reinterpret_cast<const char*>((*frame)->payload.data()), (*frame)->payload.size());
      pending.erase(0, (*frame)->consumed);
      if (!(from_client ? FromClient(c, payload) : FromUpstream(c, payload))) {
        close(c.client);
        return false;
      }
    }
  }

  bool FromClient(Connection& c, const std::string& payload) {
    Reader reader(payload.data(), payload.size());
    auto header = DecodeRequestHeader(reader);
    int16_t key = -1;
    int16_t version = -1;
    if (header.ok()) {
      key = header->api_key;
      version = header->api_version;
    }
    Record("req", key, version, payload);
    if (key == CreateTopicsRequest::kApiKey) {
      auto answer = AnswerCreateTopics(*header, reader.Rest());
      if (!answer.ok()) {
        std::fprintf(stderr, "CreateTopics v%d: %s\n", version, answer.status().ToString().c_str());
        return false;
      }
      c.held.push_back(*std::move(answer));
      return FlushHeld(c);
    }
    if (header.ok()) c.inflight[header->correlation_id] = {key, version};
    return Forward(c.upstream, payload);
  }

  // FlushHeld sends the held synthesized responses once nothing sent upstream is unanswered.
  bool FlushHeld(Connection& c) {
    if (!c.inflight.empty()) return true;
    for (const std::string& response : c.held) {
      if (!Forward(c.client, response)) return false;
    }
    c.held.clear();
    return true;
  }

  bool FromUpstream(Connection& c, const std::string& payload) {
    int32_t correlation = 0;
    Reader reader(payload.data(), payload.size());
    if (!reader.Int32(correlation, "correlation_id").ok()) return false;
    auto it = c.inflight.find(correlation);
    const auto [key, version] = it != c.inflight.end() ? it->second : std::pair<int16_t, int16_t>{-1, -1};
    if (it != c.inflight.end()) c.inflight.erase(it);
    Record("resp", key, version, payload);
    std::string forward = payload;
    if (key == ApiVersionsResponse::kApiKey) {
      forward = Rewrite<ApiVersionsResponse>(payload, key, version, AdvertiseCreateTopics);
    } else if (key == MetadataResponse::kApiKey) {
      forward = Rewrite<MetadataResponse>(payload, key, version, [&](MetadataResponse& m) {
        bool controller_listed = false;
        for (auto& b : m.brokers) {
          b.host = "127.0.0.1";
          b.port = listen_port_;
          controller_listed |= b.node_id == m.controller_id;
        }
        // librdkafka 2.0.2's mock names controller 0, which is no broker; clients that send
        // controller requests (kafkajs: CreateTopics, InitProducerId) would give up on it.
        if (version >= 1 && !controller_listed && !m.brokers.empty()) {
          m.controller_id = m.brokers.front().node_id;
        }
      });
    } else if (key == FindCoordinatorResponse::kApiKey) {
      forward = Rewrite<FindCoordinatorResponse>(payload, key, version, [&](FindCoordinatorResponse& f) {
        if (version < 4) {  // v4+ carries coordinators[] instead (batched lookups, KIP-699)
          f.host = "127.0.0.1";
          f.port = listen_port_;
        }
        for (auto& co : f.coordinators) {
          co.host = "127.0.0.1";
          co.port = listen_port_;
        }
      });
    }
    return Forward(c.client, forward) && FlushHeld(c);
  }

  bool Forward(int fd, const std::string& payload) {
    std::string frame;
    const size_t start = BeginFrame(frame);
    frame += payload;
    if (!EndFrame(frame, start).ok()) return false;
    return WriteAll(fd, frame);
  }

  void Record(const char* dir, int16_t key, int16_t version, const std::string& payload) {
    std::fprintf(out_, "%s %d %d %s\n", dir, key, version, absl::BytesToHexString(payload).c_str());
    std::fflush(out_);
  }

  int listen_port_;
  std::string upstream_host_;
  int upstream_port_;
  FILE* out_;
  int listener_ = -1;
  std::vector<std::unique_ptr<Connection>> conns_;
};

}  // namespace
}  // namespace eddy::kafka

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s <listen_port> <upstream_host> <upstream_port> <out_file>\n", argv[0]);
    return 2;
  }
  FILE* out = std::fopen(argv[4], "a");
  if (out == nullptr) {
    perror("open");
    return 1;
  }
  eddy::kafka::Proxy proxy(std::atoi(argv[1]), argv[2], std::atoi(argv[3]), out);
  return proxy.Run();
}
