// Validates Registry::Expose output with Prometheus' own linter, `promtool check metrics`
// (installed by ./dev at /usr/bin/promtool): it parses the text format and reports problems.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "libs/metrics/registry.h"

namespace eddy::metrics {
namespace {

constexpr char kPromtool[] = "/usr/bin/promtool";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

struct PromtoolResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

PromtoolResult CheckMetrics(const std::string& exposition) {
  const std::string dir = ::testing::TempDir();
  const std::string input = dir + "/metrics_promtool_input_" + std::to_string(getpid()) + ".prom";
  const std::string output = dir + "/metrics_promtool_output_" + std::to_string(getpid()) + ".txt";
  {
    std::ofstream out(input, std::ios::binary);
    out << exposition;
  }
  const std::string command =
      std::string(kPromtool) + " check metrics < " + input + " > " + output + " 2>&1";
  const int status = std::system(command.c_str());
  PromtoolResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.output = ReadFile(output);
  std::remove(input.c_str());
  std::remove(output.c_str());
  return result;
}

TEST(PromtoolTest, PromtoolIsInstalled) {
  ASSERT_EQ(access(kPromtool, X_OK), 0) << kPromtool << " missing: run ./dev to install it";
}

TEST(PromtoolTest, EveryMetricKindPassesCheckMetrics) {
  ASSERT_EQ(access(kPromtool, X_OK), 0) << kPromtool << " missing: run ./dev to install it";
  Registry registry;
  AddProcessMetrics(registry, "broker", "0.1.0+dev \"quoted\"");
  auto& requests = registry.AddCounter("eddy_gateway_requests_total",
                                       "Kafka requests handled, by API.\nSecond help line \\.",
                                       {"api", "client_id"});
  requests.WithLabels({"produce", "kcat \"v1\"\\path\nnext"}).Inc(12);
  requests.WithLabels({"fetch", ""}).Inc();
  registry.AddGauge("eddy_broker_partition_leaders", "Partitions led by this broker.").Get().Set(7);
  auto& values = registry.AddGauge("eddy_test_special_values", "Special float values.", {"case"});
  values.WithLabels({"pinf"}).Set(std::numeric_limits<double>::infinity());
  values.WithLabels({"ninf"}).Set(-std::numeric_limits<double>::infinity());
  values.WithLabels({"nan"}).Set(std::numeric_limits<double>::quiet_NaN());
  values.WithLabels({"big"}).Set(1e22);
  values.WithLabels({"small"}).Set(-1e-7);
  auto& latency = registry.AddHistogram("eddy_rpc_latency_seconds", "RPC latency.",
                                        LatencyBucketsSeconds(), {"method"});
  latency.WithLabels({"Fetch"}).Observe(0.003);
  latency.WithLabels({"Fetch"}).Observe(42);
  latency.WithLabels({"Append"}).Observe(0.0001);
  registry.AddHistogram("eddy_storage_batch_bytes", "Batch sizes.", ExponentialBuckets(64, 4, 8))
      .Get()
      .Observe(5000);
  registry.AddGaugeCallback("eddy_coordinator_queue_depth", "Queued requests.", [] { return 3.0; });

  const std::string text = registry.Expose();
  ASSERT_NE(text.find("le=\"+Inf\""), std::string::npos);
  const PromtoolResult result = CheckMetrics(text);
  EXPECT_EQ(result.exit_code, 0) << result.output << "\n--- input ---\n" << text;
  EXPECT_EQ(result.output, "") << "\n--- input ---\n" << text;
}

TEST(PromtoolTest, DetectsBrokenInput) {
  // Guards the harness itself: a malformed exposition must be reported.
  ASSERT_EQ(access(kPromtool, X_OK), 0);
  const PromtoolResult result = CheckMetrics("# TYPE x counter\nx{a=\"unterminated} 1\n");
  EXPECT_NE(result.exit_code, 0) << result.output;
}

}  // namespace
}  // namespace eddy::metrics
