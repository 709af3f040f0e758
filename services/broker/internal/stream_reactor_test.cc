// StreamReactor hands a stream's requests to its handler one at a time, in stream order, while
// answers complete independently.
#include "services/broker/internal/stream_reactor.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "proto/eddy/v1/broker.grpc.pb.h"

namespace eddy::broker::internal {
namespace {

using Outbox = std::shared_ptr<internal::Outbox<eddy::v1::DataResponse>>;

// OrderService answers request 1 only after request 2 (request 2's handler sends both answers
// when request 1 is still open), and records how the handlers ran: request 1's handler waits
// (bounded) to see whether request 2's handler starts meanwhile.
class OrderService final : public eddy::v1::Broker::CallbackService {
 public:
  grpc::ServerBidiReactor<eddy::v1::DataRequest, eddy::v1::DataResponse>* Data(
      grpc::CallbackServerContext*) override {
    return new StreamReactor<eddy::v1::DataRequest, eddy::v1::DataResponse>(
        [this](eddy::v1::DataRequest& request, Outbox outbox) { Handle(request, outbox); });
  }

  bool overlapped() const { return overlapped_.load(); }
  std::vector<uint64_t> handled() {
    absl::MutexLock lock(&mu_);
    return handled_;
  }

 private:
  void Handle(const eddy::v1::DataRequest& request, Outbox outbox) {
    {
      absl::MutexLock lock(&mu_);
      handled_.push_back(request.id());
    }
    eddy::v1::DataResponse response;
    response.set_id(request.id());
    if (request.id() == 1) {
      // The client wrote request 2 already; a reactor reading ahead hands it to another thread.
      overlapped_ = second_started_.WaitForNotificationWithTimeout(absl::Seconds(2));
      absl::MutexLock lock(&mu_);
      if (!second_answered_) {
        held_ = outbox;  // answered by request 2's handler
        return;
      }
    } else {
      second_started_.Notify();
      outbox->Send(response);
      absl::MutexLock lock(&mu_);
      second_answered_ = true;
      if (held_ == nullptr) return;
      response.set_id(1);
      outbox = held_;
    }
    outbox->Send(response);
  }

  absl::Mutex mu_;
  std::vector<uint64_t> handled_ ABSL_GUARDED_BY(mu_);
  absl::Notification second_started_;
  std::atomic<bool> overlapped_{false};
  bool second_answered_ ABSL_GUARDED_BY(mu_) = false;
  Outbox held_ ABSL_GUARDED_BY(mu_);
};

TEST(StreamReactorTest, HandlesRequestsInStreamOrderAndAnswersIndependently) {
  OrderService service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);

  auto stub = eddy::v1::Broker::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto stream = stub->Data(&context);
  for (uint64_t id : {1, 2}) {
    eddy::v1::DataRequest request;
    request.set_id(id);
    ASSERT_TRUE(stream->Write(request));
  }
  stream->WritesDone();
  std::vector<uint64_t> answered;
  eddy::v1::DataResponse response;
  while (stream->Read(&response)) answered.push_back(response.id());
  EXPECT_TRUE(stream->Finish().ok());
  server->Shutdown();

  EXPECT_FALSE(service.overlapped()) << "request 2's handler ran while request 1's was running";
  EXPECT_EQ(service.handled(), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(answered, (std::vector<uint64_t>{2, 1}));
}

}  // namespace
}  // namespace eddy::broker::internal
