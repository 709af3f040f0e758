#include "services/runtime/grpc_broker_data_path.h"

#include <deque>

#include "asio/io_context.hpp"
#include "asio/post.hpp"
#include "asio/steady_timer.hpp"
#include "grpcpp/grpcpp.h"
#include "proto/eddy/v1/broker.grpc.pb.h"
#include "spdlog/spdlog.h"

namespace eddy::runtime {

struct GrpcBrokerDataPath::Pending {
  Callback callback;
  std::unique_ptr<asio::steady_timer> timer;
};

// Stream is one broker's Data call. It deletes itself in OnDone, after telling the data path.
class GrpcBrokerDataPath::Stream
    : public grpc::ClientBidiReactor<eddy::v1::DataRequest, eddy::v1::DataResponse> {
 public:
  // The call starts with `first` queued: were it started first, a call failing at once (broker
  // down, fail-fast) could reach OnDone on a gRPC thread before `first` was registered, and
  // `first` would never be answered.
  Stream(GrpcBrokerDataPath& owner, int32_t broker_id, std::shared_ptr<grpc::Channel> channel,
         eddy::v1::DataRequest& first)
      : owner_(owner), broker_id_(broker_id), stub_(eddy::v1::Broker::NewStub(channel)) {
    stub_->async()->Data(&context_, this);
    Write(first);
    StartRead(&response_);
    StartCall();
  }

  int32_t broker_id() const { return broker_id_; }
  void Cancel() { context_.TryCancel(); }

  // Write queues `request`; false when the stream already broke (no write may start then: once
  // the read has failed, OnDone may run at any moment). gRPC runs reactions on its own threads,
  // never inline from StartWrite, so holding mu_ across it is safe.
  bool Write(eddy::v1::DataRequest& request) {
    absl::MutexLock lock(&mu_);
    if (broken_) return false;
    ids_.insert(request.id());
    queue_.push_back(std::move(request));
    if (!writing_) {
      writing_ = true;
      StartWrite(&queue_.front());
    }
    return true;
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    queue_.pop_front();
    if (!ok) {
      broken_ = true;
      writing_ = false;
      queue_.clear();
      return;
    }
    if (queue_.empty()) {
      writing_ = false;
    } else {
      StartWrite(&queue_.front());
    }
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      absl::MutexLock lock(&mu_);
      broken_ = true;
      return;
    }
    const uint64_t id = response_.id();
    {
      absl::MutexLock lock(&mu_);
      ids_.erase(id);
    }
    if (Callback callback = owner_.Take(id)) callback(std::move(response_));
    response_.Clear();
    StartRead(&response_);
  }

  void OnDone(const grpc::Status& status) override {
    std::set<uint64_t> ids;
    {
      absl::MutexLock lock(&mu_);
      broken_ = true;
      ids.swap(ids_);
    }
    if (status.error_code() != grpc::StatusCode::CANCELLED) {
      spdlog::warn("data stream to broker {} ended: {} {}", broker_id_,
                   static_cast<int>(status.error_code()), status.error_message());
    }
    owner_.StreamDone(this, ids);
    delete this;
  }

 private:
  GrpcBrokerDataPath& owner_;
  const int32_t broker_id_;
  std::unique_ptr<eddy::v1::Broker::Stub> stub_;
  grpc::ClientContext context_;
  eddy::v1::DataResponse response_;
  absl::Mutex mu_;
  std::deque<eddy::v1::DataRequest> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  std::set<uint64_t> ids_ ABSL_GUARDED_BY(mu_);
};

GrpcBrokerDataPath::GrpcBrokerDataPath(rpc::ChannelCache& channels, asio::io_context& timers)
    : channels_(channels), timers_(timers) {}

GrpcBrokerDataPath::~GrpcBrokerDataPath() { Stop(); }

void GrpcBrokerDataPath::Send(int32_t broker_id, const std::string& target,
                              eddy::v1::DataRequest request, absl::Duration timeout,
                              Callback callback) {
  auto pending = std::make_shared<Pending>();
  pending->callback = std::move(callback);
  uint64_t id = 0;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      asio::post(timers_, [cb = std::move(pending->callback)] {
        cb(absl::UnavailableError("broker data path is stopping"));
      });
      return;
    }
    id = next_id_++;
    request.set_id(id);
    pending->timer = std::make_unique<asio::steady_timer>(
        timers_,
        std::chrono::milliseconds(std::max<int64_t>(0, absl::ToInt64Milliseconds(timeout))));
    pending_[id] = pending;
    pending->timer->async_wait([this, id](const std::error_code& ec) {
      if (ec) return;
      if (Callback cb = Take(id)) cb(absl::DeadlineExceededError("broker did not answer in time"));
    });
    // A stream found broken stays alive until its OnDone; the broker gets a new one meanwhile.
    // Holding mu_ keeps `stream` from being deleted (StreamDone takes mu_ first).
    auto it = streams_.find(broker_id);
    if (it == streams_.end() || !it->second->Write(request)) {
      auto* stream = new Stream(*this, broker_id, channels_.Get(target), request);
      ++live_streams_;
      streams_[broker_id] = stream;
    }
  }
}

GrpcBrokerDataPath::Callback GrpcBrokerDataPath::Take(uint64_t id) {
  std::shared_ptr<Pending> pending;
  {
    absl::MutexLock lock(&mu_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return nullptr;
    pending = std::move(it->second);
    pending_.erase(it);
  }
  // Cancelling runs the timer's handler with operation_aborted on the timer thread; the timer
  // object itself is released with `pending` here, which asio permits.
  asio::post(timers_, [pending] { pending->timer->cancel(); });
  return std::move(pending->callback);
}

void GrpcBrokerDataPath::StreamDone(Stream* stream, const std::set<uint64_t>& ids) {
  for (uint64_t id : ids) {
    if (Callback cb = Take(id)) {
      cb(absl::UnavailableError("data stream to broker " + std::to_string(stream->broker_id()) +
                                " ended"));
    }
  }
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(stream->broker_id());
  if (it != streams_.end() && it->second == stream) streams_.erase(it);
  --live_streams_;
}

void GrpcBrokerDataPath::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && live_streams_ == 0) return;
    stopping_ = true;
    for (auto& [id, stream] : streams_) stream->Cancel();
  }
  absl::MutexLock lock(&mu_);
  auto done = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return live_streams_ == 0; };
  mu_.Await(absl::Condition(&done));
}

}  // namespace eddy::runtime
