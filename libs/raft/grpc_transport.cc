#include "libs/raft/grpc_transport.h"

#include <grpcpp/client_context.h>
#include <grpcpp/support/server_callback.h>
#include <spdlog/spdlog.h>

#include <deque>
#include <thread>
#include <utility>
#include <vector>

#include "libs/raft/codec.h"
#include "proto/eddy/v1/raft.grpc.pb.h"

namespace eddy::raft {
namespace {

size_t PayloadBytes(const Message& m) {
  size_t bytes = m.chunk.size();
  for (const Entry& e : m.entries) bytes += e.data.size();
  return bytes;
}

}  // namespace

// Peer owns the stream to one peer and the thread that writes it.
class GrpcTransport::Peer {
 public:
  Peer(GrpcTransport& transport, NodeId id, std::string target)
      : transport_(transport), id_(id), target_(std::move(target)), thread_([this] { Run(); }) {}

  ~Peer() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      // Unblocks a Write stuck on flow control or an unresponsive peer.
      if (active_ != nullptr) active_->TryCancel();
    }
    thread_.join();
  }

  const std::string& target() const { return target_; }

  // Enqueue returns false (the message is dropped) when the queue is full.
  bool Enqueue(Message message) {
    absl::MutexLock lock(&mu_);
    const size_t bytes = PayloadBytes(message);
    // An empty queue takes any one message, so a snapshot chunk larger than the byte bound still
    // goes out.
    if (!queue_.empty() && (queue_.size() >= transport_.options_.max_queued_messages ||
                            queued_bytes_ + bytes > transport_.options_.max_queued_bytes)) {
      return false;
    }
    queued_bytes_ += bytes;
    queue_.push_back(std::move(message));
    return true;
  }

 private:
  // TakeBatch waits for messages and moves up to max_batch_bytes of them (at least one) to
  // `batch`. False when stopping.
  bool TakeBatch(std::vector<Message>* batch) {
    batch->clear();
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
    mu_.Await(absl::Condition(&ready));
    if (stopping_) return false;
    size_t bytes = 0;
    while (!queue_.empty()) {
      const size_t next = PayloadBytes(queue_.front());
      if (!batch->empty() && bytes + next > transport_.options_.max_batch_bytes) break;
      bytes += next;
      queued_bytes_ -= next;
      batch->push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    return true;
  }

  // Pause waits `delay` unless stopped first; false when stopping.
  bool Pause(absl::Duration delay) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), delay);
    return !stopping_;
  }

  // Open starts a stream; false when stopping.
  bool Open(eddy::v1::RaftService::Stub& stub) {
    context_ = std::make_unique<grpc::ClientContext>();
    stream_deadline_ = absl::Now() + transport_.options_.stream_lifetime;
    context_->set_deadline(absl::ToChronoTime(stream_deadline_));
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return false;
      active_ = context_.get();
    }
    writer_ = stub.Stream(context_.get(), &summary_);
    absl::MutexLock lock(&transport_.mu_);
    ++transport_.stats_.streams_opened;
    return true;
  }

  // Close ends the stream: gracefully (the peer sees end-of-stream) or by cancelling it.
  grpc::Status Close(bool graceful) {
    if (graceful) {
      writer_->WritesDone();
    } else {
      context_->TryCancel();
    }
    grpc::Status status = writer_->Finish();
    {
      absl::MutexLock lock(&mu_);
      active_ = nullptr;
    }
    writer_.reset();
    context_.reset();
    return status;
  }

  void Run() {
    common::Backoff backoff(transport_.options_.reconnect, static_cast<uint64_t>(id_.value()));
    std::unique_ptr<eddy::v1::RaftService::Stub> stub =
        eddy::v1::RaftService::NewStub(transport_.channels_.Get(target_));
    std::vector<Message> batch;
    while (TakeBatch(&batch)) {
      // Renew a stream about to hit its deadline before writing, rather than lose a batch to it.
      if (writer_ && absl::Now() + absl::Seconds(1) >= stream_deadline_) Close(true);
      if (!writer_ && !Open(*stub)) break;
      eddy::v1::RaftMessageBatch proto;
      proto.set_from(transport_.options_.self.value());
      proto.set_to(id_.value());
      for (const Message& m : batch) *proto.add_messages() = ToProto(m);
      if (writer_->Write(proto)) {
        transport_.CountSent(batch.size());
        backoff.Reset();
        continue;
      }
      transport_.CountDropped(batch.size());
      const grpc::Status status = Close(false);
      const absl::Duration delay = backoff.Next();
      if (backoff.attempts() == 1) {
        spdlog::warn("raft transport: stream to node {} at {} failed ({}: {}); retrying",
                     id_.value(), target_, static_cast<int>(status.error_code()),
                     status.error_message());
      }
      if (!Pause(delay)) break;
    }
    if (writer_) Close(false);
  }

  GrpcTransport& transport_;
  const NodeId id_;
  const std::string target_;

  // Sender-thread state.
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientWriter<eddy::v1::RaftMessageBatch>> writer_;
  eddy::v1::RaftStreamSummary summary_;
  absl::Time stream_deadline_;

  absl::Mutex mu_;
  std::deque<Message> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;  // PayloadBytes of queue_
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* active_ ABSL_GUARDED_BY(mu_) = nullptr;

  std::thread thread_;  // last: starts after every member above is initialized
};

// Service reads each incoming stream with a reactor that deletes itself when the call is done.
class GrpcTransport::Service final : public eddy::v1::RaftService::CallbackService {
 public:
  explicit Service(GrpcTransport& transport) : transport_(transport) {}

  grpc::ServerReadReactor<eddy::v1::RaftMessageBatch>* Stream(
      grpc::CallbackServerContext*, eddy::v1::RaftStreamSummary* summary) override {
    return new Reader(transport_, summary);
  }

 private:
  class Reader final : public grpc::ServerReadReactor<eddy::v1::RaftMessageBatch> {
   public:
    Reader(GrpcTransport& transport, eddy::v1::RaftStreamSummary* summary)
        : transport_(transport), summary_(summary) {
      StartRead(&batch_);
    }

    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status::OK);  // the peer closed the stream, or the call was cancelled
        return;
      }
      if (batch_.to() != transport_.options_.self.value()) {
        Finish(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                            "raft batch for node " + std::to_string(batch_.to()) +
                                " reached node " +
                                std::to_string(transport_.options_.self.value())));
        return;
      }
      for (const eddy::v1::RaftMessage& proto : batch_.messages()) {
        absl::StatusOr<Message> message = FromProto(proto);
        if (!message.ok()) {
          Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              std::string(message.status().message())));
          return;
        }
        if (message->to != transport_.options_.self || message->from.value() != batch_.from()) {
          Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              "raft message ids disagree with its batch"));
          return;
        }
        transport_.Deliver(*std::move(message));
      }
      summary_->set_batches(summary_->batches() + 1);
      StartRead(&batch_);
    }

    void OnDone() override { delete this; }

   private:
    GrpcTransport& transport_;
    eddy::v1::RaftStreamSummary* summary_;
    eddy::v1::RaftMessageBatch batch_;
  };

  GrpcTransport& transport_;
};

absl::Status GrpcTransportOptions::Validate() const {
  if (self.value() <= 0)
    return absl::InvalidArgumentError("raft transport: self id must be positive");
  if (max_queued_messages == 0 || max_queued_bytes == 0 || max_batch_bytes == 0) {
    return absl::InvalidArgumentError("raft transport: queue and batch bounds must be positive");
  }
  if (stream_lifetime <= absl::Seconds(1)) {
    return absl::InvalidArgumentError("raft transport: stream_lifetime must exceed 1s");
  }
  return absl::OkStatus();
}

GrpcTransport::GrpcTransport(GrpcTransportOptions options, rpc::ChannelCache& channels)
    : options_(std::move(options)),
      channels_(channels),
      service_(std::make_unique<Service>(*this)) {}

GrpcTransport::~GrpcTransport() { Shutdown(); }

grpc::Service* GrpcTransport::service() { return service_.get(); }

void GrpcTransport::SetPeer(NodeId id, std::string target) {
  // A replaced sender is destroyed (its thread joined) after mu_ is released: that thread may be
  // waiting for mu_ to count a write.
  std::unique_ptr<Peer> replaced;
  absl::MutexLock lock(&mu_);
  if (shut_down_) return;
  std::unique_ptr<Peer>& peer = peers_[id];
  if (peer && peer->target() == target) return;
  replaced = std::move(peer);
  peer = std::make_unique<Peer>(*this, id, std::move(target));
}

void GrpcTransport::RemovePeer(NodeId id) {
  std::unique_ptr<Peer> removed;  // destroyed after mu_ is released, as in SetPeer
  absl::MutexLock lock(&mu_);
  auto it = peers_.find(id);
  if (it == peers_.end()) return;
  removed = std::move(it->second);
  peers_.erase(it);
}

void GrpcTransport::SetReceiver(Receiver receiver) {
  absl::MutexLock lock(&receiver_mu_);
  receiver_ = std::move(receiver);
}

void GrpcTransport::Send(Message message) {
  absl::MutexLock lock(&mu_);
  auto it = peers_.find(message.to);
  if (it == peers_.end() || !it->second->Enqueue(std::move(message))) ++stats_.dropped_messages;
}

void GrpcTransport::Shutdown() {
  std::map<NodeId, std::unique_ptr<Peer>> peers;
  {
    absl::MutexLock lock(&mu_);
    shut_down_ = true;
    peers.swap(peers_);
  }
  peers.clear();  // joins every sender thread, outside mu_
  SetReceiver(nullptr);
}

GrpcTransportStats GrpcTransport::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void GrpcTransport::Deliver(Message message) {
  {
    absl::MutexLock lock(&receiver_mu_);
    if (!receiver_) return;
    receiver_(std::move(message));
  }
  absl::MutexLock lock(&mu_);
  ++stats_.received_messages;
}

void GrpcTransport::CountSent(uint64_t n) {
  absl::MutexLock lock(&mu_);
  stats_.sent_messages += n;
}

void GrpcTransport::CountDropped(uint64_t n) {
  absl::MutexLock lock(&mu_);
  stats_.dropped_messages += n;
}

}  // namespace eddy::raft
