// GatewayMetrics: the request-level series of the Kafka front door — per API request rate, latency
// and error codes, and requests by client software (KIP-511 name/version). Children for every
// advertised API are resolved at construction; error and client-software children on first use
// (client software combinations are capped, the rest count as "other").
//
// Thread-safety: thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "absl/synchronization/mutex.h"
#include "libs/metrics/registry.h"

namespace eddy::gateway {

class GatewayMetrics {
 public:
  GatewayMetrics(metrics::Registry& registry, const std::string& prefix);

  void Request(int16_t api_key);
  void Latency(int16_t api_key, double seconds);
  // Error counts one non-zero Kafka error code in a response of `api_key`.
  void Error(int16_t api_key, int16_t error_code);
  void ClientSoftware(const std::string& name, const std::string& version);

 private:
  static constexpr int kMaxApiKey = 128;
  static constexpr int kMaxSoftwareSeries = 64;

  metrics::Family<metrics::Counter>& requests_;
  metrics::Family<metrics::Histogram>& latency_;
  metrics::Family<metrics::Counter>& errors_;
  metrics::Family<metrics::Counter>& software_;
  std::array<metrics::Counter*, kMaxApiKey> request_by_api_{};
  std::array<metrics::Histogram*, kMaxApiKey> latency_by_api_{};
  absl::Mutex mu_;
  int software_series_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace eddy::gateway
