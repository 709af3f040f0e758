// StorageMetrics are the partition-log metrics a broker exposes, aggregated over all the logs that
// share one instance (per-partition series would be unbounded). Built once at startup from the
// daemon's Registry and passed to PartitionLog::Open; the hot path only increments cached handles.
// Names follow eddy_<service>_<subsystem>_<thing>_<unit> with service "broker".
#pragma once

#include "libs/metrics/registry.h"

namespace eddy::storage {

struct StorageMetrics {
  explicit StorageMetrics(metrics::Registry& registry);

  metrics::Gauge& segments;               // segment files open, all logs
  metrics::Gauge& bytes;                  // bytes in segment files, all logs
  metrics::Counter& appended_bytes;       // batch bytes appended
  metrics::Counter& read_bytes;           // batch bytes returned by reads
  metrics::Counter& corrupt_batches;      // CRC or framing failures found on read or recovery
  metrics::Histogram& flush_latency;      // seconds per flush (fsync of data and directory)
  metrics::Histogram& recovery_duration;  // seconds per log open, recovery included
  metrics::Counter& recovered_truncated_bytes;  // invalid tail bytes cut off at open
  metrics::Counter& cleaner_passes;       // compaction passes that ran
  metrics::Counter& cleaner_records_removed;
  metrics::Counter& cleaner_bytes_reclaimed;
  metrics::Counter& retention_segments_deleted;
};

}  // namespace eddy::storage
