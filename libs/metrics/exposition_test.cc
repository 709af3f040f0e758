// Golden tests of Registry::Expose against the Prometheus text exposition format 0.0.4.

#include <limits>
#include <string>

#include "gtest/gtest.h"
#include "libs/metrics/registry.h"

namespace eddy::metrics {
namespace {

TEST(ExpositionTest, EmptyRegistryIsEmpty) {
  Registry registry;
  EXPECT_EQ(registry.Expose(), "");
}

TEST(ExpositionTest, CounterWithLabelsSortedByValues) {
  Registry registry;
  auto& requests = registry.AddCounter("eddy_gateway_requests_total", "Kafka requests handled.",
                                       {"api", "version"});
  requests.WithLabels({"produce", "9"}).Inc(3);
  requests.WithLabels({"fetch", "12"}).Inc();
  requests.WithLabels({"api_versions", "3"});
  EXPECT_EQ(registry.Expose(),
            "# HELP eddy_gateway_requests_total Kafka requests handled.\n"
            "# TYPE eddy_gateway_requests_total counter\n"
            "eddy_gateway_requests_total{api=\"api_versions\",version=\"3\"} 0\n"
            "eddy_gateway_requests_total{api=\"fetch\",version=\"12\"} 1\n"
            "eddy_gateway_requests_total{api=\"produce\",version=\"9\"} 3\n");
}

TEST(ExpositionTest, UnlabelledFamiliesExposeZeroAtOnce) {
  Registry registry;
  registry.AddCounter("b_total", "B.");
  registry.AddGauge("a", "A.");
  EXPECT_EQ(registry.Expose(),
            "# HELP a A.\n"
            "# TYPE a gauge\n"
            "a 0\n"
            "# HELP b_total B.\n"
            "# TYPE b_total counter\n"
            "b_total 0\n");
}

TEST(ExpositionTest, LabelledFamilyWithoutChildrenIsOmitted) {
  Registry registry;
  registry.AddCounter("unused_total", "Unused.", {"x"});
  EXPECT_EQ(registry.Expose(), "");
}

TEST(ExpositionTest, GaugeValuesAndSpecialFloats) {
  Registry registry;
  auto& g = registry.AddGauge("eddy_test_value", "Values.", {"case"});
  g.WithLabels({"int"}).Set(1e6);
  g.WithLabels({"frac"}).Set(0.25);
  g.WithLabels({"neg"}).Set(-3);
  g.WithLabels({"pinf"}).Set(std::numeric_limits<double>::infinity());
  g.WithLabels({"ninf"}).Set(-std::numeric_limits<double>::infinity());
  g.WithLabels({"nan"}).Set(std::numeric_limits<double>::quiet_NaN());
  g.WithLabels({"tiny"}).Set(1e-9);
  EXPECT_EQ(registry.Expose(),
            "# HELP eddy_test_value Values.\n"
            "# TYPE eddy_test_value gauge\n"
            "eddy_test_value{case=\"frac\"} 0.25\n"
            "eddy_test_value{case=\"int\"} 1000000\n"
            "eddy_test_value{case=\"nan\"} NaN\n"
            "eddy_test_value{case=\"neg\"} -3\n"
            "eddy_test_value{case=\"ninf\"} -Inf\n"
            "eddy_test_value{case=\"pinf\"} +Inf\n"
            "eddy_test_value{case=\"tiny\"} 1e-09\n");
}

TEST(ExpositionTest, HelpAndLabelValuesAreEscaped) {
  Registry registry;
  registry.AddGauge("escaped", "Line one\nline two with \\ and \"quotes\".", {"path"})
      .WithLabels({"C:\\dir\n\"quoted\""})
      .Set(1);
  EXPECT_EQ(registry.Expose(),
            "# HELP escaped Line one\\nline two with \\\\ and \"quotes\".\n"
            "# TYPE escaped gauge\n"
            "escaped{path=\"C:\\\\dir\\n\\\"quoted\\\"\"} 1\n");
}

TEST(ExpositionTest, HistogramIsCumulativeWithInfSumAndCount) {
  Registry registry;
  auto& latency = registry.AddHistogram("eddy_rpc_latency_seconds", "RPC latency.", {0.005, 0.1, 1},
                                        {"method"});
  Histogram& fetch = latency.WithLabels({"Fetch"});
  fetch.Observe(0.001);
  fetch.Observe(0.05);
  fetch.Observe(0.05);
  fetch.Observe(3);
  latency.WithLabels({"Append"}).Observe(0.1);
  EXPECT_EQ(registry.Expose(),
            "# HELP eddy_rpc_latency_seconds RPC latency.\n"
            "# TYPE eddy_rpc_latency_seconds histogram\n"
            "eddy_rpc_latency_seconds_bucket{method=\"Append\",le=\"0.005\"} 0\n"
            "eddy_rpc_latency_seconds_bucket{method=\"Append\",le=\"0.1\"} 1\n"
            "eddy_rpc_latency_seconds_bucket{method=\"Append\",le=\"1\"} 1\n"
            "eddy_rpc_latency_seconds_bucket{method=\"Append\",le=\"+Inf\"} 1\n"
            "eddy_rpc_latency_seconds_sum{method=\"Append\"} 0.1\n"
            "eddy_rpc_latency_seconds_count{method=\"Append\"} 1\n"
            "eddy_rpc_latency_seconds_bucket{method=\"Fetch\",le=\"0.005\"} 1\n"
            "eddy_rpc_latency_seconds_bucket{method=\"Fetch\",le=\"0.1\"} 3\n"
            "eddy_rpc_latency_seconds_bucket{method=\"Fetch\",le=\"1\"} 3\n"
            "eddy_rpc_latency_seconds_bucket{method=\"Fetch\",le=\"+Inf\"} 4\n"
            "eddy_rpc_latency_seconds_sum{method=\"Fetch\"} 3.101\n"
            "eddy_rpc_latency_seconds_count{method=\"Fetch\"} 4\n");
}

TEST(ExpositionTest, UnlabelledHistogramAndTrailingInfBucketDropped) {
  Registry registry;
  auto& h = registry
                .AddHistogram("batch_bytes", "Batch size.",
                              {1024, 1048576, std::numeric_limits<double>::infinity()})
                .Get();
  h.Observe(2048);
  EXPECT_EQ(registry.Expose(),
            "# HELP batch_bytes Batch size.\n"
            "# TYPE batch_bytes histogram\n"
            "batch_bytes_bucket{le=\"1024\"} 0\n"
            "batch_bytes_bucket{le=\"1048576\"} 1\n"
            "batch_bytes_bucket{le=\"+Inf\"} 1\n"
            "batch_bytes_sum 2048\n"
            "batch_bytes_count 1\n");
}

TEST(ExpositionTest, DefaultLatencyBucketBoundsPrintPlainly) {
  Registry registry;
  registry.AddHistogram("l_seconds", "L.", LatencyBucketsSeconds());
  const std::string text = registry.Expose();
  for (const char* le : {"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
                         "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"}) {
    EXPECT_NE(text.find(std::string("l_seconds_bucket{le=\"") + le + "\"} 0\n"), std::string::npos)
        << le;
  }
}

TEST(ExpositionTest, CallbacksAreEvaluatedAtScrapeTime) {
  Registry registry;
  double depth = 1;
  registry.AddGaugeCallback("queue_depth", "Queue depth.", [&depth] { return depth; });
  registry.AddCounterCallback("ticks_total", "Ticks.", [] { return 7.0; });
  EXPECT_EQ(registry.Expose(),
            "# HELP queue_depth Queue depth.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 1\n"
            "# HELP ticks_total Ticks.\n"
            "# TYPE ticks_total counter\n"
            "ticks_total 7\n");
  depth = 42;
  EXPECT_NE(registry.Expose().find("queue_depth 42\n"), std::string::npos);
}

TEST(ExpositionTest, FamiliesSortedByNameAcrossKinds) {
  Registry registry;
  registry.AddGauge("zeta", "Z.");
  registry.AddHistogram("mid", "M.", {1});
  registry.AddCounter("alpha_total", "A.");
  registry.AddGaugeCallback("beta", "B.", [] { return 0.0; });
  const std::string text = registry.Expose();
  const size_t alpha = text.find("# HELP alpha_total");
  const size_t beta = text.find("# HELP beta");
  const size_t mid = text.find("# HELP mid");
  const size_t zeta = text.find("# HELP zeta");
  ASSERT_NE(zeta, std::string::npos);
  EXPECT_LT(alpha, beta);
  EXPECT_LT(beta, mid);
  EXPECT_LT(mid, zeta);
}

}  // namespace
}  // namespace eddy::metrics
