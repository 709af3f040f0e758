// BrokerMetrics is the data plane's metrics (issue 6): bytes and records in/out per topic, produce
// latency by acks, fetch latency by kind (consumer / follower), replication bytes, and gauges read
// from the ReplicaManager at scrape time (hosted, leader, under-replicated and offline partitions,
// the largest follower lag) plus its ISR shrink/expand counts. Per-topic series stay bounded by
// the topic count; they can be switched off with per_topic = false.
// Thread-safety: all methods are thread-safe; per-topic handles are created once per topic.
#pragma once

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/metrics/registry.h"

namespace eddy::broker {

class ReplicaManager;

class BrokerMetrics {
 public:
  BrokerMetrics(metrics::Registry& registry, bool per_topic);

  // Watch registers the scrape-time gauges over `replicas`, which must outlive the registry's use.
  void Watch(const ReplicaManager& replicas);

  void BytesIn(const std::string& topic, int64_t bytes, int64_t records);
  void BytesOut(const std::string& topic, int64_t bytes, int64_t records);
  void ReplicationBytesIn(int64_t bytes) { replication_bytes_in_.Inc(static_cast<double>(bytes)); }
  void ProduceLatency(int acks, absl::Duration latency);
  void FetchLatency(bool follower, absl::Duration latency);
  // ReplicaFetch records one follower fetch cycle as this broker's fetcher saw it: request sent to
  // answer read (the leader's long-poll and the transport), and applying the answer to the logs.
  // Together with the leader's acks=all latency they show where replication time goes.
  void ReplicaFetch(absl::Duration round_trip, absl::Duration apply);

 private:
  struct TopicHandles {
    metrics::Counter* bytes_in;
    metrics::Counter* records_in;
    metrics::Counter* bytes_out;
    metrics::Counter* records_out;
  };
  TopicHandles& Topic(const std::string& topic);

  metrics::Registry& registry_;
  const bool per_topic_;
  metrics::Family<metrics::Counter>& bytes_in_;
  metrics::Family<metrics::Counter>& records_in_;
  metrics::Family<metrics::Counter>& bytes_out_;
  metrics::Family<metrics::Counter>& records_out_;
  metrics::Counter& replication_bytes_in_;
  metrics::Family<metrics::Histogram>& produce_latency_;
  metrics::Family<metrics::Histogram>& fetch_latency_;
  metrics::Histogram& produce_acks0_;
  metrics::Histogram& produce_acks1_;
  metrics::Histogram& produce_acks_all_;
  metrics::Histogram& fetch_consumer_;
  metrics::Histogram& fetch_follower_;
  metrics::Family<metrics::Histogram>& replica_fetch_;
  metrics::Histogram& replica_fetch_round_trip_;
  metrics::Histogram& replica_fetch_apply_;
  absl::Mutex mu_;
  std::map<std::string, TopicHandles> topics_ ABSL_GUARDED_BY(mu_);
};

}  // namespace eddy::broker
