#include "libs/storage/storage_metrics.h"

namespace eddy::storage {

StorageMetrics::StorageMetrics(metrics::Registry& r)
    : segments(r.AddGauge("eddy_broker_storage_segments", "Segment files held by open partition logs.").Get()),
      bytes(r.AddGauge("eddy_broker_storage_bytes", "Bytes in the segment files of open partition logs.").Get()),
      appended_bytes(r.AddCounter("eddy_broker_storage_appended_bytes_total",
                                  "Record batch bytes appended to partition logs.")
                         .Get()),
      read_bytes(r.AddCounter("eddy_broker_storage_read_bytes_total",
                              "Record batch bytes returned by partition log reads.")
                     .Get()),
      corrupt_batches(r.AddCounter("eddy_broker_storage_corrupt_batches_total",
                                   "Record batches that failed CRC or framing checks on read.")
                          .Get()),
      flush_latency(r.AddHistogram("eddy_broker_storage_flush_latency_seconds",
                                   "Time to fsync a partition log's unflushed data.", metrics::LatencyBucketsSeconds())
                        .Get()),
      recovery_duration(r.AddHistogram("eddy_broker_storage_recovery_duration_seconds",
                                       "Time to open a partition log, recovery included.",
                                       metrics::LatencyBucketsSeconds())
                            .Get()),
      recovered_truncated_bytes(r.AddCounter("eddy_broker_storage_recovery_truncated_bytes_total",
                                             "Invalid tail bytes cut off when opening partition logs.")
                                    .Get()),
      cleaner_passes(r.AddCounter("eddy_broker_storage_cleaner_passes_total", "Log compaction passes run.").Get()),
      cleaner_records_removed(r.AddCounter("eddy_broker_storage_cleaner_records_removed_total",
                                           "Records removed by log compaction.")
                                  .Get()),
      cleaner_bytes_reclaimed(r.AddCounter("eddy_broker_storage_cleaner_reclaimed_bytes_total",
                                           "Bytes reclaimed by log compaction.")
                                  .Get()),
      retention_segments_deleted(r.AddCounter("eddy_broker_storage_retention_deleted_segments_total",
                                              "Segments deleted by retention.ms / retention.bytes.")
                                     .Get()) {}

}  // namespace eddy::storage
