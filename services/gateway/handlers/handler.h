// The plumbing every Kafka API handler shares. A handler decodes its request body (a malformed
// body is a non-OK status: the connection closes, as Kafka does), does its work synchronously or
// on another thread, and answers exactly once through its Responder, which encodes the response
// header and body at the request's version and records latency and error metrics.
// Kafka errors are response data (STYLE.md): handlers put codes in the response and succeed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "libs/kafka/framing.h"
#include "libs/kafka/headers.h"
#include "libs/kafka/reader.h"
#include "libs/kafka/writer.h"
#include "services/runtime/broker_data_path.h"
#include "services/gateway/cluster_view.h"
#include "services/gateway/gateway_config.h"
#include "services/gateway/gateway_metrics.h"
#include "services/gateway/request_dispatcher.h"

namespace eddy::gateway {

class ControllerCalls;
class CoordinatorCalls;
class ProducerIdBlocks;

// ClusterViewSource hands out the current cluster view (MetadataFollower in the daemon, a fixed
// view in unit tests).
class ClusterViewSource {
 public:
  virtual ~ClusterViewSource() = default;
  virtual std::shared_ptr<const ClusterView> Current() const = 0;
  // WaitForOffset blocks (off the event loop) until the view holds metadata offset `offset`.
  virtual bool WaitForOffset(int64_t offset, absl::Duration timeout) const = 0;
};

// GatewayContext is what handlers may use; owned by the daemon, outlives every request.
struct GatewayContext {
  GatewayConfig config;
  int32_t node_id = 0;
  ClusterViewSource* metadata = nullptr;
  ControllerCalls* controller = nullptr;  // null in unit tests without a controller
  runtime::BrokerDataPath* brokers = nullptr;
  ProducerIdBlocks* producer_ids = nullptr;
  CoordinatorCalls* coordinators = nullptr;  // null: group APIs answer COORDINATOR_NOT_AVAILABLE
  GatewayMetrics* metrics = nullptr;

  absl::Duration InternalTimeout() const {
    return absl::Milliseconds(config.internal_request_timeout_ms);
  }
};

// Responder answers one request. Copyable so it can ride into callbacks; answer once.
class Responder {
 public:
  Responder(const kafka::RequestHeader& header, Completion done, GatewayMetrics* metrics)
      : api_key_(header.api_key),
        version_(header.api_version),
        correlation_id_(header.correlation_id),
        done_(std::move(done)),
        metrics_(metrics),
        start_(std::chrono::steady_clock::now()) {}

  int16_t version() const { return version_; }
  int16_t api_key() const { return api_key_; }

  // Respond encodes `response` at the request's version and completes the request.
  template <typename Response>
  void Respond(const Response& response) const {
    OutboundFrame frame;
    frame.encoded.reserve(response.EncodedSize(version_) + 16);
    absl::Status status = Encode(response, frame, nullptr);
    Finish(status.ok() ? ResponseFrame(std::move(frame)) : ResponseFrame(status));
  }

  // RespondSpliced is Respond without copying byte fields of kSpliceMinBytes or more (fetched
  // records) into the frame: the frame points into `response` and keeps it alive until written.
  template <typename Response>
  void RespondSpliced(std::shared_ptr<const Response> response) const {
    OutboundFrame frame;
    absl::Status status = Encode(*response, frame, &frame.splices);
    frame.keep_alive = std::move(response);
    Finish(status.ok() ? ResponseFrame(std::move(frame)) : ResponseFrame(status));
  }

  // kSpliceMinBytes: smaller fields are cheaper to copy than to write as their own iovec.
  static constexpr size_t kSpliceMinBytes = 4096;

  // RespondRaw completes with an already encoded frame (ApiVersions' fixed v0 error answer).
  void RespondRaw(std::string frame) const {
    Finish(ResponseFrame(OutboundFrame(std::move(frame))));
  }
  // NoResponse completes a request Kafka does not answer (Produce acks=0).
  void NoResponse() const { Finish(ResponseFrame(std::nullopt)); }
  // Fail closes the connection instead of answering.
  void Fail(absl::Status status) const { Finish(ResponseFrame(std::move(status))); }

  // Error counts a non-zero Kafka error code this response carries.
  void Error(int16_t code) const {
    if (metrics_ != nullptr) metrics_->Error(api_key_, code);
  }

 private:
  template <typename Response>
  absl::Status Encode(const Response& response, OutboundFrame& frame,
                      std::vector<kafka::Splice>* splices) const {
    const size_t start = kafka::BeginFrame(frame.encoded);
    kafka::Writer writer(&frame.encoded);
    if (splices != nullptr) writer.SpliceBytesFrom(kSpliceMinBytes, splices);
    absl::Status status = kafka::EncodeResponseHeader(
        kafka::ResponseHeader{.correlation_id = correlation_id_}, api_key_, version_, writer);
    if (status.ok()) status = response.Encode(writer, version_);
    if (status.ok()) status = kafka::EndFrame(frame.encoded, start, writer.spliced_bytes());
    return status;
  }

  void Finish(ResponseFrame frame) const {
    if (metrics_ != nullptr) {
      metrics_->Latency(api_key_, std::chrono::duration<double>(
                                      std::chrono::steady_clock::now() - start_)
                                      .count());
    }
    done_(std::move(frame));
  }

  int16_t api_key_;
  int16_t version_;
  int32_t correlation_id_;
  Completion done_;
  GatewayMetrics* metrics_;
  std::chrono::steady_clock::time_point start_;
};

// Handler decodes the body from `body` and answers through `responder`.
using Handler = absl::Status (*)(GatewayContext& context, ClientInfo& client,
                                 const kafka::RequestHeader& header, kafka::Reader& body,
                                 Responder responder);

// DecodeBody decodes the whole remaining body as `Request` at the header's version.
template <typename Request>
absl::StatusOr<Request> DecodeBody(const kafka::RequestHeader& header, kafka::Reader& body) {
  Request request;
  if (absl::Status s = request.Decode(body, header.api_version); !s.ok()) return s;
  if (body.remaining() != 0) {
    return absl::InvalidArgumentError(
        std::string(Request::kName) + ": " + std::to_string(body.remaining()) + " trailing bytes");
  }
  return request;
}

// The handlers, one per file under handlers/.
absl::Status HandleApiVersions(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                               kafka::Reader&, Responder);
absl::Status HandleMetadata(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                            kafka::Reader&, Responder);
absl::Status HandleFindCoordinator(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                   kafka::Reader&, Responder);
absl::Status HandleDescribeCluster(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                   kafka::Reader&, Responder);
absl::Status HandleCreateTopics(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                kafka::Reader&, Responder);
absl::Status HandleDeleteTopics(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                kafka::Reader&, Responder);
absl::Status HandleCreatePartitions(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                    kafka::Reader&, Responder);
absl::Status HandleDescribeConfigs(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                   kafka::Reader&, Responder);
absl::Status HandleAlterConfigs(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                kafka::Reader&, Responder);
absl::Status HandleIncrementalAlterConfigs(GatewayContext&, ClientInfo&,
                                           const kafka::RequestHeader&, kafka::Reader&, Responder);
absl::Status HandleElectLeaders(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                kafka::Reader&, Responder);
absl::Status HandleDescribeLogDirs(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                   kafka::Reader&, Responder);
absl::Status HandleProduce(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                           kafka::Reader&, Responder);
absl::Status HandleFetch(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                         kafka::Reader&, Responder);
absl::Status HandleListOffsets(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                               kafka::Reader&, Responder);
absl::Status HandleDeleteRecords(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                 kafka::Reader&, Responder);
absl::Status HandleOffsetForLeaderEpoch(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                        kafka::Reader&, Responder);
absl::Status HandleInitProducerId(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                  kafka::Reader&, Responder);
absl::Status HandleJoinGroup(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                             kafka::Reader&, Responder);
absl::Status HandleSyncGroup(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                             kafka::Reader&, Responder);
absl::Status HandleHeartbeat(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                             kafka::Reader&, Responder);
absl::Status HandleLeaveGroup(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                              kafka::Reader&, Responder);
absl::Status HandleOffsetCommit(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                kafka::Reader&, Responder);
absl::Status HandleOffsetFetch(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                               kafka::Reader&, Responder);
absl::Status HandleOffsetDelete(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                kafka::Reader&, Responder);
absl::Status HandleDeleteGroups(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                kafka::Reader&, Responder);
absl::Status HandleDescribeGroups(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                                  kafka::Reader&, Responder);
absl::Status HandleListGroups(GatewayContext&, ClientInfo&, const kafka::RequestHeader&,
                              kafka::Reader&, Responder);

}  // namespace eddy::gateway
