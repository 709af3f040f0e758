// TestProducer is the idempotent, acks=all producer the broker durability tests drive through the
// Data stream until the gateway exists: one thread per partition, one batch in flight per
// partition, every batch retried with the same producer id and sequence (to whichever broker leads
// now, found in the controller's metadata) until it is acknowledged, as a Kafka idempotent producer
// with max.in.flight = 1 does. Records are keyed "p<partition>-k<j>" with values "<key>#<n>", n the
// key's own counter, so a reader can check exactly-once and per-key order.
// ReadPartition and CheckExactlyOnce verify what a final read shows against what was acknowledged.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "tests/testing/data_stream_client.h"

namespace eddy::testing {

struct TestProducerOptions {
  std::string controller;                  // host:port, for leader lookups
  std::map<int32_t, std::string> brokers;  // broker id → host:port
  std::string topic;
  int32_t partitions = 1;
  int64_t producer_id = 4242;
  int records_per_batch = 50;
  int keys_per_partition = 10;
  int acks = -1;
  int request_timeout_ms = 3000;
  // A batch not acknowledged within this is a failure (the cluster did not recover).
  absl::Duration batch_deadline = absl::Seconds(45);
};

class TestProducer {
 public:
  explicit TestProducer(TestProducerOptions options) : options_(std::move(options)) {}

  // Run produces `records_per_partition` records to every partition and returns once all are
  // acknowledged, or the first failure.
  absl::Status Run(int64_t records_per_partition);

  // Allow lets each partition's thread send up to `records_per_partition` records in all (default:
  // unlimited); a thread at its limit waits until the limit is raised. Tests use it to keep
  // records in flight across each fault on fast machines.
  void Allow(int64_t records_per_partition);

  // acked_records counts acknowledged records so far (any thread).
  int64_t acked_records() const { return acked_.load(); }
  // retries counts batches sent again after an error or timeout.
  int64_t retries() const { return retries_.load(); }
  // Acknowledged returns, per partition, the acknowledged values in the order sent.
  std::map<int32_t, std::vector<std::string>> Acknowledged() const;

 private:
  absl::Status RunPartition(int32_t partition, int64_t records);

  const TestProducerOptions options_;
  std::atomic<int64_t> acked_{0};
  std::atomic<int64_t> retries_{0};
  absl::Mutex allow_mu_;
  int64_t allowed_ ABSL_GUARDED_BY(allow_mu_) = std::numeric_limits<int64_t>::max();
  mutable absl::Mutex mu_;
  std::map<int32_t, std::vector<std::string>> acknowledged_ ABSL_GUARDED_BY(mu_);
};

// ReadPartition reads topic/partition from its current leader from the log start up to the high
// watermark (what a consumer sees).
absl::StatusOr<std::vector<DecodedRecord>> ReadPartition(const TestProducerOptions& cluster,
                                                         int32_t partition);

// CheckExactlyOnce compares a partition's read records with the acknowledged values: every
// acknowledged value exactly once, nothing duplicated, each key's counter strictly increasing.
// Returns a description of the first violations (empty: all good).
std::string CheckExactlyOnce(const std::vector<DecodedRecord>& read,
                             const std::vector<std::string>& acknowledged);

}  // namespace eddy::testing
