// Per-record access to uncompressed Kafka RecordBatch v2 bodies, for the parts of storage that must
// look inside a batch: the log cleaner (keys, tombstones) and timestamp lookups. Also a builder that
// the tests, the benchmark and the cleaner use to produce valid batches.
//
// Stop-gap like batch_header.h: libs/kafka owns the real records codec (with compression) and will
// replace this file. Compressed batches are reported as Unimplemented here; callers treat them as
// opaque (the cleaner keeps them whole).
//
// Record layout (Kafka protocol guide, "Record"): length varint | attributes int8 |
// timestampDelta varlong | offsetDelta varint | keyLength varint | key | valueLength varint | value |
// headerCount varint | headers. Varints are zig-zag encoded; a length of -1 means null.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace eddy::storage::internal {

struct RecordView {
  int64_t offset_delta = 0;
  int64_t timestamp_delta = 0;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;  // nullopt: a tombstone
  std::string_view raw;                   // the whole encoded record, length prefix included
};

// ForEachRecord calls `fn` for each record of an uncompressed batch, in order; `fn` returns false to
// stop early. DataLoss on malformed records, Unimplemented for compressed batches.
absl::Status ForEachRecord(std::string_view batch, const std::function<bool(const RecordView&)>& fn);

// RecordSpec describes one record to build.
struct RecordSpec {
  std::optional<std::string> key;
  std::optional<std::string> value;
  int64_t timestamp_ms = 0;
  int64_t offset_delta = -1;  // -1: the record's index in the batch
};

// BatchSpec describes a batch to build; base timestamp is the first record's timestamp.
struct BatchSpec {
  int64_t base_offset = 0;
  int32_t partition_leader_epoch = 0;
  int16_t attributes = 0;  // compression bits must be 0
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t last_offset_delta = -1;  // -1: the largest record offset delta
  std::vector<RecordSpec> records;
};

// BuildBatch encodes a valid, uncompressed v2 batch with a correct CRC.
std::string BuildBatch(const BatchSpec& spec);

// RebuildBatch makes a batch that keeps `original`'s header (base offset, lastOffsetDelta, base
// timestamp, producer fields, attributes) but holds only `records` (raw encodings taken from the
// original, so offset and timestamp deltas stay valid). Max timestamp is recomputed from the kept
// records (or kept if none). This is how compaction preserves offsets.
std::string RebuildBatch(std::string_view original, const std::vector<std::string_view>& records,
                         int64_t max_timestamp);

// AppendVarint / AppendVarlong write zig-zag varints (exposed for tests).
void AppendVarint(std::string* out, int64_t v);

}  // namespace eddy::storage::internal
