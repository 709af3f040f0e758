// StreamReactor serves one long-lived bidirectional stream whose requests are answered
// independently: each request read goes to the handler, in stream order (the next read starts when
// the handler returns; a handler that waits, as acks=all, answers later, so many requests are in
// flight), and each answer is queued and written in turn whenever the handler (or a later
// completion on another thread) sends it. The stream finishes once the client
// half-closed and every request was answered, or at once when it is cancelled; answers that arrive
// after that are dropped. The reactor deletes itself in OnDone (gRPC callback API).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"

namespace eddy::broker::internal {

// Outbox is the handle a request's handler answers through; it outlives the reactor safely.
template <typename Response>
class Outbox {
 public:
  virtual ~Outbox() = default;
  // Send queues one answer (exactly one per request).
  virtual void Send(Response response) = 0;
};

template <typename Request, typename Response>
class StreamReactor : public grpc::ServerBidiReactor<Request, Response> {
 public:
  using Handler = std::function<void(Request& request, std::shared_ptr<Outbox<Response>> outbox)>;

  explicit StreamReactor(Handler handler)
      : handler_(std::move(handler)), box_(std::make_shared<Box>(this)) {
    this->StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Action action;
      {
        absl::MutexLock lock(&box_->mu);
        box_->reads_done = true;
        action = box_->NextLocked();
      }
      box_->Perform(action);
      return;
    }
    {
      absl::MutexLock lock(&box_->mu);
      ++box_->in_flight;
    }
    Request request = std::move(request_);
    request_.Clear();
    // The next read starts only once the handler returned: gRPC may run its OnReadDone on another
    // thread at once, and two handlers running together could take the same partition in either
    // order. A client's requests must reach each partition in stream order, as Kafka handles a
    // connection's requests in order (an idempotent producer's batch overtaking the one before it
    // is OUT_OF_ORDER_SEQUENCE_NUMBER). Answers still complete independently.
    handler_(request, box_);
    {
      absl::MutexLock lock(&box_->mu);
      if (box_->finished) return;
    }
    this->StartRead(&request_);
  }

  void OnWriteDone(bool ok) override {
    Action action;
    {
      absl::MutexLock lock(&box_->mu);
      box_->queue.pop_front();
      box_->writing = false;
      if (!ok) {
        box_->broken = true;
        box_->queue.clear();
      }
      action = box_->NextLocked();
    }
    box_->Perform(action);
  }

  void OnCancel() override {
    Action action;
    {
      absl::MutexLock lock(&box_->mu);
      box_->broken = true;
      action = box_->NextLocked();
    }
    box_->Perform(action);
  }

  void OnDone() override {
    {
      absl::MutexLock lock(&box_->mu);
      box_->reactor = nullptr;
    }
    delete this;
  }

 private:
  // Action is what to do after the lock is released: gRPC operations are started outside it
  // (their reactions may run inline). The reactor stays alive until Finish's OnDone, and Finish
  // is only called with no write in progress.
  struct Action {
    StreamReactor* reactor = nullptr;
    const Response* write = nullptr;
    bool finish = false;
  };

  struct Box : Outbox<Response> {
    explicit Box(StreamReactor* r) : reactor(r) {}

    void Send(Response response) override {
      Action action;
      {
        absl::MutexLock lock(&mu);
        --in_flight;
        if (reactor != nullptr && !finished && !broken) queue.push_back(std::move(response));
        action = NextLocked();
      }
      Perform(action);
    }

    // NextLocked starts the next write, or finishes when nothing is left to do.
    Action NextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      Action action;
      if (reactor == nullptr || finished || writing) return action;
      action.reactor = reactor;
      if (!queue.empty()) {
        writing = true;
        action.write = &queue.front();
      } else if (broken || (reads_done && in_flight == 0)) {
        finished = true;
        action.finish = true;
      } else {
        action.reactor = nullptr;
      }
      return action;
    }

    static void Perform(const Action& action) {
      if (action.reactor == nullptr) return;
      if (action.write != nullptr) action.reactor->StartWrite(action.write);
      if (action.finish) action.reactor->Finish(grpc::Status::OK);
    }

    absl::Mutex mu;
    StreamReactor* reactor ABSL_GUARDED_BY(mu);
    std::deque<Response> queue ABSL_GUARDED_BY(mu);
    int64_t in_flight ABSL_GUARDED_BY(mu) = 0;
    bool writing ABSL_GUARDED_BY(mu) = false;
    bool reads_done ABSL_GUARDED_BY(mu) = false;
    bool broken ABSL_GUARDED_BY(mu) = false;
    bool finished ABSL_GUARDED_BY(mu) = false;
  };

  Handler handler_;
  std::shared_ptr<Box> box_;
  Request request_;
};

}  // namespace eddy::broker::internal
