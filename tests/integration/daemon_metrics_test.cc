// Every daemon serves /metrics that Prometheus's own checker accepts, plus /healthz and /readyz.
#include <cstdio>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/testing/local_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;

class DaemonMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LocalClusterOptions options;
    options.bin_dir = EDDY_BIN_DIR;
    options.keep_data_if = [] { return ::testing::Test::HasFailure(); };
    cluster_ = std::make_unique<LocalCluster>(options);
    EDDY_ASSERT_OK(cluster_->Start());
  }

  std::unique_ptr<LocalCluster> cluster_;
};

TEST_F(DaemonMetricsTest, EveryDaemonsMetricsPassPromtool) {
  for (Role role :
       {Role::kController, Role::kBroker, Role::kCoordinator, Role::kRegistry, Role::kGateway}) {
    SCOPED_TRACE(RoleName(role));
    const std::string address = cluster_->HttpAddress(role);
    httplib::Client client("http://" + address);
    auto metrics = client.Get("/metrics");
    ASSERT_TRUE(metrics) << "GET /metrics on " << address;
    ASSERT_EQ(metrics->status, 200);
    EXPECT_THAT(metrics->get_header_value("Content-Type"), HasSubstr("version=0.0.4"));
    EXPECT_THAT(metrics->body, HasSubstr("eddy_build_info{"));
    EXPECT_THAT(metrics->body, HasSubstr("process_start_time_seconds"));
    if (role == Role::kController) {
      EXPECT_THAT(metrics->body,
                  HasSubstr("eddy_controller_members{role=\"broker\",state=\"active\"}"));
    } else {
      EXPECT_THAT(metrics->body, HasSubstr(absl::StrCat("eddy_", RoleName(role),
                                                        "_membership_registered 1")));
    }

    const std::string path = cluster_->data_dir() + "/" + std::string(RoleName(role)) + ".prom";
    std::ofstream(path) << metrics->body;
    EDDY_ASSERT_OK_AND_ASSIGN(
        ProcessResult check,
        RunProcess({"/bin/sh", "-c", "exec promtool check metrics < '" + path + "'"}));
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    EXPECT_EQ(check.err, "") << "promtool complained";

    auto health = client.Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    auto ready = client.Get("/readyz");
    ASSERT_TRUE(ready);
    EXPECT_EQ(ready->status, 200);
  }
}

}  // namespace
}  // namespace eddy::testing
