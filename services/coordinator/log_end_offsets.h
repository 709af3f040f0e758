// LogEndOffsetPoller supplies GroupMetrics' lag: the log end offset (high watermark) of every
// partition a group has committed offsets for. GroupMetrics asks for a partition on the shard's
// thread and gets the last value polled (nothing the first time); a poller thread asks each
// partition's leader for its latest offset (ListOffsets, timestamp -1, read_uncommitted: the high
// watermark, what a consumer's lag is measured against) every `interval`, one request per broker.
// Partitions nobody asked about for ten intervals are dropped.
// Thread-safety: Get from any thread; Start/Stop from one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/coordinator/coordinator_metadata.h"
#include "services/runtime/broker_data_path.h"

namespace eddy::coordinator {

class LogEndOffsetPoller {
 public:
  LogEndOffsetPoller(CoordinatorMetadata& metadata, runtime::BrokerDataPath& brokers,
                     absl::Duration interval);
  ~LogEndOffsetPoller();

  void Start();
  void Stop();
  std::optional<int64_t> Get(const std::string& topic, int32_t partition);
  // PollOnce asks the leaders once and waits for their answers (the poller thread; tests).
  void PollOnce();

 private:
  struct Entry {
    std::optional<int64_t> end;
    int idle_polls = 0;  // polls since the last Get
  };
  using Key = std::pair<std::string, int32_t>;

  CoordinatorMetadata& metadata_;
  runtime::BrokerDataPath& brokers_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  absl::flat_hash_map<Key, Entry> entries_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace eddy::coordinator
