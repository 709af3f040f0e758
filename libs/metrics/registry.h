#pragma once

// Metrics: counters, gauges and histograms grouped into labelled families, held by a Registry that
// renders them in the Prometheus text exposition format 0.0.4 (prometheus-cpp is not packaged for
// Debian 12, so this is ours).
//
// Usage: each component builds one metrics struct at startup, registering its families and
// resolving the label combinations it knows about (`WithLabels`) once; the hot path then only calls
// `Inc`/`Set`/`Observe` on cached references, which are lock-free atomics.
//
// Invariants:
//  - Every family, child and callback lives as long as its Registry; references never dangle or
//  move.
//  - Programming errors (invalid or duplicate names, wrong label count, bad buckets) abort the
//    process with a message naming the metric: they are found by the first test that runs the code.
//  - Exposition is deterministic: families sorted by name, children sorted by label values.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace eddy::metrics {

// Counter is a monotonically increasing value (requests, bytes, errors).
// Thread-safety: all methods are lock-free and safe to call concurrently.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Inc adds `v`. Negative and NaN increments are ignored: a counter never goes down.
  void Inc(double v = 1);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Gauge is a value that goes up and down (queue depth, bytes in flight).
// Thread-safety: all methods are lock-free and safe to call concurrently.
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  void Dec(double v = 1) { value_.fetch_sub(v, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// HistogramSnapshot is a point-in-time copy of a histogram, as exposed.
struct HistogramSnapshot {
  std::vector<double> upper_bounds;         // finite, strictly increasing; "+Inf" is implicit
  std::vector<uint64_t> cumulative_counts;  // size upper_bounds.size() + 1; last is the +Inf bucket
  uint64_t count = 0;                       // == cumulative_counts.back()
  double sum = 0;
};

// Histogram counts observations into fixed buckets (`le` upper bounds, inclusive) and tracks their
// sum. Buckets are stored non-cumulatively and made cumulative on exposition.
// Thread-safety: Observe/Count/Sum/Snapshot are lock-free and safe to call concurrently.
class Histogram {
 public:
  // REQUIRES: `upper_bounds` finite and strictly increasing (Registry::AddHistogram validates).
  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Observe records `v` in the first bucket whose bound is >= v (NaN lands in +Inf only).
  void Observe(double v);
  // Count is the number of observations (the +Inf bucket).
  uint64_t Count() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }
  HistogramSnapshot Snapshot() const;

 private:
  const std::vector<double> upper_bounds_;
  const std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // upper_bounds_.size() + 1 slots
  std::atomic<double> sum_{0};
};

class Registry;

// Family is a named metric with a fixed list of label names; each distinct list of label values is
// one child series. Instantiated for Counter, Gauge and Histogram.
// Thread-safety: all methods are safe to call concurrently.
template <typename Metric>
class Family {
 public:
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // WithLabels returns the child for these label values, creating it on first use. The reference
  // stays valid for the registry's life: cache it, so the hot path only increments.
  // REQUIRES: values.size() == label_names().size() (aborts otherwise).
  Metric& WithLabels(const std::vector<std::string>& values);
  // Get returns the only child of a family without labels (aborts if the family has labels).
  Metric& Get();

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

 private:
  friend class Registry;
  using Child = std::pair<const std::vector<std::string>*, const Metric*>;

  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::function<std::unique_ptr<Metric>()> make_child);
  // Children returns every child in label-value order.
  std::vector<Child> Children() const;

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::function<std::unique_ptr<Metric>()> make_child_;
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_ ABSL_GUARDED_BY(mu_);
};

// Registry owns metric families and renders them for scraping. One per daemon, passed to the
// components that register metrics; there is no global registry.
//
// Names must match [a-zA-Z_:][a-zA-Z0-9_:]*; label names [a-zA-Z_][a-zA-Z0-9_]* without a leading
// "__" (and not "le" on histograms). Counter names must end in "_total". Registering a name twice,
// or one that collides with a histogram's _bucket/_sum/_count series, aborts.
// Thread-safety: all methods are safe to call concurrently.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Family<Counter>& AddCounter(std::string_view name, std::string_view help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(std::string_view name, std::string_view help,
                          std::vector<std::string> label_names = {});
  // AddHistogram: `buckets` are the finite upper bounds, strictly increasing (a trailing +Inf is
  // accepted and dropped; +Inf is always exposed).
  Family<Histogram>& AddHistogram(std::string_view name, std::string_view help,
                                  std::vector<double> buckets,
                                  std::vector<std::string> label_names = {});
  // AddGaugeCallback registers a gauge computed at scrape time (queue depths, lease counts).
  // `value` runs on the scraping thread (without registry locks held): it must be thread-safe,
  // quick, and valid for the registry's life.
  void AddGaugeCallback(std::string_view name, std::string_view help,
                        std::function<double()> value);
  // AddCounterCallback is AddGaugeCallback for a monotonic value read elsewhere (CPU seconds).
  void AddCounterCallback(std::string_view name, std::string_view help,
                          std::function<double()> value);

  // Expose renders every family in the Prometheus text exposition format 0.0.4: families sorted by
  // name, children by label values; families with no children yet are omitted.
  std::string Expose() const;

 private:
  struct Entry;

  // Register validates the name and reserves it (and its derived series names) or aborts.
  Entry& Register(std::string_view name, std::string_view help,
                  const std::vector<std::string>& label_names, std::vector<std::string> series)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string, std::less<>> series_owner_ ABSL_GUARDED_BY(mu_);
};

// AddProcessMetrics registers the standard process metrics, read from /proc at scrape time:
// process_start_time_seconds, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_cpu_seconds_total, process_open_fds, process_max_fds; and
// eddy_build_info{daemon,version} = 1. Call once per registry.
void AddProcessMetrics(Registry& registry, std::string_view daemon, std::string_view version);

// ExponentialBuckets returns `count` bounds start, start*factor, start*factor^2, ...
// REQUIRES: start > 0, factor > 1, count >= 1 (aborts otherwise).
std::vector<double> ExponentialBuckets(double start, double factor, int count);

// LatencyBucketsSeconds is the default latency layout: 1-2.5-5 steps from 100us to 10s.
std::vector<double> LatencyBucketsSeconds();

}  // namespace eddy::metrics
