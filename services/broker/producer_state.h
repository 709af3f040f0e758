// ProducerStateTable is one partition's idempotence and transaction bookkeeping, as Kafka's
// ProducerStateManager / ProducerAppendInfo: per producer id the epoch, the metadata of its last 5
// batches (so a retried batch is recognised and answered with its original offsets), the
// coordinator epoch of its last transaction marker, and the first offset of its open transaction
// (the last stable offset is the smallest of those).
//
// A leader calls CheckBatch before appending a client batch and ApplyBatch with the offsets the log
// assigned; followers and log recovery call ReplayBatch, which updates without validating (Kafka's
// ValidationType.NONE for replication and recovery). Rules (KIP-98, KIP-360, KIP-588):
//   - an epoch older than the producer's → INVALID_PRODUCER_EPOCH;
//   - same epoch: the batch must follow the last sequence (INT32_MAX wraps to 0), else
//     OUT_OF_ORDER_SEQUENCE_NUMBER, unless it repeats one of the last 5 batches exactly
//     (duplicate);
//   - a newer epoch must start at sequence 0 (OUT_OF_ORDER_SEQUENCE_NUMBER otherwise); a producer
//   the
//     table does not know is accepted at any sequence, as Kafka since 2.5 (its state may have gone
//     with retention or DeleteRecords), instead of the older UNKNOWN_PRODUCER_ID;
//   - a non-transactional batch while the producer has an open transaction → INVALID_TXN_STATE.
// A producer without an open transaction expires producer.id.expiration.ms after its last batch's
// timestamp (measured on the injected clock, as Kafka compares record time with wall time).
// Thread-safety: none; the partition serialises check, append and apply.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "libs/common/strong_id.h"
#include "libs/kafka/error_codes.h"
#include "libs/kafka/record_batch.h"
#include "libs/storage/producer_snapshot.h"
#include "services/broker/produce_validation.h"

namespace eddy::storage {
class PartitionLog;
}

namespace eddy::broker {

// kMaxBatchesPerProducer: how many recent batches are kept for duplicate detection (Kafka's
// ProducerStateEntry.NUM_BATCHES_TO_RETAIN, matching max.in.flight.requests.per.connection <= 5).
inline constexpr size_t kMaxBatchesPerProducer = 5;

// ProducerBatchMetadata is one appended batch of a producer.
struct ProducerBatchMetadata {
  int32_t first_sequence = -1;
  int32_t last_sequence = -1;
  Offset first_offset{-1};
  Offset last_offset{-1};
  int64_t timestamp_ms = -1;

  friend bool operator==(const ProducerBatchMetadata&, const ProducerBatchMetadata&) = default;
};

// ProducerEntry is the state of one producer id.
struct ProducerEntry {
  ProducerEpoch epoch{-1};                    // -1: no batch of this producer seen yet
  std::deque<ProducerBatchMetadata> batches;  // oldest first, at most kMaxBatchesPerProducer
  int32_t coordinator_epoch = -1;
  int64_t last_timestamp_ms = -1;
  std::optional<Offset> current_txn_first_offset;
};

// BatchCheck is CheckBatch's verdict: an error, a duplicate (answer with its original offsets and
// append nothing), or neither (append).
struct BatchCheck {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  std::optional<ProducerBatchMetadata> duplicate;
};

// CompletedTxn is a transaction a marker ended (for the aborted-transaction index and the LSO).
struct CompletedTxn {
  ProducerId producer_id;
  Offset first_offset;
  Offset last_offset;  // the marker's offset
  bool aborted = false;

  friend bool operator==(const CompletedTxn&, const CompletedTxn&) = default;
};

// MarkerResult is ApplyEndTxnMarker's verdict and the transaction the marker ended, if any was
// open.
struct MarkerResult {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  std::optional<CompletedTxn> completed;
};

struct ProducerStateOptions {
  // producer.id.expiration.ms: default 1 day.
  absl::Duration producer_id_expiration = absl::Hours(24);
};

class ProducerStateTable {
 public:
  ProducerStateTable(ProducerStateOptions options, common::Clock& clock)
      : options_(options), clock_(clock) {}

  // CheckBatch validates a client batch against the producer's state without changing it.
  BatchCheck CheckBatch(const ValidatedBatch& batch) const;

  // ApplyBatch records an appended data batch at [first_offset, last_offset]. Under LogAppendTime
  // the caller sets batch.max_timestamp to the stamped append time first.
  // REQUIRES: CheckBatch accepted it (not as a duplicate), or it is replicated/recovered data.
  void ApplyBatch(const ValidatedBatch& batch, Offset first_offset, Offset last_offset);

  // ApplyEndTxnMarker records a COMMIT/ABORT marker at `offset`. With `validate` (leader writing a
  // marker) an older producer epoch is INVALID_PRODUCER_EPOCH and an older coordinator epoch
  // TRANSACTION_COORDINATOR_FENCED (state unchanged), as Kafka's appendEndTxnMarker.
  MarkerResult ApplyEndTxnMarker(ProducerId producer_id, ProducerEpoch epoch, bool commit,
                                 int32_t coordinator_epoch, Offset offset, int64_t timestamp_ms,
                                 bool validate);

  // ReplayBatch applies one batch read from the log (data or marker) without validation, as
  // followers and recovery do. InvalidArgument for a malformed control record.
  absl::Status ReplayBatch(const kafka::RecordBatchView& batch);

  // ReplayRecords replays every whole batch of a RECORDS blob in order.
  absl::Status ReplayRecords(std::span<const uint8_t> records);

  // RemoveExpiredProducers drops producers without an open transaction whose last batch is at least
  // producer.id.expiration.ms old. Returns how many were removed.
  int RemoveExpiredProducers();

  // TruncateBelow drops producers whose last batch lies wholly below `log_start` (retention or
  // DeleteRecords removed their data), as Kafka's truncateHead.
  void TruncateBelow(Offset log_start);

  // FirstOpenTransactionOffset is the smallest first offset of an open transaction (the LSO bound).
  std::optional<Offset> FirstOpenTransactionOffset() const;

  // Snapshot returns the state as snapshot entries (only each producer's last batch survives, as in
  // Kafka's snapshot format). Restore replaces the table with `entries`, skipping expired ones.
  std::vector<storage::ProducerSnapshotEntry> Snapshot() const;
  void Restore(const std::vector<storage::ProducerSnapshotEntry>& entries);

  const ProducerEntry* Find(ProducerId producer_id) const;
  size_t size() const { return producers_.size(); }

 private:
  bool Expired(const ProducerEntry& entry, absl::Time now) const;

  ProducerStateOptions options_;
  common::Clock& clock_;
  std::map<ProducerId, ProducerEntry> producers_;
};

// DecrementSequence is DefaultRecordBatch.decrementSequence: `sequence - by`, wrapping below 0 to
// INT32_MAX.
int32_t DecrementSequence(int32_t sequence, int32_t by);

// RebuildProducerState replays `log` from `from` to its end into `table` (restart or becoming
// leader: restore the newest snapshot, then replay the tail past it). Returns the log end replayed
// to.
absl::StatusOr<Offset> RebuildProducerState(const storage::PartitionLog& log, Offset from,
                                            ProducerStateTable& table);

}  // namespace eddy::broker
