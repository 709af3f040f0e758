#include "libs/storage/internal/batch_filter.h"

#include <algorithm>
#include <vector>

namespace eddy::storage::internal {

absl::StatusOr<FilterResult> FilterBatch(
    std::string_view batch, const BatchHeader& header,
    const std::function<bool(const RecordView& record, int64_t offset, int64_t timestamp)>& keep) {
  FilterResult result;
  if (header.is_control() || header.compression() != 0) {
    result.records_kept = header.record_count;
    return result;
  }
  std::vector<std::string_view> kept;
  int64_t max_timestamp = -1;
  absl::Status s = ForEachRecord(batch, [&](const RecordView& r) {
    const int64_t offset = header.base_offset + r.offset_delta;
    // Under LogAppendTime every record's timestamp is the batch's max timestamp.
    const int64_t timestamp = (header.attributes & kTimestampTypeBit) ? header.max_timestamp
                                                                       : header.base_timestamp + r.timestamp_delta;
    if (keep(r, offset, timestamp)) {
      kept.push_back(r.raw);
      max_timestamp = std::max(max_timestamp, timestamp);
    } else {
      ++result.records_dropped;
    }
    return true;
  });
  if (!s.ok()) return s;
  result.records_kept = static_cast<int32_t>(kept.size());
  if (result.records_dropped == 0) return result;
  if (kept.empty()) {
    result.kind = FilterResult::Kind::kDropWhole;
    return result;
  }
  result.kind = FilterResult::Kind::kRewritten;
  result.rewritten = RebuildBatch(batch, kept, max_timestamp);
  return result;
}

}  // namespace eddy::storage::internal
