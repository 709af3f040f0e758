#include "services/registry/registry_metrics.h"

#include "absl/strings/str_cat.h"

namespace eddy::registry {

RegistryMetrics::RegistryMetrics(metrics::Registry& registry, const RegistryStore* store)
    : requests_(registry.AddCounter("eddy_registry_rest_requests_total",
                                    "REST requests answered, by route pattern, method and status.",
                                    {"route", "method", "status"})),
      latency_(registry.AddHistogram("eddy_registry_rest_request_duration_seconds",
                                     "REST request latency by route pattern.",
                                     metrics::LatencyBucketsSeconds(), {"route"})),
      compatibility_failures_(
          registry
              .AddCounter("eddy_registry_compatibility_failures_total",
                          "Registrations refused because the schema is incompatible.")
              .Get()) {
  if (store != nullptr) {
    registry.AddGaugeCallback("eddy_registry_schemas", "Schemas stored (distinct ids).",
                              [store] { return static_cast<double>(store->SchemaCount()); });
    registry.AddGaugeCallback("eddy_registry_subjects",
                              "Subjects with at least one version, soft-deleted ones included.",
                              [store] { return static_cast<double>(store->SubjectCount()); });
  }
}

void RegistryMetrics::ObserveRequest(const std::string& route, const std::string& method,
                                     int status, double seconds) {
  metrics::Histogram* latency = nullptr;
  metrics::Counter* counter = nullptr;
  const std::pair<std::string, int> key(method, status);
  {
    absl::ReaderMutexLock lock(&mu_);
    if (auto it = routes_.find(route); it != routes_.end()) {
      latency = it->second.latency;
      if (auto c = it->second.requests.find(key); c != it->second.requests.end()) counter = c->second;
    }
  }
  if (latency == nullptr || counter == nullptr) {
    absl::MutexLock lock(&mu_);
    RouteSeries& series = routes_[route];
    if (series.latency == nullptr) series.latency = &latency_.WithLabels({route});
    metrics::Counter*& slot = series.requests[key];
    if (slot == nullptr) slot = &requests_.WithLabels({route, method, absl::StrCat(status)});
    latency = series.latency;
    counter = slot;
  }
  counter->Inc();
  latency->Observe(seconds);
}

}  // namespace eddy::registry
