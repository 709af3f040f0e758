#include "services/broker/broker_metrics.h"

#include "services/broker/replica_manager.h"

namespace eddy::broker {

BrokerMetrics::BrokerMetrics(metrics::Registry& registry, bool per_topic)
    : registry_(registry),
      per_topic_(per_topic),
      bytes_in_(registry.AddCounter("eddy_broker_topic_bytes_in_total",
                                    "Record bytes appended by produce requests, per topic.",
                                    {"topic"})),
      records_in_(registry.AddCounter("eddy_broker_topic_records_in_total",
                                      "Records appended by produce requests, per topic.",
                                      {"topic"})),
      bytes_out_(registry.AddCounter("eddy_broker_topic_bytes_out_total",
                                     "Record bytes returned to consumer fetches, per topic.",
                                     {"topic"})),
      records_out_(registry.AddCounter("eddy_broker_topic_batches_out_total",
                                       "Record batches returned to consumer fetches, per topic.",
                                       {"topic"})),
      replication_bytes_in_(registry
                                .AddCounter("eddy_broker_replication_bytes_in_total",
                                            "Record bytes appended as follower.")
                                .Get()),
      produce_latency_(registry.AddHistogram("eddy_broker_produce_latency_seconds",
                                             "Produce request latency, by acks.",
                                             metrics::LatencyBucketsSeconds(), {"acks"})),
      fetch_latency_(registry.AddHistogram("eddy_broker_fetch_latency_seconds",
                                           "Fetch request latency (long-poll included), by kind.",
                                           metrics::LatencyBucketsSeconds(), {"kind"})),
      produce_acks0_(produce_latency_.WithLabels({"0"})),
      produce_acks1_(produce_latency_.WithLabels({"1"})),
      produce_acks_all_(produce_latency_.WithLabels({"all"})),
      fetch_consumer_(fetch_latency_.WithLabels({"consumer"})),
      fetch_follower_(fetch_latency_.WithLabels({"follower"})),
      replica_fetch_(registry.AddHistogram(
          "eddy_broker_replica_fetch_seconds",
          "This broker's follower fetch cycles, by stage: round_trip (request sent to answer "
          "read, long-poll included) and apply (answer appended to the logs).",
          metrics::LatencyBucketsSeconds(), {"stage"})),
      replica_fetch_round_trip_(replica_fetch_.WithLabels({"round_trip"})),
      replica_fetch_apply_(replica_fetch_.WithLabels({"apply"})) {}

void BrokerMetrics::Watch(const ReplicaManager& replicas) {
  const ReplicaManager* r = &replicas;
  registry_.AddGaugeCallback("eddy_broker_partitions", "Partition replicas hosted here.",
                             [r] { return static_cast<double>(r->Counts().partitions); });
  registry_.AddGaugeCallback("eddy_broker_leader_partitions", "Partitions this broker leads.",
                             [r] { return static_cast<double>(r->Counts().leaders); });
  registry_.AddGaugeCallback("eddy_broker_under_replicated_partitions",
                             "Led partitions whose ISR is smaller than their replica set.",
                             [r] { return static_cast<double>(r->Counts().under_replicated); });
  registry_.AddGaugeCallback("eddy_broker_offline_partitions",
                             "Partitions in the metadata without a leader.",
                             [r] { return static_cast<double>(r->Counts().offline); });
  registry_.AddGaugeCallback("eddy_broker_follower_max_lag_records",
                             "Largest follower lag behind this broker's logs, in offsets.",
                             [r] { return static_cast<double>(r->Counts().max_follower_lag); });
  registry_.AddCounterCallback("eddy_broker_isr_shrinks_total", "ISR shrinks this broker made.",
                               [r] { return static_cast<double>(r->isr_shrinks()); });
  registry_.AddCounterCallback("eddy_broker_isr_expands_total", "ISR expansions this broker made.",
                               [r] { return static_cast<double>(r->isr_expands()); });
}

BrokerMetrics::TopicHandles& BrokerMetrics::Topic(const std::string& topic) {
  absl::MutexLock lock(&mu_);
  const std::string label = per_topic_ ? topic : "";
  auto it = topics_.find(label);
  if (it != topics_.end()) return it->second;
  TopicHandles handles{&bytes_in_.WithLabels({label}), &records_in_.WithLabels({label}),
                       &bytes_out_.WithLabels({label}), &records_out_.WithLabels({label})};
  return topics_.emplace(label, handles).first->second;
}

void BrokerMetrics::BytesIn(const std::string& topic, int64_t bytes, int64_t records) {
  TopicHandles& h = Topic(topic);
  h.bytes_in->Inc(static_cast<double>(bytes));
  h.records_in->Inc(static_cast<double>(records));
}

void BrokerMetrics::BytesOut(const std::string& topic, int64_t bytes, int64_t batches) {
  TopicHandles& h = Topic(topic);
  h.bytes_out->Inc(static_cast<double>(bytes));
  h.records_out->Inc(static_cast<double>(batches));
}

void BrokerMetrics::ProduceLatency(int acks, absl::Duration latency) {
  metrics::Histogram& h = acks == 0   ? produce_acks0_
                          : acks == 1 ? produce_acks1_
                                      : produce_acks_all_;
  h.Observe(absl::ToDoubleSeconds(latency));
}

void BrokerMetrics::ReplicaFetch(absl::Duration round_trip, absl::Duration apply) {
  replica_fetch_round_trip_.Observe(absl::ToDoubleSeconds(round_trip));
  replica_fetch_apply_.Observe(absl::ToDoubleSeconds(apply));
}

void BrokerMetrics::FetchLatency(bool follower, absl::Duration latency) {
  (follower ? fetch_follower_ : fetch_consumer_).Observe(absl::ToDoubleSeconds(latency));
}

}  // namespace eddy::broker
