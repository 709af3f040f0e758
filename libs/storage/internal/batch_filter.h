// Record-level filtering of one RecordBatch v2, the core of log compaction. Stop-gap like the other
// files in this directory (libs/kafka owns the codec and will replace it).
//
// Offsets are preserved: a filtered batch keeps its baseOffset, lastOffsetDelta, base timestamp and
// producer fields, and holds the kept records' original encodings (their offset and timestamp deltas
// stay valid). So compaction leaves gaps, never renumbers.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/storage/internal/batch_header.h"
#include "libs/storage/internal/records.h"

namespace eddy::storage::internal {

// FilterResult says what became of a batch.
struct FilterResult {
  enum class Kind { kKeepWhole, kDropWhole, kRewritten } kind = Kind::kKeepWhole;
  std::string rewritten;  // the new batch when kRewritten
  int32_t records_kept = 0;
  int32_t records_dropped = 0;
};

// FilterBatch applies `keep` (given the record and its absolute offset and timestamp) to every record
// of an uncompressed, non-control batch. Control and compressed batches are returned kKeepWhole
// without consulting `keep` (the cleaner keeps transaction markers and cannot look inside
// compressed batches without the libs/kafka codec).
absl::StatusOr<FilterResult> FilterBatch(
    std::string_view batch, const BatchHeader& header,
    const std::function<bool(const RecordView& record, int64_t offset, int64_t timestamp)>& keep);

}  // namespace eddy::storage::internal
