// Replica fetchers: as follower, this broker pulls every partition it follows from that partition's
// leader over one long-lived ReplicaFetch stream per leader broker, batched across partitions (one
// FetchRequest for all of them, as Kafka's fetcher threads). Each answer is applied per partition:
// appended at the log end with the leader's high watermark and log start, or, when the leader
// reports a divergence, truncated to the leader's epoch end offset (KIP-101), or restarted at the
// leader's log start when the follower fell behind retention. Stale answers (the partition moved to
// another leader epoch meanwhile) are dropped by the Partition.
// A fetch that gets no answer within max_wait + request_timeout (a paused leader) is cancelled and
// the stream reopened with backoff; a stream error reconnects the same way.
// Thread-safety: ReplicaFetchers is thread-safe; each leader's fetcher runs on its own thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/rpc/channel_cache.h"
#include "services/broker/broker_metrics.h"
#include "services/broker/replica_manager.h"

namespace eddy::broker {

struct ReplicaFetcherOptions {
  BrokerId self;
  // replica.fetch.wait.max.ms: the leader's long-poll bound. Default 500.
  absl::Duration max_wait = absl::Milliseconds(500);
  // replica.fetch.max.bytes (per partition) and replica.fetch.response.max.bytes.
  int32_t partition_max_bytes = 1 << 20;
  int32_t response_max_bytes = 10 << 20;
  // replica.fetch.backoff.ms: pause after an error.
  absl::Duration backoff = absl::Milliseconds(100);
  // How long past max_wait an answer may take before the fetch is cancelled.
  absl::Duration request_timeout = absl::Seconds(5);
};

class ReplicaFetcher;

class ReplicaFetchers {
 public:
  ReplicaFetchers(ReplicaFetcherOptions options, rpc::ChannelCache& channels,
                  BrokerMetrics* metrics);
  ~ReplicaFetchers();

  // Update replaces the followed partitions (ReplicaManager's FollowersChanged).
  void Update(std::vector<FollowerAssignment> followers);
  // Stop ends every fetcher.
  void Stop();

 private:
  void Watch();

  const ReplicaFetcherOptions options_;
  rpc::ChannelCache& channels_;
  BrokerMetrics* const metrics_;
  absl::Mutex mu_;
  // Fetchers keyed by leader target ("host:port").
  std::map<std::string, std::unique_ptr<ReplicaFetcher>> fetchers_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread watchdog_;
};

}  // namespace eddy::broker
