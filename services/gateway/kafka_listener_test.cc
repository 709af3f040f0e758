// KafkaListener against a scripted dispatcher: responses leave in request order whatever order
// they complete in, and the connection limits close connections as Kafka does.
#include "services/gateway/kafka_listener.h"

#include <deque>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "libs/kafka/messages/api_versions.h"
#include "libs/kafka/reader.h"
#include "services/gateway/testing/kafka_test_client.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::gateway {
namespace {

using testing::CorrelationId;
using testing::KafkaTestClient;

// ScriptedDispatcher parks every request; the test completes them in any order.
class ScriptedDispatcher : public RequestDispatcher {
 public:
  absl::Status Dispatch(ClientInfo&, std::span<const uint8_t> payload, Completion done) override {
    kafka::Reader reader(payload);
    absl::StatusOr<kafka::RequestHeader> header = kafka::DecodeRequestHeader(reader);
    if (!header.ok()) return header.status();
    absl::MutexLock lock(&mu_);
    parked_.push_back({header->correlation_id, std::move(done)});
    last_payload_.assign(payload.begin(), payload.end());
    return absl::OkStatus();
  }

  // last_payload is the payload of the last request dispatched.
  std::string last_payload() {
    absl::MutexLock lock(&mu_);
    return last_payload_;
  }

  size_t parked() {
    absl::MutexLock lock(&mu_);
    return parked_.size();
  }

  // Complete answers the request with `correlation_id` from another thread (or not at all).
  void Complete(int32_t correlation_id, bool respond = true) {
    if (!respond) {
      CompleteWith(correlation_id, ResponseFrame(std::nullopt));
      return;
    }
    std::string frame(8, '\0');
    frame[3] = 4;
    for (int i = 0; i < 4; ++i) frame[4 + i] = static_cast<char>(correlation_id >> (24 - 8 * i));
    CompleteWith(correlation_id, ResponseFrame(std::move(frame)));
  }

  // CompleteWith answers the request with `correlation_id` from another thread.
  void CompleteWith(int32_t correlation_id, ResponseFrame frame) {
    Completion done;
    {
      absl::MutexLock lock(&mu_);
      for (auto it = parked_.begin(); it != parked_.end(); ++it) {
        if (it->first == correlation_id) {
          done = std::move(it->second);
          parked_.erase(it);
          break;
        }
      }
    }
    ASSERT_TRUE(done);
    std::thread([done, frame = std::move(frame)]() mutable { done(std::move(frame)); }).join();
  }

 private:
  absl::Mutex mu_;
  std::deque<std::pair<int32_t, Completion>> parked_ ABSL_GUARDED_BY(mu_);
  std::string last_payload_ ABSL_GUARDED_BY(mu_);
};

class KafkaListenerTest : public ::testing::Test {
 protected:
  void StartListener(KafkaListenerOptions options) {
    options.port = 0;
    listener_ = std::make_unique<KafkaListener>(options, dispatcher_, metrics_);
    EDDY_ASSERT_OK(listener_->Start());
  }
  void TearDown() override {
    if (listener_) listener_->Stop();
  }

  metrics::Registry registry_;
  ListenerMetrics metrics_{registry_, "test"};
  ScriptedDispatcher dispatcher_;
  std::unique_ptr<KafkaListener> listener_;
};

std::string ApiVersionsFrame(int32_t correlation_id) {
  return KafkaTestClient::Frame(kafka::ApiVersionsRequest(), 0, correlation_id);
}

TEST_F(KafkaListenerTest, ResponsesLeaveInRequestOrder) {
  StartListener({});
  KafkaTestClient client(listener_->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.SendRaw(ApiVersionsFrame(1) + ApiVersionsFrame(2) + ApiVersionsFrame(3) +
                             ApiVersionsFrame(4)));
  ASSERT_TRUE(eddy::testing::WaitFor([&] { return dispatcher_.parked() == 4; }, absl::Seconds(10)));
  dispatcher_.Complete(3);
  dispatcher_.Complete(2, /*respond=*/false);  // like Produce acks=0: nothing is written
  dispatcher_.Complete(4);
  // Nothing may be written before request 1 is answered.
  EXPECT_FALSE(client.ReadFrame(absl::Milliseconds(200)).has_value());
  dispatcher_.Complete(1);
  for (int32_t expected : {1, 3, 4}) {
    std::optional<std::string> frame = client.ReadFrame();
    ASSERT_TRUE(frame.has_value());
    EXPECT_EQ(CorrelationId(*frame), expected);
  }
}

// SplicedFrame is a response frame for `correlation_id` whose body is `body`, most of it left in
// `body` as splices (with an empty splice and one at the very end), as RespondSpliced builds them.
OutboundFrame SplicedFrame(int32_t correlation_id, std::shared_ptr<const std::string> body) {
  const std::string_view bytes(*body);
  OutboundFrame frame;
  const uint32_t size = static_cast<uint32_t>(4 + bytes.size());
  for (int i = 0; i < 4; ++i) frame.encoded.push_back(static_cast<char>(size >> (24 - 8 * i)));
  for (int i = 0; i < 4; ++i) {
    frame.encoded.push_back(static_cast<char>(correlation_id >> (24 - 8 * i)));
  }
  // body = [0,10) in encoded, [10,5000) spliced, [5000,5001) in encoded, [5001,5001) spliced,
  // [5001,end) spliced at the end of encoded.
  frame.encoded.append(bytes.substr(0, 10));
  frame.splices.push_back({.offset = frame.encoded.size(), .bytes = bytes.substr(10, 4990)});
  frame.encoded.append(bytes.substr(5000, 1));
  frame.splices.push_back({.offset = frame.encoded.size(), .bytes = bytes.substr(5001, 0)});
  frame.splices.push_back({.offset = frame.encoded.size(), .bytes = bytes.substr(5001)});
  frame.keep_alive = std::move(body);
  return frame;
}

TEST(OutboundFrameTest, FlattenPutsSplicesAtTheirOffsets) {
  auto body = std::make_shared<std::string>();
  for (int i = 0; i < 300000; ++i) body->push_back(static_cast<char>(i * 7));
  OutboundFrame frame = SplicedFrame(5, body);
  EXPECT_EQ(frame.size(), 8 + body->size());
  const std::string flat = frame.Flatten();
  EXPECT_EQ(flat.substr(0, 4), std::string("\x00\x04\x93\xe4", 4));  // 4 + 300000
  EXPECT_EQ(CorrelationId(flat.substr(4)), 5);
  EXPECT_TRUE(flat.substr(8) == *body);
}

TEST_F(KafkaListenerTest, SplicedFramesAreWrittenWholeAndInOrder) {
  StartListener({});
  KafkaTestClient client(listener_->port());
  ASSERT_TRUE(client.SendRaw(ApiVersionsFrame(1) + ApiVersionsFrame(2) + ApiVersionsFrame(3)));
  ASSERT_TRUE(eddy::testing::WaitFor([&] { return dispatcher_.parked() == 3; }, absl::Seconds(10)));
  // Large enough to need several partial socket writes.
  auto body = std::make_shared<std::string>();
  for (int i = 0; i < (8 << 20); ++i) body->push_back(static_cast<char>(i % 251));
  auto other = std::make_shared<std::string>(body->rbegin(), body->rend());
  dispatcher_.CompleteWith(2, ResponseFrame(SplicedFrame(2, other)));
  dispatcher_.CompleteWith(1, ResponseFrame(SplicedFrame(1, body)));
  dispatcher_.Complete(3);
  std::optional<std::string> first = client.ReadFrame();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(CorrelationId(*first), 1);
  EXPECT_TRUE(first->substr(4) == *body);
  std::optional<std::string> second = client.ReadFrame();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(CorrelationId(*second), 2);
  EXPECT_TRUE(second->substr(4) == *other);
  std::optional<std::string> third = client.ReadFrame();
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(CorrelationId(*third), 3);
}

// A request of several MB (a produce) arrives whole, however the socket splits it.
TEST_F(KafkaListenerTest, LargeRequestsAreReadWhole) {
  StartListener({});
  KafkaTestClient client(listener_->port());
  std::string frame = ApiVersionsFrame(6);
  for (int i = 0; i < (5 << 20); ++i) frame.push_back(static_cast<char>(i % 253));
  const uint32_t size = static_cast<uint32_t>(frame.size() - 4);
  for (int i = 0; i < 4; ++i) frame[i] = static_cast<char>(size >> (24 - 8 * i));
  ASSERT_TRUE(client.SendRaw(frame));
  ASSERT_TRUE(eddy::testing::WaitFor([&] { return dispatcher_.parked() == 1; }, absl::Seconds(10)));
  EXPECT_TRUE(dispatcher_.last_payload() == frame.substr(4));
  dispatcher_.Complete(6);
  std::optional<std::string> response = client.ReadFrame();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(CorrelationId(*response), 6);
}

TEST_F(KafkaListenerTest, OversizedAndNegativeFrameSizesClose) {
  StartListener({.max_frame_bytes = 1024});
  KafkaTestClient big(listener_->port());
  ASSERT_TRUE(big.SendRaw(std::string("\x7f\xff\xff\xff", 4)));  // 2 GiB
  EXPECT_TRUE(big.Closed());
  KafkaTestClient negative(listener_->port());
  ASSERT_TRUE(negative.SendRaw(std::string("\xff\xff\xff\xfe", 4)));
  EXPECT_TRUE(negative.Closed());
  KafkaTestClient over_limit(listener_->port());
  ASSERT_TRUE(over_limit.SendRaw(std::string("\x00\x00\x04\x01", 4)));  // 1025 bytes
  EXPECT_TRUE(over_limit.Closed());
  // The listener still serves.
  KafkaTestClient good(listener_->port());
  ASSERT_TRUE(good.SendRaw(ApiVersionsFrame(7)));
  ASSERT_TRUE(eddy::testing::WaitFor([&] { return dispatcher_.parked() == 1; }, absl::Seconds(10)));
  dispatcher_.Complete(7);
  std::optional<std::string> frame = good.ReadFrame();
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ(CorrelationId(*frame), 7);
}

TEST_F(KafkaListenerTest, ConnectionsBeyondThePerIpLimitAreClosed) {
  StartListener({.max_connections_per_ip = 2});
  KafkaTestClient a(listener_->port());
  KafkaTestClient b(listener_->port());
  ASSERT_TRUE(eddy::testing::WaitFor([&] { return listener_->connections() == 2; },
                                     absl::Seconds(10)));
  KafkaTestClient c(listener_->port());
  EXPECT_TRUE(c.Closed());
  EXPECT_EQ(metrics_.connections_rejected.Value(), 1);
  // Closing one frees a slot.
  a.SendRaw(std::string("\xff\xff\xff\xff", 4));
  ASSERT_TRUE(a.Closed());
  ASSERT_TRUE(eddy::testing::WaitFor([&] { return listener_->connections() == 1; },
                                     absl::Seconds(10)));
  KafkaTestClient d(listener_->port());
  ASSERT_TRUE(d.SendRaw(ApiVersionsFrame(9)));
  ASSERT_TRUE(eddy::testing::WaitFor([&] { return dispatcher_.parked() == 1; }, absl::Seconds(10)));
  dispatcher_.Complete(9);
  EXPECT_TRUE(d.ReadFrame().has_value());
}

TEST_F(KafkaListenerTest, IdleConnectionsClose) {
  StartListener({.max_idle_ms = 300});
  KafkaTestClient idle(listener_->port());
  EXPECT_TRUE(idle.Closed(absl::Seconds(10)));
}

TEST_F(KafkaListenerTest, BackpressureStopsReadingPastTheInflightBound) {
  StartListener({.max_inflight_bytes = 1});
  KafkaTestClient client(listener_->port());
  ASSERT_TRUE(client.SendRaw(ApiVersionsFrame(1) + ApiVersionsFrame(2)));
  ASSERT_TRUE(eddy::testing::WaitFor([&] { return dispatcher_.parked() == 1; }, absl::Seconds(10)));
  // The second request waits in the socket until the first is answered.
  EXPECT_FALSE(eddy::testing::WaitFor([&] { return dispatcher_.parked() == 2; },
                                      absl::Milliseconds(300)));
  dispatcher_.Complete(1);
  ASSERT_TRUE(eddy::testing::WaitFor([&] { return dispatcher_.parked() == 1; }, absl::Seconds(10)));
  dispatcher_.Complete(2);
  EXPECT_EQ(CorrelationId(*client.ReadFrame()), 1);
  EXPECT_EQ(CorrelationId(*client.ReadFrame()), 2);
}

TEST_F(KafkaListenerTest, UnparsableHeaderClosesTheConnection) {
  StartListener({});
  KafkaTestClient client(listener_->port());
  ASSERT_TRUE(client.SendRaw(std::string("\x00\x00\x00\x02\x00\x12", 6)));  // truncated header
  EXPECT_TRUE(client.Closed());
  EXPECT_EQ(metrics_.connections_closed_protocol.Value(), 1);
}

}  // namespace
}  // namespace eddy::gateway
