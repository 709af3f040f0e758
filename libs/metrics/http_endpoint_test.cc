#include "libs/metrics/http_endpoint.h"

#include <httplib.h>

#include <chrono>
#include <string>

#include "gtest/gtest.h"
#include "libs/metrics/registry.h"

namespace eddy::metrics {
namespace {

constexpr char kLoopback[] = "127.0.0.1";

httplib::Result GetPath(int port, const std::string& path) {
  httplib::Client client(kLoopback, port);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(5));
  return client.Get(path);
}

class HttpEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.AddCounter("eddy_test_requests_total", "Requests.", {"api"})
        .WithLabels({"produce"})
        .Inc(5);
    ASSERT_TRUE(endpoint_.Start().ok());
    ASSERT_GT(endpoint_.port(), 0);
  }

  Registry registry_;
  HttpEndpoint endpoint_{registry_, kLoopback, 0};
};

TEST_F(HttpEndpointTest, MetricsServesExposition) {
  auto res = GetPath(endpoint_.port(), "/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(res->body, registry_.Expose());
  EXPECT_NE(res->body.find("eddy_test_requests_total{api=\"produce\"} 5\n"), std::string::npos);
}

TEST_F(HttpEndpointTest, MetricsReflectsLiveValues) {
  registry_.AddGauge("eddy_test_level", "Level.").Get().Set(17);
  auto res = GetPath(endpoint_.port(), "/metrics");
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find("eddy_test_level 17\n"), std::string::npos);
}

TEST_F(HttpEndpointTest, HealthzIsOk) {
  auto res = GetPath(endpoint_.port(), "/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "ok");
}

TEST_F(HttpEndpointTest, ReadyzFollowsSetReady) {
  auto before = GetPath(endpoint_.port(), "/readyz");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->status, 503);
  EXPECT_EQ(before->body, "not ready");

  endpoint_.SetReady(true);
  auto after = GetPath(endpoint_.port(), "/readyz");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(after->body, "ready");

  endpoint_.SetReady(false);
  auto again = GetPath(endpoint_.port(), "/readyz");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 503);
}

TEST_F(HttpEndpointTest, UnknownPathIs404) {
  auto res = GetPath(endpoint_.port(), "/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  auto metrics_child = GetPath(endpoint_.port(), "/metrics/extra");
  ASSERT_TRUE(metrics_child);
  EXPECT_EQ(metrics_child->status, 404);
}

TEST_F(HttpEndpointTest, StopRefusesConnectionsAndIsIdempotent) {
  const int port = endpoint_.port();
  ASSERT_TRUE(GetPath(port, "/healthz"));
  endpoint_.Stop();
  endpoint_.Stop();
  auto res = GetPath(port, "/healthz");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), httplib::Error::Connection);
}

TEST_F(HttpEndpointTest, StopIsPromptWithIdleKeepAliveClient) {
  httplib::Client client(kLoopback, endpoint_.port());
  client.set_keep_alive(true);
  ASSERT_TRUE(client.Get("/healthz"));  // asks to keep the connection open
  ASSERT_TRUE(client.Get("/healthz"));  // the server closed it; the client reconnects
  const auto start = std::chrono::steady_clock::now();
  endpoint_.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

TEST_F(HttpEndpointTest, StartTwiceFails) {
  EXPECT_EQ(endpoint_.Start().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(HttpEndpointStandaloneTest, TwoEndpointsOnDistinctPorts) {
  Registry a_registry;
  Registry b_registry;
  a_registry.AddGauge("which", "Which.").Get().Set(1);
  b_registry.AddGauge("which", "Which.").Get().Set(2);
  HttpEndpoint a(a_registry, kLoopback, 0);
  HttpEndpoint b(b_registry, kLoopback, 0);
  ASSERT_TRUE(a.Start().ok());
  ASSERT_TRUE(b.Start().ok());
  EXPECT_NE(a.port(), b.port());
  auto a_res = GetPath(a.port(), "/metrics");
  auto b_res = GetPath(b.port(), "/metrics");
  ASSERT_TRUE(a_res);
  ASSERT_TRUE(b_res);
  EXPECT_NE(a_res->body.find("which 1\n"), std::string::npos);
  EXPECT_NE(b_res->body.find("which 2\n"), std::string::npos);
}

TEST(HttpEndpointStandaloneTest, TakenPortIsUnavailableAndNamesAddress) {
  Registry registry;
  HttpEndpoint first(registry, kLoopback, 0);
  ASSERT_TRUE(first.Start().ok());
  HttpEndpoint second(registry, kLoopback, first.port());
  const absl::Status status = second.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_NE(status.message().find("127.0.0.1:" + std::to_string(first.port())), std::string::npos)
      << status;
  EXPECT_EQ(second.port(), 0);
}

TEST(HttpEndpointStandaloneTest, InvalidAddressIsInvalidArgument) {
  Registry registry;
  HttpEndpoint bad_port(registry, kLoopback, 70000);
  EXPECT_EQ(bad_port.Start().code(), absl::StatusCode::kInvalidArgument);
  HttpEndpoint empty_host(registry, "", 0);
  EXPECT_EQ(empty_host.Start().code(), absl::StatusCode::kInvalidArgument);
}

TEST(HttpEndpointStandaloneTest, UnresolvableHostIsUnavailable) {
  Registry registry;
  HttpEndpoint endpoint(registry, "no-such-host.invalid", 0);
  const absl::Status status = endpoint.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_NE(status.message().find("no-such-host.invalid:0"), std::string::npos) << status;
}

TEST(HttpEndpointStandaloneTest, RestartAfterStop) {
  Registry registry;
  HttpEndpoint endpoint(registry, kLoopback, 0);
  ASSERT_TRUE(endpoint.Start().ok());
  endpoint.Stop();
  ASSERT_TRUE(endpoint.Start().ok());
  auto res = GetPath(endpoint.port(), "/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(HttpEndpointStandaloneTest, DestroyWithoutStartOrStop) {
  Registry registry;
  { HttpEndpoint never_started(registry, kLoopback, 0); }
  {
    HttpEndpoint started(registry, kLoopback, 0);
    ASSERT_TRUE(started.Start().ok());
  }
}

}  // namespace
}  // namespace eddy::metrics
