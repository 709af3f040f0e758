// The librdkafka load generator behind `./dev bench produce|consume|e2e`: the same producer and
// consumer configuration against any Kafka bootstrap (Eddy's gateway or librdkafka's mock cluster),
// 1 KiB records spread over a topic's partitions, results with throughput and latency percentiles.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace eddy::bench {

struct LoadOptions {
  std::string bootstrap;
  std::string topic;
  int partitions = 16;
  int record_bytes = 1024;
  // The producer's acks: 1 or -1 (all).
  int acks = 1;
  // Produce and EndToEnd: fixed-count mode when > 0, else fixed-duration mode for `seconds`.
  int64_t count = 0;
  double seconds = 0;
  // Records per second offered (open loop); 0 produces as fast as the producer's queue allows.
  double rate = 0;
  // The producer's queue.buffering.max.messages: how many records may wait for delivery, which
  // bounds the delivery latency of a closed-loop run.
  int queue_messages = 10000;
  // Whole-run limit; a run that has not finished by then fails.
  double timeout_seconds = 300;
};

struct LoadResult {
  int64_t messages = 0;
  int64_t bytes = 0;
  double seconds = 0;
  double mb_per_s = 0;  // 10^6 bytes of record values per second
  double msgs_per_s = 0;
  // Produce: delivery-report latency from produce() to the callback. EndToEnd: from produce() to
  // the consumer seeing the record (the send time travels in the payload). Consume: unset.
  double p50_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
};

// Produce sends one warm-up record per partition (untimed), then the records round-robin over the
// partitions, and waits for every delivery report. Any failed delivery fails the run.
absl::StatusOr<LoadResult> Produce(const LoadOptions& options);

// Consume reads every record the partitions hold, from the beginning of each (the simple consumer
// with one queue: no consumer group), and measures from the first record to the last (warm-up
// records are read but not counted).
absl::StatusOr<LoadResult> Consume(const LoadOptions& options);

// EndToEnd starts a consumer at the start of an empty topic, then produces at `options.rate` for
// `options.count` records or `options.seconds`, and reports produce-to-consume latency.
absl::StatusOr<LoadResult> EndToEnd(const LoadOptions& options);

}  // namespace eddy::bench
