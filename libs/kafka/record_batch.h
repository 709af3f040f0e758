// RecordBatch v2 (magic 2) as bytes with a typed, zero-copy read-only view (kafka-protocol.md §3;
// Kafka's DefaultRecordBatch / DefaultRecord). Batches travel through Eddy as the client's own
// bytes: RecordBatchView reads header fields in place, verifies the CRC-32C over bytes
// [21, end) (attributes to the end; baseOffset, batchLength, partitionLeaderEpoch and magic are
// outside it), and iterates records (ZigZag varints) after decompressing when the batch is
// compressed. The only in-place rewrites are the ones a leader performs: base offset and partition
// leader epoch (outside the CRC) and LogAppendTime stamping (which recomputes the CRC).
//
// Invariant: a RecordBatchView always spans exactly one batch of at least 61 bytes with magic 2
// and a consistent batchLength; it never reads outside that span.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/common/strong_id.h"
#include "libs/kafka/compression.h"

namespace eddy::kafka {

inline constexpr size_t kRecordBatchHeaderSize = 61;  // RECORD_BATCH_OVERHEAD
inline constexpr size_t kLogOverhead = 12;            // baseOffset + batchLength
inline constexpr size_t kMagicOffset = 16;
inline constexpr size_t kCrcOffset = 17;
inline constexpr size_t kAttributesOffset = 21;  // the CRC covers [21, end)

enum class TimestampType : int8_t { kCreateTime = 0, kLogAppendTime = 1 };

// ControlRecordType is the `type` in a control record's key (ControlRecordType.java).
enum class ControlRecordType : int16_t { kUnknown = -1, kAbort = 0, kCommit = 1 };

// RecordHeaderView is one record header: a UTF-8 key and an optional value, both viewing the batch.
struct RecordHeaderView {
  std::string_view key;
  std::optional<std::string_view> value;
};

// RecordView is one record inside a (decompressed) batch payload.
struct RecordView {
  int8_t attributes = 0;
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  std::optional<std::string_view> key;    // nullopt = null key
  std::optional<std::string_view> value;  // nullopt = tombstone
  int32_t header_count = 0;
  std::string_view headers;  // the encoded headers, parse with Headers()

  // Headers decodes this record's headers.
  absl::StatusOr<std::vector<RecordHeaderView>> Headers() const;
};

class RecordBatchView {
 public:
  // Parse views the batch at the start of `bytes` (which may hold more after it). Errors: fewer
  // than 61 bytes, magic != 2, or batchLength inconsistent with the buffer → InvalidArgument.
  static absl::StatusOr<RecordBatchView> Parse(std::span<const uint8_t> bytes);

  Offset base_offset() const { return Offset(Load64(0)); }
  int32_t batch_length() const { return Load32(8); }
  LeaderEpoch partition_leader_epoch() const { return LeaderEpoch(Load32(12)); }
  int8_t magic() const { return static_cast<int8_t>(bytes_[kMagicOffset]); }
  uint32_t crc() const { return static_cast<uint32_t>(Load32(kCrcOffset)); }
  int16_t attributes() const { return Load16(kAttributesOffset); }
  int32_t last_offset_delta() const { return Load32(23); }
  int64_t base_timestamp() const { return Load64(27); }
  int64_t max_timestamp() const { return Load64(35); }
  ProducerId producer_id() const { return ProducerId(Load64(43)); }
  ProducerEpoch producer_epoch() const { return ProducerEpoch(Load16(51)); }
  int32_t base_sequence() const { return Load32(53); }
  int32_t records_count() const { return Load32(57); }

  Compression compression() const { return static_cast<Compression>(attributes() & 0x07); }
  TimestampType timestamp_type() const {
    return (attributes() & 0x08) ? TimestampType::kLogAppendTime : TimestampType::kCreateTime;
  }
  bool is_transactional() const { return (attributes() & 0x10) != 0; }
  bool is_control() const { return (attributes() & 0x20) != 0; }
  bool has_delete_horizon() const { return (attributes() & 0x40) != 0; }
  Offset last_offset() const { return Offset(Load64(0) + last_offset_delta()); }

  // bytes() is the whole batch; size() == batch_length() + 12.
  std::span<const uint8_t> bytes() const { return bytes_; }
  size_t size() const { return bytes_.size(); }
  // payload() is the records section: plain records, or one compressed blob.
  std::span<const uint8_t> payload() const { return bytes_.subspan(kRecordBatchHeaderSize); }

  // ComputeCrc returns the CRC-32C of bytes [21, end); VerifyCrc compares it with crc().
  uint32_t ComputeCrc() const;
  absl::Status VerifyCrc() const;

  // DecompressedPayload returns the records section, decompressed if needed (bounded by `limits`).
  absl::StatusOr<std::string> DecompressedPayload(const DecompressionLimits& limits = {}) const;

 private:
  explicit RecordBatchView(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  int16_t Load16(size_t at) const;
  int32_t Load32(size_t at) const;
  int64_t Load64(size_t at) const;

  std::span<const uint8_t> bytes_;
};

// RecordIterator walks the records of an uncompressed payload (from payload() or
// DecompressedPayload()), expecting exactly `count` records filling it.
class RecordIterator {
 public:
  RecordIterator(std::span<const uint8_t> payload, int32_t count)
      : payload_(payload), remaining_(count) {}
  // Next fills *record and returns true, or returns false after the last record; malformed records,
  // a count that disagrees with the payload, or trailing bytes → InvalidArgument.
  absl::StatusOr<bool> Next(RecordView* record);

 private:
  std::span<const uint8_t> payload_;
  size_t pos_ = 0;
  int32_t remaining_;
  int32_t index_ = 0;
};

// ReadAllRecords decompresses (if needed) and returns every record; `storage` keeps the
// decompressed bytes the views point into.
absl::StatusOr<std::vector<RecordView>> ReadAllRecords(const RecordBatchView& batch,
                                                       std::string* storage,
                                                       const DecompressionLimits& limits = {});

// SplitBatches views each batch in a RECORDS blob. A trailing partial batch (as a Fetch response
// may end with) is reported through `*truncated_tail` when non-null, otherwise it is an error.
absl::StatusOr<std::vector<RecordBatchView>> SplitBatches(std::span<const uint8_t> records,
                                                          bool* truncated_tail = nullptr);

// Control records (transaction markers, kafka-protocol.md §3.4).
struct EndTxnMarker {
  int16_t version = 0;
  int32_t coordinator_epoch = 0;
};
absl::StatusOr<ControlRecordType> ParseControlRecordKey(std::string_view key);
absl::StatusOr<EndTxnMarker> ParseEndTxnMarker(std::string_view value);

// In-place rewrites a partition leader performs on a batch it appends.
void SetBaseOffset(std::span<uint8_t> batch, Offset base_offset);
void SetPartitionLeaderEpoch(std::span<uint8_t> batch, LeaderEpoch epoch);
// StampLogAppendTime sets the LogAppendTime attribute and maxTimestamp, then recomputes the CRC
// (DefaultRecordBatch.setMaxTimestamp). REQUIRES: `batch` parses as a RecordBatchView.
void StampLogAppendTime(std::span<uint8_t> batch, int64_t timestamp_ms);

}  // namespace eddy::kafka
