// A minimal read-only view of Kafka RecordBatch v2 headers (magic 2) for the storage layer: the fields
// the log needs to place, index, validate and recover batches, plus the two in-place rewrites the
// leader does (baseOffset and partitionLeaderEpoch, both outside the CRC).
//
// This is a stop-gap: libs/kafka (written separately) owns the RecordBatch codec and will replace this
// file; until then storage must not depend on it. Layout (Kafka protocol guide, "Record Batch"):
//   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
//   attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
//   producerId int64 | producerEpoch int16 | baseSequence int32 | recordCount int32 | records...
// The CRC-32C covers everything from attributes to the end of the batch. All integers are big-endian.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "absl/status/statusor.h"

namespace eddy::storage::internal {

// kLogOverhead is baseOffset + batchLength: the bytes not counted by batchLength.
inline constexpr size_t kLogOverhead = 12;
// kBatchHeaderSize is the size of the full v2 header, up to the first record.
inline constexpr size_t kBatchHeaderSize = 61;
inline constexpr size_t kCrcOffset = 17;
inline constexpr size_t kAttributesOffset = 21;
inline constexpr size_t kMaxTimestampOffset = 35;
inline constexpr size_t kPartitionLeaderEpochOffset = 12;
inline constexpr int8_t kMagicV2 = 2;

inline constexpr int16_t kCompressionMask = 0x07;
inline constexpr int16_t kTimestampTypeBit = 0x08;
inline constexpr int16_t kTransactionalBit = 0x10;
inline constexpr int16_t kControlBit = 0x20;

struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = 0;
  int8_t magic = 0;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = 0;
  int16_t producer_epoch = 0;
  int32_t base_sequence = 0;
  int32_t record_count = 0;

  int64_t last_offset() const { return base_offset + last_offset_delta; }
  // size_in_bytes is the whole batch on disk, header included.
  size_t size_in_bytes() const { return static_cast<size_t>(batch_length) + kLogOverhead; }
  int compression() const { return attributes & kCompressionMask; }
  bool is_transactional() const { return attributes & kTransactionalBit; }
  bool is_control() const { return attributes & kControlBit; }
};

// ParseBatchHeader decodes the header at the start of `bytes` (at least kBatchHeaderSize bytes) and
// checks what can be checked without the body: magic 2, a batchLength that covers the header, a
// non-negative lastOffsetDelta and record count. Returns DataLoss describing the first problem.
absl::StatusOr<BatchHeader> ParseBatchHeader(std::string_view bytes);

// ComputeBatchCrc is the CRC-32C of `batch` from attributes to the end.
uint32_t ComputeBatchCrc(std::string_view batch);

// VerifyBatchCrc checks a whole batch's stored CRC against its contents.
bool VerifyBatchCrc(std::string_view batch);

// Big-endian helpers, shared with the record reader and index files.
inline uint64_t LoadBE64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}
inline uint32_t LoadBE32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}
inline uint16_t LoadBE16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return __builtin_bswap16(v);
}
inline void StoreBE64(char* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}
inline void StoreBE32(char* p, uint32_t v) {
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
}
inline void StoreBE16(char* p, uint16_t v) {
  v = __builtin_bswap16(v);
  std::memcpy(p, &v, 2);
}

// SetBaseOffset / SetPartitionLeaderEpoch rewrite the two fields outside the CRC in place.
// REQUIRES: `batch` points at a batch of at least kBatchHeaderSize bytes.
inline void SetBaseOffset(char* batch, int64_t base_offset) { StoreBE64(batch, static_cast<uint64_t>(base_offset)); }
inline void SetPartitionLeaderEpoch(char* batch, int32_t epoch) {
  StoreBE32(batch + kPartitionLeaderEpochOffset, static_cast<uint32_t>(epoch));
}
// SetLogAppendTime stamps a batch as Kafka's leader does on message.timestamp.type=LogAppendTime
// topics: the timestamp-type attribute bit set and maxTimestamp = `now_ms` (consumers then read every
// record's timestamp as maxTimestamp), with the CRC recomputed since both fields are covered by it.
// baseTimestamp and the records stay as produced. REQUIRES: a whole batch of `size` bytes.
void SetLogAppendTime(char* batch, size_t size, int64_t now_ms);
// WriteBatchCrc recomputes and stores the CRC of a whole batch (used by the cleaner and tests).
void WriteBatchCrc(char* batch, size_t size);

}  // namespace eddy::storage::internal
