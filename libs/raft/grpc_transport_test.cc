// GrpcTransport over real loopback sockets: batches arrive intact and in order, a peer that comes
// back is reached again after backoff, a misaddressed stream delivers nothing, and Send never
// blocks on an unreachable peer.
#include "libs/raft/grpc_transport.h"

#include <grpcpp/security/credentials.h>

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/rpc/server.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace eddy::raft {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;
using ::eddy::testing::WaitFor;

// Inbox collects what a transport's receiver gets.
class Inbox {
 public:
  Receiver receiver() {
    return [this](Message m) {
      absl::MutexLock lock(&mu_);
      messages_.push_back(std::move(m));
    };
  }
  std::vector<Message> messages() const {
    absl::MutexLock lock(&mu_);
    return messages_;
  }
  size_t size() const {
    absl::MutexLock lock(&mu_);
    return messages_.size();
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<Message> messages_;
};

// Member is one node: its transport served by its own GrpcServer on an ephemeral loopback port.
struct Member {
  explicit Member(NodeId id, int port = 0, GrpcTransportOptions options = {})
      : channels(grpc::InsecureChannelCredentials(),
                 {.min_reconnect_backoff = absl::Milliseconds(20),
                  .max_reconnect_backoff = absl::Milliseconds(200)}),
        transport(WithSelf(std::move(options), id), channels),
        server({.port = port}) {
    transport.SetReceiver(inbox.receiver());
    server.AddService(transport.service());
  }
  ~Member() {
    server.Shutdown(absl::ZeroDuration());
    transport.Shutdown();
  }
  static GrpcTransportOptions WithSelf(GrpcTransportOptions options, NodeId id) {
    options.self = id;
    options.reconnect = {.initial = absl::Milliseconds(20), .max = absl::Milliseconds(200)};
    return options;
  }

  Inbox inbox;
  rpc::ChannelCache channels;
  GrpcTransport transport;
  rpc::GrpcServer server;
};

Message Append(NodeId from, NodeId to, int64_t index) {
  Message m;
  m.type = MessageType::kAppend;
  m.from = from;
  m.to = to;
  m.term = Term(3);
  m.index = LogIndex(index - 1);
  m.log_term = Term(3);
  m.entries = {Entry{LogIndex(index), Term(3), EntryType::kNormal, std::string(index % 50, 'x')}};
  m.commit = LogIndex(index - 1);
  return m;
}

TEST(GrpcTransportTest, DeliversBatchesInOrderBothWays) {
  Member a(NodeId(1));
  Member b(NodeId(2));
  EDDY_ASSERT_OK(a.server.Start());
  EDDY_ASSERT_OK(b.server.Start());
  a.transport.SetPeer(NodeId(2), b.server.target());
  b.transport.SetPeer(NodeId(1), a.server.target());

  std::vector<Message> sent;
  for (int64_t i = 1; i <= 200; ++i) sent.push_back(Append(NodeId(1), NodeId(2), i));
  Message snapshot_chunk;
  snapshot_chunk.type = MessageType::kInstallSnapshot;
  snapshot_chunk.from = NodeId(1);
  snapshot_chunk.to = NodeId(2);
  snapshot_chunk.snapshot = {LogIndex(150), Term(3), ConfState{{NodeId(1), NodeId(2)}}};
  snapshot_chunk.snapshot_size = 3 << 20;
  snapshot_chunk.chunk = std::string(1 << 20, 's');
  sent.push_back(snapshot_chunk);
  for (const Message& m : sent) a.transport.Send(m);
  Message reply;
  reply.type = MessageType::kAppendResponse;
  reply.from = NodeId(2);
  reply.to = NodeId(1);
  reply.index = LogIndex(200);
  b.transport.Send(reply);

  ASSERT_TRUE(WaitFor([&] { return b.inbox.size() == sent.size() && a.inbox.size() == 1; },
                      absl::Seconds(20)));
  EXPECT_EQ(b.inbox.messages(), sent);  // one stream per pair keeps order
  EXPECT_THAT(a.inbox.messages(), ::testing::ElementsAre(reply));
  EXPECT_EQ(a.transport.stats().sent_messages, sent.size());
  EXPECT_EQ(b.transport.stats().received_messages, sent.size());
  EXPECT_EQ(a.transport.stats().dropped_messages, 0u);
}

TEST(GrpcTransportTest, ReachesAPeerThatComesBack) {
  Member a(NodeId(1));
  int port = 0;
  {
    Member b(NodeId(2));
    EDDY_ASSERT_OK(b.server.Start());
    port = b.server.port();
  }
  a.transport.SetPeer(NodeId(2), "127.0.0.1:" + std::to_string(port));
  // Raft retransmits; so does this test, until the restarted peer hears one.
  a.transport.Send(Append(NodeId(1), NodeId(2), 1));
  ASSERT_TRUE(WaitFor([&] { return a.transport.stats().dropped_messages > 0; }, absl::Seconds(10)));
  Member b(NodeId(2), port);
  EDDY_ASSERT_OK(b.server.Start());
  ASSERT_TRUE(WaitFor(
      [&] {
        a.transport.Send(Append(NodeId(1), NodeId(2), 2));
        return b.inbox.size() > 0;
      },
      absl::Seconds(20)));
  EXPECT_EQ(b.inbox.messages().front().entries.front().index, LogIndex(2));
}

TEST(GrpcTransportTest, MisaddressedStreamDeliversNothing) {
  Member a(NodeId(1));
  Member b(NodeId(2));
  EDDY_ASSERT_OK(b.server.Start());
  a.transport.SetPeer(NodeId(3), b.server.target());  // node 3's address is wrong: it is node 2
  ASSERT_TRUE(WaitFor(
      [&] {
        a.transport.Send(Append(NodeId(1), NodeId(3), 1));
        return a.transport.stats().dropped_messages > 0;
      },
      absl::Seconds(10)));
  EXPECT_EQ(b.inbox.size(), 0u);
}

TEST(GrpcTransportTest, SendDropsInsteadOfBlockingOnAnUnreachablePeer) {
  GrpcTransportOptions options;
  options.max_queued_messages = 4;
  Member a(NodeId(1), 0, options);
  a.transport.SetPeer(NodeId(2), "127.0.0.1:1");  // nothing listens on port 1
  const absl::Time start = absl::Now();
  for (int64_t i = 1; i <= 1000; ++i) a.transport.Send(Append(NodeId(1), NodeId(2), i));
  a.transport.Send(Append(NodeId(1), NodeId(9), 1));  // unknown peer
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_GE(a.transport.stats().dropped_messages, 900u);
  EXPECT_EQ(a.transport.stats().sent_messages, 0u);

  // The byte bound holds too: ten 100-byte messages fill 1000 bytes.
  options.max_queued_messages = 100000;
  options.max_queued_bytes = 1000;
  Member b(NodeId(1), 0, options);
  b.transport.SetPeer(NodeId(2), "127.0.0.1:1");
  for (int64_t i = 1; i <= 1000; ++i) {
    Message m = Append(NodeId(1), NodeId(2), i);
    m.entries.front().data = std::string(100, 'y');
    b.transport.Send(std::move(m));
  }
  EXPECT_GE(b.transport.stats().dropped_messages, 900u);
}

TEST(GrpcTransportTest, ValidatesOptions) {
  EXPECT_THAT(GrpcTransportOptions{}.Validate(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(GrpcTransportOptions{.self = NodeId(1)}.Validate(), IsOk());
  EXPECT_THAT((GrpcTransportOptions{.self = NodeId(1), .max_queued_bytes = 0}.Validate()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace eddy::raft
