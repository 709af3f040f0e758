// GrpcTransport carries a Raft group's messages over eddy.v1.RaftService
// (proto/eddy/v1/raft.proto). Each node keeps one long-lived client stream to each peer and writes
// batches on it: whatever queued while the previous write was in flight goes out as one
// RaftMessageBatch, so a busy leader pays per batch, not per message (a streamed message costs ~14
// us against ~95 us for a unary call, per the design brief). A peer's replies come back on the
// peer's own stream to us.
//
// Per peer, a sender thread owns the stream. Send only appends to that peer's bounded queue and
// drops the message when the queue is full (Raft retransmits). A failed stream is finished and
// reopened after a delay from libs/common Backoff (reset by a successful write); every stream has a
// deadline (stream_lifetime) after which it is simply reopened, so no call lives unbounded.
// Incoming streams are served by service() (callback API), which decodes each batch and hands its
// messages to the receiver; a batch addressed to another node id ends the stream with
// FAILED_PRECONDITION (a misconfigured peer list), an undecodable one with INVALID_ARGUMENT.
//
// Lifecycle: construct, AddService(service()) to the member's GrpcServer, SetPeer for each peer,
// then Send. REQUIRES: the GrpcServer serving service() is shut down before this is destroyed.
// Thread-safety: all methods are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/backoff.h"
#include "libs/raft/transport.h"
#include "libs/rpc/channel_cache.h"

namespace grpc {
class Service;
}  // namespace grpc

namespace eddy::raft {

struct GrpcTransportOptions {
  NodeId self;                         // this node; positive
  size_t max_queued_messages = 4096;   // per peer; Send drops beyond it; > 0
  size_t max_queued_bytes = 64 << 20;  // entry + chunk bytes queued per peer; Send drops beyond
  size_t max_batch_bytes = 4 << 20;    // entry + chunk bytes per batch (>= 1 message)
  absl::Duration stream_lifetime = absl::Minutes(10);  // deadline of each stream; > 0
  common::BackoffPolicy reconnect{.initial = absl::Milliseconds(50), .max = absl::Seconds(2)};

  absl::Status Validate() const;
};

// GrpcTransportStats: counters since construction, for metrics and tests.
struct GrpcTransportStats {
  uint64_t sent_messages = 0;      // written to a stream (not necessarily received)
  uint64_t dropped_messages = 0;   // queue full, unknown peer, or lost with a failed stream
  uint64_t received_messages = 0;  // handed to the receiver
  uint64_t streams_opened = 0;
};

class GrpcTransport final : public Transport {
 public:
  // REQUIRES: options.Validate() is OK.
  GrpcTransport(GrpcTransportOptions options, rpc::ChannelCache& channels);
  ~GrpcTransport() override;

  GrpcTransport(const GrpcTransport&) = delete;
  GrpcTransport& operator=(const GrpcTransport&) = delete;

  // service is the RaftService to register with the member's GrpcServer.
  grpc::Service* service();

  // SetPeer adds peer `id` at `target` ("host:port") or moves it there (its stream restarts).
  void SetPeer(NodeId id, std::string target);
  // RemovePeer stops sending to `id` (a removed voter); queued messages are dropped.
  void RemovePeer(NodeId id);

  void SetReceiver(Receiver receiver) override;
  void Send(Message message) override;

  // Shutdown stops every sender thread (cancelling streams in flight) and delivery. Idempotent.
  void Shutdown();

  GrpcTransportStats stats() const;

 private:
  class Peer;
  class Service;

  // Deliver hands an incoming message to the receiver, if any (none after Shutdown).
  void Deliver(Message message);
  void CountSent(uint64_t n);
  void CountDropped(uint64_t n);

  const GrpcTransportOptions options_;
  rpc::ChannelCache& channels_;
  std::unique_ptr<Service> service_;

  mutable absl::Mutex mu_;
  std::map<NodeId, std::unique_ptr<Peer>> peers_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  GrpcTransportStats stats_ ABSL_GUARDED_BY(mu_);

  // Held while the receiver runs, so SetReceiver and Shutdown can promise it has stopped.
  absl::Mutex receiver_mu_;
  Receiver receiver_ ABSL_GUARDED_BY(receiver_mu_);
};

}  // namespace eddy::raft
