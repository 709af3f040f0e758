#include "libs/rpc/channel_cache.h"

#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include "libs/rpc/deadline.h"
#include "libs/rpc/internal/fake_controller.h"
#include "libs/rpc/server.h"
#include "libs/rpc/status.h"
#include "tests/testing/status_matchers.h"

namespace eddy::rpc {
namespace {

using ::eddy::testing::IsOk;

TEST(ChannelCacheTest, SameTargetSameChannel) {
  ChannelCache cache(grpc::InsecureChannelCredentials());
  auto a = cache.Get("127.0.0.1:1");
  auto b = cache.Get(std::string("127.0.0.1:") + "1");
  auto c = cache.Get("127.0.0.1:2");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ChannelCacheTest, EraseMakesANewChannel) {
  ChannelCache cache(grpc::InsecureChannelCredentials());
  auto a = cache.Get("127.0.0.1:1");
  cache.Erase("127.0.0.1:1");
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_NE(cache.Get("127.0.0.1:1"), a);
}

TEST(ChannelCacheTest, ConcurrentGetsShareOneChannel) {
  ChannelCache cache(grpc::InsecureChannelCredentials());
  std::vector<std::shared_ptr<grpc::Channel>> got(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] { got[i] = cache.Get("127.0.0.1:7"); });
  }
  for (auto& t : threads) t.join();
  for (const auto& channel : got) EXPECT_EQ(channel, got[0]);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ChannelCacheTest, ChannelReachesServer) {
  internal::FakeController service("cached");
  GrpcServer server(ServerOptions{});
  server.AddService(&service);
  EDDY_ASSERT_OK(server.Start());

  ChannelCache cache(grpc::InsecureChannelCredentials());
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext context;
    SetDeadline(context, absl::Seconds(10));
    std::string cluster_id;
    EXPECT_THAT(FromGrpcStatus(internal::CallGetClusterStatus(*cache.Get(server.target()),
                                                              context, &cluster_id)),
                IsOk());
    EXPECT_EQ(cluster_id, "cached");
  }
  EXPECT_EQ(service.calls(), 3);
}

}  // namespace
}  // namespace eddy::rpc
