#include "services/gateway/gateway_metrics.h"

#include "libs/kafka/api_table.h"
#include "libs/kafka/error_codes.h"
#include "services/gateway/api_support.h"

namespace eddy::gateway {
namespace {

std::string ApiName(int16_t api_key) {
  const kafka::ApiInfo* info = kafka::FindApi(api_key);
  return info == nullptr ? std::to_string(api_key) : std::string(info->name);
}

}  // namespace

GatewayMetrics::GatewayMetrics(metrics::Registry& registry, const std::string& prefix)
    : requests_(registry.AddCounter(prefix + "_kafka_requests_total",
                                    "Kafka requests received, by API.", {"api"})),
      latency_(registry.AddHistogram(prefix + "_kafka_request_latency_seconds",
                                     "Time from reading a Kafka request to its response being "
                                     "ready, by API.",
                                     metrics::LatencyBucketsSeconds(), {"api"})),
      errors_(registry.AddCounter(prefix + "_kafka_errors_total",
                                  "Non-zero Kafka error codes sent, by API and error.",
                                  {"api", "error"})),
      software_(registry.AddCounter(prefix + "_kafka_client_requests_total",
                                    "Kafka requests by client software name and version "
                                    "(KIP-511).",
                                    {"software_name", "software_version"})) {
  for (const SupportedApi& api : SupportedApis()) {
    if (api.api_key < 0 || api.api_key >= kMaxApiKey) continue;
    const std::string name = ApiName(api.api_key);
    request_by_api_[api.api_key] = &requests_.WithLabels({name});
    latency_by_api_[api.api_key] = &latency_.WithLabels({name});
  }
}

void GatewayMetrics::Request(int16_t api_key) {
  if (api_key >= 0 && api_key < kMaxApiKey && request_by_api_[api_key] != nullptr) {
    request_by_api_[api_key]->Inc();
  }
}

void GatewayMetrics::Latency(int16_t api_key, double seconds) {
  if (api_key >= 0 && api_key < kMaxApiKey && latency_by_api_[api_key] != nullptr) {
    latency_by_api_[api_key]->Observe(seconds);
  }
}

void GatewayMetrics::Error(int16_t api_key, int16_t error_code) {
  if (error_code == 0) return;
  errors_.WithLabels({ApiName(api_key), std::string(kafka::ErrorName(error_code))}).Inc();
}

void GatewayMetrics::ClientSoftware(const std::string& name, const std::string& version) {
  {
    absl::MutexLock lock(&mu_);
    // Bounded cardinality: past the cap, new combinations share one series.
    if (software_series_ >= kMaxSoftwareSeries) {
      software_.WithLabels({"other", "other"}).Inc();
      return;
    }
  }
  metrics::Counter& counter = software_.WithLabels({name, version});
  if (counter.Value() == 0) {
    absl::MutexLock lock(&mu_);
    ++software_series_;
  }
  counter.Inc();
}

}  // namespace eddy::gateway
