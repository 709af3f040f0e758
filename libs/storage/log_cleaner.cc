// PartitionLog::Compact, the log cleaner (Kafka's LogCleaner, one pass at a time); see partition_log.h.
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/storage/checkpoint_file.h"
#include "libs/storage/internal/batch_filter.h"
#include "libs/storage/internal/batch_header.h"
#include "libs/storage/partition_log.h"

namespace eddy::storage {
namespace {

using internal::BatchHeader;

// ForEachBatch walks the whole batches of a segment's bytes.
absl::Status ForEachBatch(std::string_view data, const std::string& path,
                          const std::function<absl::Status(std::string_view, const BatchHeader&)>& fn) {
  size_t pos = 0;
  while (pos < data.size()) {
    absl::StatusOr<BatchHeader> h = internal::ParseBatchHeader(data.substr(pos));
    if (!h.ok() || h->size_in_bytes() > data.size() - pos) {
      return absl::DataLossError(absl::StrCat("cleaner: bad batch in ", path, " at position ", pos));
    }
    EDDY_RETURN_IF_ERROR(fn(data.substr(pos, h->size_in_bytes()), *h));
    pos += h->size_in_bytes();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CompactionResult> PartitionLog::Compact() {
  absl::MutexLock lock(&mu_);
  if (!config_.cleanup_compact) {
    return absl::FailedPreconditionError(absl::StrCat("cleanup.policy of ", dir_, " does not include compact"));
  }
  CompactionResult result;
  const int64_t now_ms = absl::ToUnixMillis(clock_.Now());
  const int64_t lag_ms = absl::ToInt64Milliseconds(config_.min_compaction_lag_ms);
  // The cleanable range ends at the active segment, or earlier at the first segment holding records
  // younger than min.compaction.lag.ms.
  int64_t end = Active().base_offset().value();
  for (const auto& [base, seg] : segments_) {
    if (base >= end) break;
    EDDY_RETURN_IF_ERROR(seg->Load());
    if (seg->max_timestamp() > now_ms - lag_ms) {
      end = base;
      break;
    }
  }
  const int64_t first_dirty = std::max(first_dirty_, log_start_).value();
  result.cleaned_up_to = Offset(std::max(first_dirty, end));
  if (first_dirty >= end) return result;
  uint64_t clean_bytes = 0, dirty_bytes = 0;
  for (const auto& [base, seg] : segments_) {
    if (base >= end) break;
    (seg->next_offset().value() <= first_dirty ? clean_bytes : dirty_bytes) += seg->size();
  }
  result.bytes_before = clean_bytes + dirty_bytes;
  result.dirty_ratio = result.bytes_before == 0 ? 0 : static_cast<double>(dirty_bytes) / result.bytes_before;
  if (dirty_bytes == 0 || result.dirty_ratio < config_.min_cleanable_dirty_ratio) return result;
  result.ran = true;

  // Compaction renames segments and syncs the directory; first make sure no rolled segment's name
  // becomes durable ahead of its predecessor's data.
  EDDY_RETURN_IF_ERROR(SyncUnflushed());

  // Pass 1: the latest offset of every key in the dirty section.
  absl::flat_hash_map<std::string, int64_t> latest;
  for (const auto& [base, seg] : segments_) {
    if (base >= end) break;
    if (seg->next_offset().value() <= first_dirty) continue;
    EDDY_ASSIGN_OR_RETURN(std::string data, seg->ReadAt(0, seg->size()));
    EDDY_RETURN_IF_ERROR(ForEachBatch(data, seg->LogPath(), [&](std::string_view batch, const BatchHeader& h) {
      if (h.is_control() || h.compression() != 0) return absl::OkStatus();
      return internal::ForEachRecord(batch, [&](const internal::RecordView& r) {
        if (r.key) latest[std::string(*r.key)] = h.base_offset + r.offset_delta;
        return true;
      });
    }));
  }

  // Pass 2: rewrite every cleanable segment, clean and dirty alike.
  const int64_t tombstone_horizon = now_ms - absl::ToInt64Milliseconds(config_.delete_retention_ms);
  auto keep = [&](const internal::RecordView& r, int64_t offset, int64_t timestamp) {
    if (!r.key) return true;
    auto it = latest.find(std::string(*r.key));  // absl 20220623 lacks heterogeneous string_view lookup
    if (it != latest.end() && it->second > offset) return false;  // superseded
    if (!r.value && timestamp <= tombstone_horizon) return false;   // tombstone past delete.retention.ms
    return true;
  };
  std::vector<int64_t> bases;
  for (const auto& [base, seg] : segments_) {
    if (base >= end) break;
    bases.push_back(base);
  }
  for (int64_t base : bases) {
    const Segment& seg = *segments_.at(base);
    EDDY_ASSIGN_OR_RETURN(std::string data, seg.ReadAt(0, seg.size()));
    std::string out;
    bool changed = false;
    EDDY_RETURN_IF_ERROR(ForEachBatch(data, seg.LogPath(), [&](std::string_view batch, const BatchHeader& h) {
      EDDY_ASSIGN_OR_RETURN(internal::FilterResult f, internal::FilterBatch(batch, h, keep));
      result.records_removed += f.records_dropped;
      switch (f.kind) {
        case internal::FilterResult::Kind::kKeepWhole:
          out.append(batch);
          break;
        case internal::FilterResult::Kind::kDropWhole:
          changed = true;
          break;
        case internal::FilterResult::Kind::kRewritten:
          out.append(f.rewritten);
          changed = true;
          break;
      }
      return absl::OkStatus();
    }));
    result.bytes_after += out.size();
    if (!changed) continue;
    EDDY_RETURN_IF_ERROR(ReplaceSegment(base, out));
    ++result.segments_rewritten;
  }
  first_dirty_ = Offset(end);
  if (metrics_ != nullptr) {
    metrics_->cleaner_passes.Inc();
    metrics_->cleaner_records_removed.Inc(static_cast<double>(result.records_removed));
    metrics_->cleaner_bytes_reclaimed.Inc(static_cast<double>(result.bytes_before - result.bytes_after));
  }
  EDDY_RETURN_IF_ERROR(WriteCheckpoint(fs_, JoinPath(dir_, kCleanerOffsetFile), {{end}}));
  return result;
}

absl::Status PartitionLog::ReplaceSegment(int64_t base, std::string_view contents) {
  const std::string log_path = JoinPath(dir_, Segment::FileName(Offset(base), ".log"));
  const std::string cleaned = log_path + ".cleaned";  // deleted at open if a crash leaves it
  {
    EDDY_ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs_.Open(cleaned, OpenMode::kCreateTruncate));
    EDDY_RETURN_IF_ERROR(file->Append(contents));
    EDDY_RETURN_IF_ERROR(file->Sync());
  }
  // Indexes go first: a crash must leave either the old log without indexes or the new log without
  // indexes (both rebuilt at open), never the new log with the old log's index positions.
  for (std::string_view suffix : {".index", ".timeindex"}) {
    absl::Status s = fs_.Remove(JoinPath(dir_, Segment::FileName(Offset(base), suffix)));
    if (!s.ok() && !absl::IsNotFound(s)) return s;
  }
  EDDY_RETURN_IF_ERROR(fs_.SyncDir(dir_));
  EDDY_RETURN_IF_ERROR(fs_.Rename(cleaned, log_path));
  EDDY_RETURN_IF_ERROR(fs_.SyncDir(dir_));
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<Segment> seg,
                        Segment::Open(fs_, dir_, Offset(base), segment_options(), clock_.Now()));
  EDDY_RETURN_IF_ERROR(seg->Scan(Offset(0), ScanMode::kStrict, nullptr).status());
  EDDY_RETURN_IF_ERROR(seg->OnRoll());
  EDDY_RETURN_IF_ERROR(seg->Flush());
  Track(0, static_cast<int64_t>(seg->size()) - static_cast<int64_t>(segments_.at(base)->size()));
  segments_[base] = std::move(seg);
  return absl::OkStatus();
}

}  // namespace eddy::storage
