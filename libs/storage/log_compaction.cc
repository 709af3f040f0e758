// PartitionLog::Compact, one pass of the log cleaner (Kafka's LogCleaner.cleanSegments); see
// partition_log.h for the rules and log_cleaner.h for the background thread that runs it.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

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

// kReadChunk is how much of a segment the cleaner reads at a time (it grows for a larger batch).
constexpr size_t kReadChunk = 1 << 20;
// kMapEntryOverhead approximates a key-map entry's memory beside the key bytes: the hash-table slot
// (string header and offset) and its control byte, rounded up.
constexpr uint64_t kMapEntryOverhead = 48;

using BatchFn = std::function<absl::Status(std::string_view batch, const BatchHeader& header, uint64_t position)>;

// ForEachBatch streams a closed segment's whole batches, reading kReadChunk at a time, so the pass
// never holds more than a chunk (or one batch) of a segment in memory.
absl::Status ForEachBatch(const Segment& seg, IoThrottle* throttle, const BatchFn& fn) {
  const uint64_t size = seg.size();
  uint64_t pos = 0;
  while (pos < size) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kReadChunk, size - pos));
    EDDY_ASSIGN_OR_RETURN(std::string chunk, seg.ReadAt(pos, want));
    if (throttle != nullptr) throttle->Account(chunk.size());
    size_t used = 0;
    while (used < chunk.size()) {
      std::string_view rest(chunk.data() + used, chunk.size() - used);
      if (rest.size() < internal::kBatchHeaderSize) break;
      absl::StatusOr<BatchHeader> h = internal::ParseBatchHeader(rest);
      if (!h.ok()) return absl::DataLossError(absl::StrCat("cleaner: bad batch in ", seg.LogPath(), " at ", pos + used));
      if (h->size_in_bytes() > rest.size()) break;
      EDDY_RETURN_IF_ERROR(fn(rest.substr(0, h->size_in_bytes()), *h, pos + used));
      used += h->size_in_bytes();
    }
    if (used == 0) {
      // One batch larger than the chunk: read exactly it.
      EDDY_ASSIGN_OR_RETURN(std::string header_bytes, seg.ReadAt(pos, internal::kBatchHeaderSize));
      absl::StatusOr<BatchHeader> h = internal::ParseBatchHeader(header_bytes);
      if (!h.ok() || pos + h->size_in_bytes() > size) {
        return absl::DataLossError(absl::StrCat("cleaner: bad batch in ", seg.LogPath(), " at ", pos));
      }
      EDDY_ASSIGN_OR_RETURN(std::string batch, seg.ReadAt(pos, h->size_in_bytes()));
      if (throttle != nullptr) throttle->Account(batch.size());
      EDDY_RETURN_IF_ERROR(fn(batch, *h, pos));
      used = batch.size();
    }
    pos += used;
  }
  return absl::OkStatus();
}

// Transactions is what a pre-pass learns about transactions in the cleanable range (Kafka keeps it
// in the aborted-transaction index; here one header-only pass recomputes it).
struct Transactions {
  struct Txn {
    int64_t producer_id;
    int64_t first_offset;
    int64_t marker_offset = -1;  // -1: still open at the end of the range
    bool aborted = false;
    bool has_data = false;  // some data batch of it is still in the log
  };
  std::vector<Txn> txns;
  // by_producer: producer id -> indexes into txns, in offset order (a producer runs one at a time).
  absl::flat_hash_map<int64_t, std::vector<size_t>> by_producer;
  // open: producer id -> index into txns of its transaction in progress.
  absl::flat_hash_map<int64_t, size_t> open;
  int64_t first_open_offset = -1;  // first offset of the earliest transaction with no marker yet

  // Find returns the transaction a batch of `producer_id` at `offset` belongs to, if any.
  const Txn* Find(int64_t producer_id, int64_t offset) const {
    auto it = by_producer.find(producer_id);
    if (it == by_producer.end()) return nullptr;
    const std::vector<size_t>& mine = it->second;
    // The last of this producer's transactions starting at or before `offset`.
    auto after = std::upper_bound(mine.begin(), mine.end(), offset,
                                  [&](int64_t o, size_t i) { return o < txns[i].first_offset; });
    if (after == mine.begin()) return nullptr;
    const Txn& t = txns[*std::prev(after)];
    return t.marker_offset < 0 || offset <= t.marker_offset ? &t : nullptr;
  }
};

// ControlType reads a control batch's record key (version int16, type int16): 0 ABORT, 1 COMMIT.
int ControlType(std::string_view batch) {
  int type = -1;
  (void)internal::ForEachRecord(batch, [&](const internal::RecordView& r) {
    if (r.key && r.key->size() >= 4) type = internal::LoadBE16(r.key->data() + 2);
    return false;
  });
  return type;
}

absl::Status ScanTransactions(const std::vector<std::shared_ptr<Segment>>& segments, IoThrottle* throttle,
                              Transactions* out) {
  for (const auto& seg : segments) {
    EDDY_RETURN_IF_ERROR(ForEachBatch(*seg, throttle, [&](std::string_view batch, const BatchHeader& h, uint64_t) {
      if (!h.is_transactional() || h.producer_id < 0) return absl::OkStatus();
      auto it = out->open.find(h.producer_id);
      if (h.is_control()) {
        if (it == out->open.end()) return absl::OkStatus();  // a marker whose data is all gone
        Transactions::Txn& t = out->txns[it->second];
        t.marker_offset = h.base_offset;
        t.aborted = ControlType(batch) == 0;
        out->open.erase(it);
        return absl::OkStatus();
      }
      if (it == out->open.end()) {
        it = out->open.emplace(h.producer_id, out->txns.size()).first;
        out->by_producer[h.producer_id].push_back(out->txns.size());
        out->txns.push_back({.producer_id = h.producer_id, .first_offset = h.base_offset});
      }
      out->txns[it->second].has_data = true;
      return absl::OkStatus();
    }));
  }
  for (const auto& [pid, index] : out->open) {
    const int64_t first = out->txns[index].first_offset;
    if (out->first_open_offset < 0 || first < out->first_open_offset) out->first_open_offset = first;
  }
  return absl::OkStatus();
}

// CleanedFile receives a segment's cleaned batches; it is created only once something changes, with
// the unchanged prefix copied over first, so untouched segments cost no writes.
class CleanedFile {
 public:
  CleanedFile(FileSystem& fs, const Segment& seg, std::string path, IoThrottle* throttle)
      : fs_(fs), seg_(seg), path_(std::move(path)), throttle_(throttle) {}

  // Keep notes that the batch at [position, position + size) stays as it is.
  absl::Status Keep(uint64_t position, std::string_view batch) {
    if (file_ == nullptr) {
      unchanged_end_ = position + batch.size();
      return absl::OkStatus();
    }
    return Write(batch);
  }
  // Replace writes `batch` (empty: drop) in place of the original batch that started at `position`.
  absl::Status Replace(std::string_view batch) {
    if (file_ == nullptr) {
      EDDY_ASSIGN_OR_RETURN(file_, fs_.Open(path_, OpenMode::kCreateTruncate));
      for (uint64_t pos = 0; pos < unchanged_end_; pos += kReadChunk) {
        EDDY_ASSIGN_OR_RETURN(std::string prefix,
                              seg_.ReadAt(pos, static_cast<size_t>(std::min<uint64_t>(kReadChunk, unchanged_end_ - pos))));
        if (throttle_ != nullptr) throttle_->Account(prefix.size());
        EDDY_RETURN_IF_ERROR(Write(prefix));
      }
    }
    return Write(batch);
  }
  bool changed() const { return file_ != nullptr; }
  uint64_t size() const { return file_ != nullptr ? file_->Size() : unchanged_end_; }
  absl::Status Sync() { return file_ != nullptr ? file_->Sync() : absl::OkStatus(); }
  const std::string& path() const { return path_; }

 private:
  absl::Status Write(std::string_view data) {
    if (data.empty()) return absl::OkStatus();
    if (throttle_ != nullptr) throttle_->Account(data.size());
    return file_->Append(data);
  }

  FileSystem& fs_;
  const Segment& seg_;
  const std::string path_;
  IoThrottle* const throttle_;
  std::unique_ptr<File> file_;
  uint64_t unchanged_end_ = 0;
};

}  // namespace

absl::StatusOr<CompactionResult> PartitionLog::Compact(const CompactOptions& options) {
  absl::MutexLock compact_lock(&compact_mu_);
  CompactionResult result;
  std::vector<std::shared_ptr<Segment>> snapshot;
  int64_t first_dirty = 0, end = 0;
  uint64_t epoch = 0;
  int64_t now_ms = 0;
  {
    absl::MutexLock lock(&mu_);
    if (!config_.cleanup_compact) {
      return absl::FailedPreconditionError(absl::StrCat("cleanup.policy of ", dir_, " does not include compact"));
    }
    now_ms = absl::ToUnixMillis(clock_.Now());
    const int64_t lag_ms = absl::ToInt64Milliseconds(config_.min_compaction_lag_ms);
    // The cleanable range ends at the active segment, or earlier at the first segment holding records
    // younger than min.compaction.lag.ms.
    end = Active().base_offset().value();
    for (const auto& [base, seg] : segments_) {
      if (base >= end) break;
      EDDY_RETURN_IF_ERROR(seg->Load());
      if (seg->max_timestamp() > now_ms - lag_ms) {
        end = base;
        break;
      }
    }
    first_dirty = std::max(first_dirty_, log_start_).value();
    result.cleaned_up_to = Offset(std::max(first_dirty, end));
    if (first_dirty >= end) return result;
    uint64_t clean_bytes = 0, dirty_bytes = 0;
    for (const auto& [base, seg] : segments_) {
      if (base >= end) break;
      (seg->next_offset().value() <= first_dirty ? clean_bytes : dirty_bytes) += seg->size();
      snapshot.push_back(seg);
    }
    result.bytes_before = clean_bytes + dirty_bytes;
    result.dirty_ratio = result.bytes_before == 0 ? 0 : static_cast<double>(dirty_bytes) / result.bytes_before;
    if (dirty_bytes == 0 || result.dirty_ratio < config_.min_cleanable_dirty_ratio) return result;
    // Compaction renames segments and syncs the directory; first make sure no rolled segment's name
    // becomes durable ahead of its predecessor's data.
    EDDY_RETURN_IF_ERROR(SyncUnflushed());
    epoch = data_epoch_;
  }
  result.ran = true;

  // Without the lock from here: the snapshot's segments are closed, so only this pass rewrites them,
  // and data_epoch_ tells at the swap whether anything else removed data meanwhile.
  Transactions txns;
  EDDY_RETURN_IF_ERROR(ScanTransactions(snapshot, options.throttle, &txns));
  // Like Kafka, never clean past the first unstable offset: an open transaction may still abort.
  if (txns.first_open_offset >= 0) end = std::min(end, txns.first_open_offset);
  if (first_dirty >= end) {
    result.ran = false;
    result.cleaned_up_to = Offset(first_dirty);
    return result;
  }
  auto aborted = [&](const BatchHeader& h) {
    if (!h.is_transactional() || h.is_control()) return false;
    const Transactions::Txn* t = txns.Find(h.producer_id, h.base_offset);
    return t != nullptr && t->aborted;
  };

  // Pass 1: the latest offset of every key in the dirty section, within the memory bound.
  absl::flat_hash_map<std::string, int64_t> latest;
  uint64_t map_bytes = 0;
  int64_t map_end = end;
  for (const auto& seg : snapshot) {
    if (seg->next_offset().value() <= first_dirty || map_end < end) continue;
    EDDY_RETURN_IF_ERROR(ForEachBatch(*seg, options.throttle, [&](std::string_view batch, const BatchHeader& h,
                                                                  uint64_t) {
      if (map_end < end || h.last_offset() < first_dirty || h.base_offset >= end) return absl::OkStatus();
      if (h.is_control() || h.compression() != 0 || aborted(h)) return absl::OkStatus();
      // Worst case every record adds a key; stop before the batch that could overflow the map (but
      // always take the first, so each pass makes progress).
      const uint64_t worst = batch.size() + static_cast<uint64_t>(h.record_count) * kMapEntryOverhead;
      if (!latest.empty() && map_bytes + worst > options.max_offset_map_bytes) {
        map_end = h.base_offset;
        return absl::OkStatus();
      }
      return internal::ForEachRecord(batch, [&](const internal::RecordView& r) {
        if (!r.key) return true;
        auto [it, inserted] = latest.try_emplace(std::string(*r.key), 0);
        if (inserted) map_bytes += r.key->size() + kMapEntryOverhead;
        it->second = h.base_offset + r.offset_delta;
        return true;
      });
    }));
  }
  if (map_end < end) {
    end = map_end;
    result.offset_map_full = true;
  }

  // Pass 2: rewrite the cleanable segments, clean and dirty alike, below `end`.
  const int64_t horizon = now_ms - absl::ToInt64Milliseconds(config_.delete_retention_ms);
  auto keep = [&](const internal::RecordView& r, int64_t offset, int64_t timestamp) {
    if (!r.key || offset >= end) return true;
    auto it = latest.find(std::string(*r.key));  // absl 20220623 lacks heterogeneous string_view lookup
    if (it != latest.end() && it->second > offset) return false;  // superseded
    if (!r.value && timestamp <= horizon) return false;             // tombstone past delete.retention.ms
    return true;
  };
  std::vector<std::pair<int64_t, std::unique_ptr<CleanedFile>>> cleaned;
  for (const auto& seg : snapshot) {
    if (seg->base_offset().value() >= end) break;
    auto out = std::make_unique<CleanedFile>(fs_, *seg, seg->LogPath() + ".cleaned", options.throttle);
    EDDY_RETURN_IF_ERROR(ForEachBatch(*seg, options.throttle, [&](std::string_view batch, const BatchHeader& h,
                                                                  uint64_t position) {
      if (h.last_offset() >= end) return out->Keep(position, batch);
      if (h.is_control()) {
        // A marker goes once no data of its transaction is left and delete.retention.ms has passed.
        const Transactions::Txn* t = h.producer_id >= 0 ? txns.Find(h.producer_id, h.base_offset) : nullptr;
        if ((t == nullptr || !t->has_data) && h.max_timestamp <= horizon) {
          ++result.markers_removed;
          return out->Replace({});
        }
        return out->Keep(position, batch);
      }
      if (aborted(h)) {
        ++result.aborted_batches_removed;
        result.records_removed += h.record_count;
        return out->Replace({});
      }
      EDDY_ASSIGN_OR_RETURN(internal::FilterResult f, internal::FilterBatch(batch, h, keep));
      result.records_removed += f.records_dropped;
      switch (f.kind) {
        case internal::FilterResult::Kind::kKeepWhole:
          return out->Keep(position, batch);
        case internal::FilterResult::Kind::kDropWhole:
          return out->Replace({});
        case internal::FilterResult::Kind::kRewritten:
          return out->Replace(f.rewritten);
      }
      return absl::OkStatus();
    }));
    result.bytes_after += out->size();
    if (!out->changed()) continue;
    EDDY_RETURN_IF_ERROR(out->Sync());
    cleaned.emplace_back(seg->base_offset().value(), std::move(out));
  }
  // Bytes of cleanable segments past `end` (the pass stopped early) are unchanged.
  for (const auto& seg : snapshot) {
    if (seg->base_offset().value() >= end) result.bytes_after += seg->size();
  }

  absl::MutexLock lock(&mu_);
  if (data_epoch_ != epoch) {
    for (const auto& [base, file] : cleaned) (void)fs_.Remove(file->path());
    return absl::AbortedError(absl::StrCat("compaction of ", dir_, " raced with a truncation or deletion; retry"));
  }
  for (const auto& [base, file] : cleaned) {
    EDDY_RETURN_IF_ERROR(ReplaceSegment(base, file->path()));
    ++result.segments_rewritten;
  }
  first_dirty_ = Offset(end);
  result.cleaned_up_to = Offset(end);
  if (metrics_ != nullptr) {
    metrics_->cleaner_passes.Inc();
    metrics_->cleaner_records_removed.Inc(static_cast<double>(result.records_removed));
    metrics_->cleaner_bytes_reclaimed.Inc(static_cast<double>(result.bytes_before - result.bytes_after));
  }
  EDDY_RETURN_IF_ERROR(WriteCheckpoint(fs_, JoinPath(dir_, kCleanerOffsetFile), {{end}}));
  return result;
}

absl::Status PartitionLog::ReplaceSegment(int64_t base, const std::string& cleaned) {
  const std::string log_path = JoinPath(dir_, Segment::FileName(Offset(base), ".log"));
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
