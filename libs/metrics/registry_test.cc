#include "libs/metrics/registry.h"

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eddy::metrics {
namespace {

using ::testing::ElementsAre;

TEST(CounterTest, IncAddsAndIgnoresNegativeAndNaN) {
  Counter counter;
  EXPECT_EQ(counter.Value(), 0);
  counter.Inc();
  counter.Inc(2.5);
  counter.Inc(-10);
  counter.Inc(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(counter.Value(), 3.5);
}

TEST(GaugeTest, SetIncDec) {
  Gauge gauge;
  gauge.Set(10);
  gauge.Inc();
  gauge.Inc(4);
  gauge.Dec();
  gauge.Dec(20);
  EXPECT_EQ(gauge.Value(), -6);
}

TEST(HistogramTest, BucketsAreInclusiveUpperBounds) {
  Histogram histogram({1, 2, 5});
  for (double v : {0.5, 1.0, 1.5, 2.0, 4.0, 5.0, 6.0, 100.0}) histogram.Observe(v);
  const HistogramSnapshot s = histogram.Snapshot();
  EXPECT_THAT(s.upper_bounds, ElementsAre(1, 2, 5));
  EXPECT_THAT(s.cumulative_counts, ElementsAre(2, 4, 6, 8));
  EXPECT_EQ(s.count, 8u);
  EXPECT_EQ(histogram.Count(), 8u);
  EXPECT_EQ(histogram.Sum(), 120);
}

TEST(HistogramTest, NaNGoesToInfBucketOnly) {
  Histogram histogram({1});
  histogram.Observe(std::numeric_limits<double>::quiet_NaN());
  EXPECT_THAT(histogram.Snapshot().cumulative_counts, ElementsAre(0, 1));
  EXPECT_TRUE(std::isnan(histogram.Sum()));
}

TEST(FamilyTest, WithLabelsReturnsTheSameChild) {
  Registry registry;
  auto& family = registry.AddCounter("requests_total", "Requests.", {"api", "code"});
  Counter& a = family.WithLabels({"produce", "0"});
  Counter& b = family.WithLabels({"fetch", "0"});
  EXPECT_NE(&a, &b);
  EXPECT_EQ(&a, &family.WithLabels({"produce", "0"}));
  a.Inc(3);
  EXPECT_EQ(family.WithLabels({"produce", "0"}).Value(), 3);
  EXPECT_EQ(family.name(), "requests_total");
  EXPECT_THAT(family.label_names(), ElementsAre("api", "code"));
}

TEST(FamilyTest, GetOnUnlabelledFamilyIsStable) {
  Registry registry;
  auto& family = registry.AddGauge("depth", "Depth.");
  EXPECT_EQ(&family.Get(), &family.Get());
  EXPECT_EQ(&family.Get(), &family.WithLabels({}));
}

TEST(BucketsTest, Exponential) {
  EXPECT_THAT(ExponentialBuckets(1, 2, 4), ElementsAre(1, 2, 4, 8));
  EXPECT_THAT(ExponentialBuckets(0.5, 10, 3), ElementsAre(0.5, 5, 50));
  EXPECT_THAT(ExponentialBuckets(0.001, 10, 4), ElementsAre(0.001, 0.01, 0.1, 1));
}

TEST(BucketsTest, LatencyDefaultsSpan100usTo10s) {
  const std::vector<double> buckets = LatencyBucketsSeconds();
  ASSERT_FALSE(buckets.empty());
  EXPECT_EQ(buckets.front(), 0.0001);
  EXPECT_EQ(buckets.back(), 10);
  for (size_t i = 1; i < buckets.size(); ++i) EXPECT_LT(buckets[i - 1], buckets[i]);
}

TEST(RegistryConcurrencyTest, ConcurrentIncrementsAreExact) {
  Registry registry;
  auto& counters = registry.AddCounter("ops_total", "Ops.", {"thread_group"});
  auto& gauge = registry.AddGauge("level", "Level.").Get();
  auto& histogram = registry.AddHistogram("latency_seconds", "Latency.", {1, 2}).Get();
  constexpr int kThreads = 8;
  constexpr int kIterations = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Half the threads resolve the child concurrently with the others on every iteration.
      Counter& shared = counters.WithLabels({"shared"});
      for (int i = 0; i < kIterations; ++i) {
        shared.Inc();
        counters.WithLabels({t % 2 == 0 ? "even" : "odd"}).Inc(2);
        gauge.Inc();
        gauge.Dec(0.5);
        histogram.Observe(i % 3);  // 0, 1 -> bucket 1; 2 -> bucket 2
      }
    });
  }
  // Scrape concurrently with the writers: must not crash or deadlock.
  std::thread scraper([&] {
    for (int i = 0; i < 50; ++i) registry.Expose();
  });
  for (auto& thread : threads) thread.join();
  scraper.join();

  constexpr double kTotal = double{kThreads} * kIterations;
  EXPECT_EQ(counters.WithLabels({"shared"}).Value(), kTotal);
  EXPECT_EQ(counters.WithLabels({"even"}).Value(), kTotal);
  EXPECT_EQ(counters.WithLabels({"odd"}).Value(), kTotal);
  EXPECT_EQ(gauge.Value(), kTotal / 2);
  EXPECT_EQ(histogram.Count(), static_cast<uint64_t>(kTotal));
  const HistogramSnapshot s = histogram.Snapshot();
  EXPECT_EQ(s.cumulative_counts.back(), s.count);
}

TEST(RegistryConcurrencyTest, ConcurrentRegistrationAndScrape) {
  Registry registry;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        registry.AddGauge("g_" + std::to_string(t) + "_" + std::to_string(i), "G.").Get().Set(i);
        registry.Expose();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::string text = registry.Expose();
  EXPECT_NE(text.find("g_3_49 49\n"), std::string::npos);
}

using RegistryDeathTest = ::testing::Test;

TEST(RegistryDeathTest, DuplicateNameAborts) {
  Registry registry;
  registry.AddGauge("dup", "First.");
  EXPECT_DEATH(registry.AddGauge("dup", "Second."), "dup registered twice");
  EXPECT_DEATH(registry.AddGaugeCallback("dup", "Third.", [] { return 1.0; }),
               "dup registered twice");
}

TEST(RegistryDeathTest, HistogramSeriesCollisionAborts) {
  Registry registry;
  registry.AddHistogram("rpc_seconds", "Latency.", {1});
  EXPECT_DEATH(registry.AddGauge("rpc_seconds_count", "Clash."),
               "already belongs to metric rpc_seconds");
}

TEST(RegistryDeathTest, InvalidNamesAbort) {
  Registry registry;
  EXPECT_DEATH(registry.AddGauge("bad-name", "H."), "invalid metric name");
  EXPECT_DEATH(registry.AddGauge("g", "H.", {"__reserved"}), "invalid label name");
  EXPECT_DEATH(registry.AddGauge("g", "H.", {"a", "a"}), "duplicate label name");
  EXPECT_DEATH(registry.AddCounter("requests", "H."), "must end in _total");
  EXPECT_DEATH(registry.AddHistogram("h", "H.", {1}, {"le"}), "reserved");
  EXPECT_DEATH(registry.AddHistogram("h", "H.", {2, 1}), "strictly increasing");
  EXPECT_DEATH(registry.AddHistogram("h", "H.", {1, std::nan("")}), "not finite");
  EXPECT_DEATH(ExponentialBuckets(0, 2, 3), "ExponentialBuckets");
}

TEST(RegistryDeathTest, WrongLabelCountAborts) {
  Registry registry;
  auto& family = registry.AddCounter("x_total", "X.", {"a", "b"});
  EXPECT_DEATH(family.WithLabels({"only-one"}), "got 1 label values for 2 label names");
  EXPECT_DEATH(family.Get(), "Get\\(\\) on a family with labels");
}

}  // namespace
}  // namespace eddy::metrics
