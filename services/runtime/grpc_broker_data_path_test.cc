// GrpcBrokerDataPath against a broker that is down: every request must be
// answered (kUnavailable) long before its own deadline, whatever the timing of
// the gRPC thread that ends the stream.
#include "services/runtime/grpc_broker_data_path.h"

#include <atomic>
#include <thread>

#include "asio/executor_work_guard.hpp"
#include "asio/io_context.hpp"
#include "asio/ip/tcp.hpp"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/rpc/channel_cache.h"
#include "proto/eddy/v1/broker.pb.h"
#include "tests/testing/wait_for.h"

namespace eddy::runtime {
namespace {

// UnusedTarget is a loopback address nothing listens on (a port bound, then
// released).
std::string UnusedTarget() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io,
                                   asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const int port = acceptor.local_endpoint().port();
  acceptor.close();
  return "127.0.0.1:" + std::to_string(port);
}

class GrpcBrokerDataPathTest : public ::testing::Test {
 protected:
  GrpcBrokerDataPathTest()
      : channels_(grpc::InsecureChannelCredentials()),
        work_(asio::make_work_guard(timers_)),
        timer_thread_([this] { timers_.run(); }),
        data_path_(std::make_unique<GrpcBrokerDataPath>(channels_, timers_)) {}

  // The timer loop is stopped rather than drained: a request left unanswered
  // would otherwise hold it until its deadline.
  ~GrpcBrokerDataPathTest() override {
    data_path_->Stop();
    timers_.stop();
    timer_thread_.join();
  }

  rpc::ChannelCache channels_;
  asio::io_context timers_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread timer_thread_;
  std::unique_ptr<GrpcBrokerDataPath> data_path_;
};

// A stream to a down broker fails at once on a gRPC thread. Each request is
// sent once the one before it was answered, so it finds the previous stream
// broken and opens a new one, racing that stream's end: a request registered
// after its stream ended would only be answered at its deadline (here far
// beyond the wait).
TEST_F(GrpcBrokerDataPathTest, EveryRequestToADownBrokerFailsUnavailable) {
  const std::string target = UnusedTarget();
  constexpr int kRequests = 300;
  std::atomic<int> unavailable{0};
  std::atomic<int> other{0};
  for (int i = 0; i < kRequests; ++i) {
    eddy::v1::DataRequest request;
    request.mutable_produce()->set_acks(-1);
    data_path_->Send(1, target, std::move(request), absl::Minutes(5),
                     [&](absl::StatusOr<eddy::v1::DataResponse> answer) {
                       if (absl::IsUnavailable(answer.status())) {
                         unavailable.fetch_add(1);
                       } else {
                         other.fetch_add(1);
                       }
                     });
    ASSERT_TRUE(testing::WaitFor([&] { return unavailable.load() + other.load() == i + 1; },
                                 absl::Seconds(5), absl::Milliseconds(1)))
        << "request " << i << " unanswered";
  }
  EXPECT_EQ(unavailable.load(), kRequests);
  EXPECT_EQ(other.load(), 0);
}

}  // namespace
}  // namespace eddy::runtime
