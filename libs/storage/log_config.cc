#include "libs/storage/log_config.h"

#include "absl/strings/str_cat.h"

namespace eddy::storage {

absl::Status LogConfig::Validate() const {
  if (segment_bytes < 1024 || segment_bytes >= (1ull << 31)) {
    return absl::InvalidArgumentError(absl::StrCat("segment.bytes ", segment_bytes, " not in [1 KiB, 2 GiB)"));
  }
  if (segment_ms <= absl::ZeroDuration()) return absl::InvalidArgumentError("segment.ms must be positive");
  if (segment_index_bytes < 8) return absl::InvalidArgumentError("segment.index.bytes must be >= 8");
  if (index_interval_bytes == 0) return absl::InvalidArgumentError("index.interval.bytes must be positive");
  if (flush_messages < 1) return absl::InvalidArgumentError("flush.messages must be >= 1");
  if (flush_ms < absl::ZeroDuration()) return absl::InvalidArgumentError("flush.ms must be >= 0");
  if (retention_bytes < -1) return absl::InvalidArgumentError("retention.bytes must be >= -1");
  if (min_cleanable_dirty_ratio < 0 || min_cleanable_dirty_ratio > 1) {
    return absl::InvalidArgumentError("min.cleanable.dirty.ratio must be in [0, 1]");
  }
  if (delete_retention_ms < absl::ZeroDuration()) return absl::InvalidArgumentError("delete.retention.ms must be >= 0");
  if (min_compaction_lag_ms < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("min.compaction.lag.ms must be >= 0");
  }
  if (!cleanup_delete && !cleanup_compact) return absl::InvalidArgumentError("cleanup.policy must not be empty");
  return absl::OkStatus();
}

}  // namespace eddy::storage
