// RegistryMetrics: the registry's metrics, registered once in a daemon's metrics::Registry.
//   eddy_registry_rest_requests_total{route,method,status}  requests answered
//   eddy_registry_rest_request_duration_seconds{route}        latency histogram
//   eddy_registry_schemas / eddy_registry_subjects            sizes, read at scrape time
//   eddy_registry_compatibility_failures_total               registrations refused as incompatible
// Routes are the router's patterns, so label cardinality is bounded by the route table.
// Thread-safety: all methods are safe to call concurrently; once a (route, method, status) series
// exists the request path only takes a shared lock to find it.
#pragma once

#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "libs/metrics/registry.h"
#include "services/registry/registry_store.h"

namespace eddy::registry {

class RegistryMetrics {
 public:
  // `store` (may be null) must outlive `registry`'s scrapes.
  RegistryMetrics(metrics::Registry& registry, const RegistryStore* store);

  // ObserveRequest counts one answered request. `route` is a route pattern or "unknown".
  void ObserveRequest(const std::string& route, const std::string& method, int status,
                      double seconds);
  void CompatibilityFailure() { compatibility_failures_.Inc(); }

 private:
  struct RouteSeries {
    metrics::Histogram* latency = nullptr;
    absl::flat_hash_map<std::pair<std::string, int>, metrics::Counter*> requests;
  };

  metrics::Family<metrics::Counter>& requests_;
  metrics::Family<metrics::Histogram>& latency_;
  metrics::Counter& compatibility_failures_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, RouteSeries> routes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace eddy::registry
