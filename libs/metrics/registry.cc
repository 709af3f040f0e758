#include "libs/metrics/registry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/metrics/internal/text_format.h"

namespace eddy::metrics {
namespace {

using internal::ToAbsl;

// Fail reports a metrics programming error (bad name, duplicate, wrong label count) and aborts:
// such errors are bugs in the caller, found by the first test that exercises the code.
[[noreturn]] void Fail(std::string_view message) {
  std::fprintf(stderr, "eddy::metrics: %.*s\n", static_cast<int>(message.size()), message.data());
  std::fflush(stderr);
  std::abort();
}

void AppendLabels(std::string& out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view le = {}) {
  if (names.empty() && le.empty()) return;
  out += '{';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    internal::AppendEscapedLabelValue(out, values[i]);
    out += '"';
  }
  if (!le.empty()) {
    if (!names.empty()) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

void AppendSample(std::string& out, std::string_view name, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, double value, std::string_view le = {}) {
  out += name;
  AppendLabels(out, names, values, le);
  out += ' ';
  internal::AppendDouble(out, value);
  out += '\n';
}

void AppendHeader(std::string& out, std::string_view name, std::string_view help,
                  std::string_view type) {
  absl::StrAppend(&out, "# HELP ", ToAbsl(name), " ");
  internal::AppendEscapedHelp(out, help);
  absl::StrAppend(&out, "\n# TYPE ", ToAbsl(name), " ", ToAbsl(type), "\n");
}

std::vector<double> ValidatedBuckets(std::string_view name, std::vector<double> buckets) {
  if (!buckets.empty() && std::isinf(buckets.back()) && buckets.back() > 0) buckets.pop_back();
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (!std::isfinite(buckets[i])) {
      Fail(absl::StrCat("histogram ", ToAbsl(name), ": bucket bound ", i, " is not finite"));
    }
    if (i > 0 && !(buckets[i - 1] < buckets[i])) {
      Fail(absl::StrCat("histogram ", ToAbsl(name), ": bucket bounds must be strictly increasing"));
    }
  }
  return buckets;
}

}  // namespace

void Counter::Inc(double v) {
  if (!(v >= 0)) return;  // negative or NaN: a counter never goes down
  value_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(upper_bounds_.size() + 1)) {}

void Histogram::Observe(double v) {
  // NaN compares false against every bound, so it falls through to the +Inf bucket.
  const size_t bucket =
      std::isnan(v)
          ? upper_bounds_.size()
          : static_cast<size_t>(std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), v) -
                                upper_bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

uint64_t Histogram::Count() const {
  uint64_t total = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
  }
  return total;
}

HistogramSnapshot Histogram::Snapshot() const {
  HistogramSnapshot snapshot;
  snapshot.upper_bounds = upper_bounds_;
  snapshot.cumulative_counts.reserve(upper_bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulative_counts.push_back(running);
  }
  snapshot.count = running;
  snapshot.sum = Sum();
  return snapshot;
}

template <typename Metric>
Family<Metric>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                       std::function<std::unique_ptr<Metric>()> make_child)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      make_child_(std::move(make_child)) {}

template <typename Metric>
Metric& Family<Metric>::WithLabels(const std::vector<std::string>& values) {
  if (values.size() != label_names_.size()) {
    Fail(absl::StrCat("metric ", name_, ": got ", values.size(), " label values for ",
                      label_names_.size(), " label names (", absl::StrJoin(label_names_, ","),
                      ")"));
  }
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = children_.find(values);
    if (it != children_.end()) return *it->second;
  }
  absl::MutexLock lock(&mu_);
  auto& child = children_[values];
  if (child == nullptr) child = make_child_();
  return *child;
}

template <typename Metric>
Metric& Family<Metric>::Get() {
  if (!label_names_.empty()) {
    Fail(absl::StrCat("metric ", name_, ": Get() on a family with labels (",
                      absl::StrJoin(label_names_, ","), "); use WithLabels"));
  }
  return WithLabels({});
}

template <typename Metric>
std::vector<typename Family<Metric>::Child> Family<Metric>::Children() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<Child> children;
  children.reserve(children_.size());
  for (const auto& [values, metric] : children_) children.emplace_back(&values, metric.get());
  return children;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

struct Registry::Entry {
  struct Callback {
    std::string_view type;  // "gauge" or "counter"
    std::function<double()> value;
  };
  std::string name;
  std::string help;
  std::variant<std::monostate, std::unique_ptr<Family<Counter>>, std::unique_ptr<Family<Gauge>>,
               std::unique_ptr<Family<Histogram>>, Callback>
      metric;
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Entry& Registry::Register(std::string_view name, std::string_view help,
                                    const std::vector<std::string>& label_names,
                                    std::vector<std::string> series) {
  if (!internal::IsValidMetricName(name)) {
    Fail(absl::StrCat("invalid metric name \"", ToAbsl(name),
                      "\": must match [a-zA-Z_:][a-zA-Z0-9_:]*"));
  }
  std::set<std::string_view> seen;
  for (const std::string& label : label_names) {
    if (!internal::IsValidLabelName(label)) {
      Fail(absl::StrCat("metric ", ToAbsl(name), ": invalid label name \"", label,
                        "\": must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __"));
    }
    if (!seen.insert(label).second) {
      Fail(absl::StrCat("metric ", ToAbsl(name), ": duplicate label name \"", label, "\""));
    }
  }
  for (const std::string& s : series) {
    auto it = series_owner_.find(s);
    if (it != series_owner_.end()) {
      Fail(absl::StrCat("metric ", ToAbsl(name), " registered twice (series ", s,
                        " already belongs to metric ", it->second, ")"));
    }
  }
  for (std::string& s : series) series_owner_.emplace(std::move(s), std::string(name));
  auto entry = std::make_unique<Entry>();
  entry->name = std::string(name);
  entry->help = std::string(help);
  Entry& ref = *entry;
  entries_.emplace(entry->name, std::move(entry));
  return ref;
}

Family<Counter>& Registry::AddCounter(std::string_view name, std::string_view help,
                                      std::vector<std::string> label_names) {
  if (!name.ends_with("_total")) {
    Fail(absl::StrCat("counter ", ToAbsl(name), ": counter names must end in _total"));
  }
  absl::MutexLock lock(&mu_);
  Entry& entry = Register(name, help, label_names, {std::string(name)});
  auto* family = new Family<Counter>(entry.name, entry.help, std::move(label_names),
                                     [] { return std::make_unique<Counter>(); });
  entry.metric = std::unique_ptr<Family<Counter>>(family);
  if (family->label_names().empty()) family->Get();  // expose 0 before the first Inc
  return *family;
}

Family<Gauge>& Registry::AddGauge(std::string_view name, std::string_view help,
                                  std::vector<std::string> label_names) {
  absl::MutexLock lock(&mu_);
  Entry& entry = Register(name, help, label_names, {std::string(name)});
  auto* family = new Family<Gauge>(entry.name, entry.help, std::move(label_names),
                                   [] { return std::make_unique<Gauge>(); });
  entry.metric = std::unique_ptr<Family<Gauge>>(family);
  if (family->label_names().empty()) family->Get();
  return *family;
}

Family<Histogram>& Registry::AddHistogram(std::string_view name, std::string_view help,
                                          std::vector<double> buckets,
                                          std::vector<std::string> label_names) {
  if (std::find(label_names.begin(), label_names.end(), "le") != label_names.end()) {
    Fail(absl::StrCat("histogram ", ToAbsl(name), ": label name \"le\" is reserved for buckets"));
  }
  std::vector<double> bounds = ValidatedBuckets(name, std::move(buckets));
  absl::MutexLock lock(&mu_);
  Entry& entry =
      Register(name, help, label_names,
               {std::string(name), absl::StrCat(ToAbsl(name), "_bucket"),
                absl::StrCat(ToAbsl(name), "_sum"), absl::StrCat(ToAbsl(name), "_count")});
  auto* family = new Family<Histogram>(
      entry.name, entry.help, std::move(label_names),
      [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); });
  entry.metric = std::unique_ptr<Family<Histogram>>(family);
  if (family->label_names().empty()) family->Get();
  return *family;
}

void Registry::AddGaugeCallback(std::string_view name, std::string_view help,
                                std::function<double()> value) {
  if (value == nullptr) Fail(absl::StrCat("gauge callback ", ToAbsl(name), ": null function"));
  absl::MutexLock lock(&mu_);
  Entry& entry = Register(name, help, {}, {std::string(name)});
  entry.metric = Entry::Callback{"gauge", std::move(value)};
}

void Registry::AddCounterCallback(std::string_view name, std::string_view help,
                                  std::function<double()> value) {
  if (!name.ends_with("_total")) {
    Fail(absl::StrCat("counter ", ToAbsl(name), ": counter names must end in _total"));
  }
  if (value == nullptr) Fail(absl::StrCat("counter callback ", ToAbsl(name), ": null function"));
  absl::MutexLock lock(&mu_);
  Entry& entry = Register(name, help, {}, {std::string(name)});
  entry.metric = Entry::Callback{"counter", std::move(value)};
}

std::string Registry::Expose() const {
  // Entries are never removed or changed once registered, so render from a snapshot of pointers
  // without the lock: callbacks may then take their component's locks in any order.
  std::vector<const Entry*> entries;
  {
    absl::ReaderMutexLock lock(&mu_);
    entries.reserve(entries_.size());
    for (const auto& [name, entry] : entries_) entries.push_back(entry.get());
  }
  std::string out;
  for (const Entry* entry : entries) {
    const std::string& name = entry->name;
    const std::string& help = entry->help;
    if (const auto* f = std::get_if<std::unique_ptr<Family<Counter>>>(&entry->metric)) {
      const auto children = (*f)->Children();
      if (children.empty()) continue;
      AppendHeader(out, name, help, "counter");
      for (const auto& [values, counter] : children) {
        AppendSample(out, name, (*f)->label_names(), *values, counter->Value());
      }
    } else if (const auto* f = std::get_if<std::unique_ptr<Family<Gauge>>>(&entry->metric)) {
      const auto children = (*f)->Children();
      if (children.empty()) continue;
      AppendHeader(out, name, help, "gauge");
      for (const auto& [values, gauge] : children) {
        AppendSample(out, name, (*f)->label_names(), *values, gauge->Value());
      }
    } else if (const auto* f = std::get_if<std::unique_ptr<Family<Histogram>>>(&entry->metric)) {
      const auto children = (*f)->Children();
      if (children.empty()) continue;
      AppendHeader(out, name, help, "histogram");
      const std::string bucket_name = absl::StrCat(name, "_bucket");
      const std::string sum_name = absl::StrCat(name, "_sum");
      const std::string count_name = absl::StrCat(name, "_count");
      const auto& label_names = (*f)->label_names();
      for (const auto& [values, histogram] : children) {
        const HistogramSnapshot s = histogram->Snapshot();
        for (size_t i = 0; i < s.upper_bounds.size(); ++i) {
          AppendSample(out, bucket_name, label_names, *values,
                       static_cast<double>(s.cumulative_counts[i]),
                       internal::FormatDouble(s.upper_bounds[i]));
        }
        AppendSample(out, bucket_name, label_names, *values, static_cast<double>(s.count), "+Inf");
        AppendSample(out, sum_name, label_names, *values, s.sum);
        AppendSample(out, count_name, label_names, *values, static_cast<double>(s.count));
      }
    } else if (const auto* cb = std::get_if<Entry::Callback>(&entry->metric)) {
      AppendHeader(out, name, help, cb->type);
      AppendSample(out, name, {}, {}, cb->value());
    }
  }
  return out;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  if (!(start > 0) || !(factor > 1) || count < 1 || !std::isfinite(start) ||
      !std::isfinite(factor)) {
    Fail(absl::StrCat("ExponentialBuckets(", start, ", ", factor, ", ", count,
                      "): need start > 0, factor > 1, count >= 1"));
  }
  std::vector<double> buckets;
  buckets.reserve(count);
  for (int i = 0; i < count; ++i) {
    // One rounding per bound (not accumulated), so decimal steps stay clean: 0.001, 0.01, 0.1.
    buckets.push_back(start * std::pow(factor, i));
  }
  return buckets;
}

std::vector<double> LatencyBucketsSeconds() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

}  // namespace eddy::metrics
