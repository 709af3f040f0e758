// Acceptance 5: bad input gets Kafka's behaviour — random bytes, a 2 GiB frame length, an unknown
// API key, an unsupported version and a truncated request close the connection (Kafka's
// SocketServer does), ApiVersions with a too-new version gets the v0 UNSUPPORTED_VERSION answer,
// a connection flood beyond max-connections-per-ip is cut off — and the gateway keeps serving.
#include <random>

#include "gtest/gtest.h"
#include "libs/kafka/messages/api_versions.h"
#include "libs/kafka/messages/metadata.h"
#include "services/gateway/testing/kafka_test_client.h"
#include "tests/e2e/e2e_cluster.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {
namespace {

using gateway::testing::CorrelationId;
using gateway::testing::KafkaTestClient;

// Serves checks that a fresh client still gets ApiVersions answered.
void ExpectServes(int port) {
  KafkaTestClient client(port);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(kafka::ApiVersionsRequest(), 0, 1234));
  std::optional<std::string> frame = client.ReadFrame();
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ(CorrelationId(*frame), 1234);
}

class GatewayBadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = StartE2eCluster().release(); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    if (cluster_ == nullptr) GTEST_SKIP() << "cluster did not start";
  }
  int port() const { return cluster_->KafkaPort(0); }
  static LocalCluster* cluster_;
};
LocalCluster* GatewayBadInputTest::cluster_ = nullptr;

TEST_F(GatewayBadInputTest, RandomBytesClose) {
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::string junk(256, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    junk[0] = 0;  // a plausible size, so the gateway reads a frame and must reject its content
    junk[1] = 0;
    junk[2] = 0;
    junk[3] = static_cast<char>(252);
    KafkaTestClient client(port());
    ASSERT_TRUE(client.SendRaw(junk));
    // Either the header is unparsable / unknown (closed) or, rarely, valid-looking: then closed
    // for the body. Both end in a close without a crash.
    EXPECT_TRUE(client.Closed()) << "round " << round;
  }
  ExpectServes(port());
}

TEST_F(GatewayBadInputTest, TwoGibFrameLengthCloses) {
  KafkaTestClient client(port());
  ASSERT_TRUE(client.SendRaw(std::string("\x7f\xff\xff\xff", 4)));
  EXPECT_TRUE(client.Closed());
  ExpectServes(port());
}

TEST_F(GatewayBadInputTest, UnknownApiKeyCloses) {
  KafkaTestClient client(port());
  // size 10 | api key 999 | version 0 | correlation 1 | null client id
  ASSERT_TRUE(client.SendRaw(std::string("\x00\x00\x00\x0a\x03\xe7\x00\x00\x00\x00\x00\x01\xff\xff", 14)));
  EXPECT_TRUE(client.Closed());
  ExpectServes(port());
}

TEST_F(GatewayBadInputTest, UnsupportedVersionClosesExceptApiVersions) {
  KafkaTestClient metadata(port());
  ASSERT_TRUE(metadata.Send(kafka::MetadataRequest(), 12, 5));
  // Metadata v12 is served; a version the codec has never heard of is not.
  ASSERT_TRUE(metadata.ReadFrame().has_value());
  std::string v99 = KafkaTestClient::Frame(kafka::MetadataRequest(), 12, 6);
  v99[7] = 99;  // api_version low byte
  ASSERT_TRUE(metadata.SendRaw(v99));
  EXPECT_TRUE(metadata.Closed());

  KafkaTestClient api_versions(port());
  std::string probe = KafkaTestClient::Frame(kafka::ApiVersionsRequest(), 3, 8);
  probe[7] = 77;
  ASSERT_TRUE(api_versions.SendRaw(probe));
  std::optional<std::string> answer = api_versions.ReadFrame();
  ASSERT_TRUE(answer.has_value());
  ASSERT_GE(answer->size(), 6u);
  EXPECT_EQ(CorrelationId(*answer), 8);
  EXPECT_EQ((*answer)[4], 0);
  EXPECT_EQ((*answer)[5], 35);  // UNSUPPORTED_VERSION
  ExpectServes(port());
}

TEST_F(GatewayBadInputTest, TruncatedRequestCloses) {
  KafkaTestClient client(port());
  kafka::MetadataRequest request;
  request.topics.emplace();
  request.topics->push_back({.name = std::string("some-topic")});
  std::string frame = KafkaTestClient::Frame(request, 4, 9);
  // Claim the full size but cut the body: a frame of 6 bytes that holds half a header.
  std::string truncated = frame.substr(4, 6);
  std::string sized("\x00\x00\x00\x06", 4);
  ASSERT_TRUE(client.SendRaw(sized + truncated));
  EXPECT_TRUE(client.Closed());
  // And a complete header with a body cut short.
  KafkaTestClient body_cut(port());
  std::string cut = frame.substr(4, frame.size() - 4 - 3);
  std::string cut_size(4, '\0');
  cut_size[3] = static_cast<char>(cut.size());
  ASSERT_TRUE(body_cut.SendRaw(cut_size + cut));
  EXPECT_TRUE(body_cut.Closed());
  ExpectServes(port());
}

TEST_F(GatewayBadInputTest, ConnectionFloodBeyondTheLimitIsCutOff) {
  // The gateway's default max-connections-per-ip is 1000; open more than that.
  std::vector<std::unique_ptr<KafkaTestClient>> flood;
  for (int i = 0; i < 1100; ++i) flood.push_back(std::make_unique<KafkaTestClient>(port()));
  int closed = 0;
  for (auto& client : flood) {
    if (client->Closed(absl::Milliseconds(20))) ++closed;
  }
  EXPECT_GE(closed, 100);
  flood.clear();
  // Once the flood is gone the gateway serves again (its slots free as the sockets close).
  EXPECT_TRUE(WaitFor(
      [&] {
        KafkaTestClient client(port());
        if (!client.Send(kafka::ApiVersionsRequest(), 0, 1)) return false;
        return client.ReadFrame(absl::Seconds(2)).has_value();
      },
      absl::Seconds(30)));
  // The other gateway was never affected.
  ExpectServes(cluster_->KafkaPort(1));
}

}  // namespace
}  // namespace eddy::testing
