// PartitionLog::Open and the recovery it runs; see partition_log.h for the rules.
#include <algorithm>
#include <limits>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/storage/checkpoint_file.h"
#include "libs/storage/internal/absl_view.h"
#include "libs/storage/partition_log.h"

namespace eddy::storage {
namespace {

// Suffixes of files a crash can leave behind mid-operation; all are safe to delete at open.
constexpr std::string_view kStraySuffixes[] = {".tmp", ".deleted", ".cleaned", ".swap"};

absl::StatusOr<std::optional<Offset>> ReadOffsetCheckpoint(FileSystem& fs, const std::string& path) {
  EDDY_ASSIGN_OR_RETURN(std::optional<std::vector<CheckpointEntry>> entries, ReadCheckpoint(fs, path, 1));
  if (!entries) return std::nullopt;
  if (entries->size() != 1 || (*entries)[0][0] < 0) {
    return absl::DataLossError(absl::StrCat("checkpoint ", path, " must hold one non-negative offset"));
  }
  return Offset((*entries)[0][0]);
}

}  // namespace

absl::StatusOr<std::unique_ptr<PartitionLog>> PartitionLog::Open(FileSystem& fs, std::string dir, LogConfig config,
                                                                 common::Clock& clock, StorageMetrics* metrics) {
  if (absl::Status s = config.Validate(); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("log ", dir, ": ", s.message()));
  }
  // Recovery time is measured on the real clock: it is a performance figure, not log logic.
  const absl::Time started = absl::Now();
  auto log = std::unique_ptr<PartitionLog>(new PartitionLog(fs, std::move(dir), config, clock, metrics));
  {
    absl::MutexLock lock(&log->mu_);
    absl::Status s = log->Load();
    uint64_t bytes = 0;
    for (const auto& [base, seg] : log->segments_) bytes += seg->size();
    log->tracking_ = true;
    log->Track(static_cast<int64_t>(log->segments_.size()), static_cast<int64_t>(bytes));
    if (!s.ok()) {
      // A failing log directory is reported with its path, never skipped silently.
      return absl::Status(s.code(), absl::StrCat("failed to load log directory ", log->dir_, ": ", s.message()));
    }
  }
  log->recovery_stats_.duration = absl::Now() - started;
  if (metrics != nullptr) {
    metrics->recovery_duration.Observe(absl::ToDoubleSeconds(log->recovery_stats_.duration));
    metrics->recovered_truncated_bytes.Inc(static_cast<double>(log->recovery_stats_.bytes_truncated));
  }
  return log;
}

absl::Status PartitionLog::CleanUpStrayFiles(const std::vector<std::string>& names) {
  std::set<int64_t> logs;
  for (const std::string& name : names) {
    if (absl::EndsWith(name, ".log")) {
      if (std::optional<Offset> base = Segment::ParseBaseOffset(name)) logs.insert(base->value());
    }
  }
  for (const std::string& name : names) {
    bool stray = std::any_of(std::begin(kStraySuffixes), std::end(kStraySuffixes),
                             [&](std::string_view s) { return absl::EndsWith(name, internal::AV(s)); });
    // An index without its log is left from a deletion interrupted by a crash.
    if (!stray && (absl::EndsWith(name, ".index") || absl::EndsWith(name, ".timeindex"))) {
      std::optional<Offset> base = Segment::ParseBaseOffset(name);
      stray = base && !logs.contains(base->value());
    }
    if (stray) {
      EDDY_RETURN_IF_ERROR(fs_.Remove(JoinPath(dir_, name)));
      dir_dirty_ = true;
    }
  }
  return absl::OkStatus();
}

absl::Status PartitionLog::Load() {
  // List first and create only when missing: at a restart every directory exists, and each system
  // call saved here is paid once per partition.
  absl::StatusOr<std::vector<std::string>> listed = fs_.ListDir(dir_);
  if (absl::IsNotFound(listed.status())) {
    EDDY_RETURN_IF_ERROR(fs_.CreateDirs(dir_));
    listed = std::vector<std::string>{};
  }
  if (!listed.ok()) return listed.status();
  const std::vector<std::string> names = *std::move(listed);
  EDDY_RETURN_IF_ERROR(CleanUpStrayFiles(names));
  std::vector<int64_t> bases;
  for (const std::string& name : names) {
    if (!absl::EndsWith(name, ".log")) continue;
    if (std::optional<Offset> base = Segment::ParseBaseOffset(name)) bases.push_back(base->value());
  }
  std::sort(bases.begin(), bases.end());

  // Checkpoints the listing does not show are absent: no need to try opening them.
  auto checkpoint = [&](const char* name) -> absl::StatusOr<std::optional<Offset>> {
    if (!std::binary_search(names.begin(), names.end(), std::string(name))) return std::nullopt;
    return ReadOffsetCheckpoint(fs_, JoinPath(dir_, name));
  };
  EDDY_ASSIGN_OR_RETURN(std::optional<Offset> recovery_ckpt, checkpoint(kRecoveryPointFile));
  EDDY_ASSIGN_OR_RETURN(std::optional<Offset> start_ckpt, checkpoint(kLogStartOffsetFile));
  EDDY_ASSIGN_OR_RETURN(std::optional<Offset> cleaner_ckpt, checkpoint(kCleanerOffsetFile));
  EDDY_ASSIGN_OR_RETURN(epochs_, LeaderEpochCache::Load(fs_, JoinPath(dir_, kLeaderEpochFile)));
  // No recovery checkpoint means nothing is known to be flushed: recover every segment.
  const Offset recovery_point = recovery_ckpt.value_or(Offset(0));
  Offset log_start = start_ckpt.value_or(Offset(bases.empty() ? 0 : bases.front()));
  const absl::Time now = clock_.Now();
  const SegmentOptions options = segment_options();

  auto delete_files = [&](int64_t base) -> absl::Status {
    for (std::string_view suffix : {".log", ".index", ".timeindex"}) {
      absl::Status s = fs_.Remove(JoinPath(dir_, Segment::FileName(Offset(base), suffix)));
      if (!s.ok() && !absl::IsNotFound(s)) return s;
    }
    ++recovery_stats_.segments_deleted;
    dir_dirty_ = true;
    return absl::OkStatus();
  };

  // Segments wholly below the log start are left from retention or DeleteRecords interrupted by a crash.
  while (bases.size() > 1 && bases[1] <= log_start.value()) {
    EDDY_RETURN_IF_ERROR(delete_files(bases.front()));
    bases.erase(bases.begin());
  }

  bool tail_cut = false;
  for (size_t i = 0; i < bases.size(); ++i) {
    if (tail_cut) {
      // Everything after a truncated (torn or corrupt) batch is unreachable: offsets must be contiguous.
      EDDY_RETURN_IF_ERROR(delete_files(bases[i]));
      continue;
    }
    const bool flushed = i + 1 < bases.size() && bases[i + 1] <= recovery_point.value();
    std::unique_ptr<Segment> seg;
    if (flushed) {
      // Fsynced data is trusted: its indexes and tail are loaded on first use (Segment::Load scans
      // only the tail past the last index entry, and anything invalid there is real corruption).
      EDDY_ASSIGN_OR_RETURN(seg, Segment::OpenLazily(fs_, dir_, Offset(bases[i]), options, now));
    } else {
      EDDY_ASSIGN_OR_RETURN(seg, Segment::Open(fs_, dir_, Offset(bases[i]), options, now));
      EDDY_ASSIGN_OR_RETURN(
          Segment::ScanResult scan,
          seg->Scan(recovery_point, ScanMode::kTruncateInvalidTail, [&](const internal::BatchHeader& h) {
            std::optional<LeaderEpochCache::Entry> latest = epochs_->Latest();
            if (!latest || h.partition_leader_epoch > latest->epoch.value()) {
              epochs_->Assign(LeaderEpoch(h.partition_leader_epoch), Offset(h.base_offset));
            }
          }));
      ++recovery_stats_.segments_recovered;
      recovery_stats_.bytes_truncated += scan.bytes_truncated;
      tail_cut = scan.bytes_truncated > 0;
    }
    ++recovery_stats_.segments_loaded;
    // A lazily opened predecessor's end is not known yet; file names already order the bases.
    const Segment* prev = segments_.empty() ? nullptr : segments_.rbegin()->second.get();
    if (prev != nullptr && prev->loaded() && seg->base_offset() < prev->next_offset()) {
      return absl::DataLossError(absl::StrCat("segment ", seg->LogPath(), " overlaps the previous segment, which ends at ",
                                              segments_.rbegin()->second->next_offset().value()));
    }
    segments_[bases[i]] = std::move(seg);
  }
  // An empty last segment (rolled just before a crash, or whose data was all lost) must not define
  // the log end: it could sit past a hole left by the previous segment's lost tail.
  while (segments_.size() > 1 && segments_.rbegin()->second->empty()) {
    EDDY_RETURN_IF_ERROR(segments_.rbegin()->second->Delete());
    segments_.erase(std::prev(segments_.end()));
    ++recovery_stats_.segments_deleted;
    dir_dirty_ = true;
  }
  // The last segment defines the log end; it is lazy only if a later, empty one was just removed.
  if (!segments_.empty()) EDDY_RETURN_IF_ERROR(segments_.rbegin()->second->Load());
  if (segments_.empty()) {
    EDDY_ASSIGN_OR_RETURN(std::unique_ptr<Segment> seg, Segment::Create(fs_, dir_, log_start, options, now));
    segments_[log_start.value()] = std::move(seg);
    dir_dirty_ = true;
  }
  log_start_ = std::max(log_start, Offset(segments_.begin()->first));
  recovery_point_ = std::min(recovery_point, EndOffsetLocked());
  first_dirty_ = std::max(cleaner_ckpt.value_or(Offset(0)), log_start_);
  checkpointed_recovery_point_ = recovery_ckpt.value_or(Offset(-1));
  last_flush_ = now;
  last_recovery_checkpoint_ = now;
  if (log_start_ > EndOffsetLocked()) {
    // The data up to the log start was lost with unflushed writes; restart the log there (Kafka does
    // the same) rather than expose offsets below the log start.
    return TruncateFullyLocked(log_start_);
  }
  if (checkpointed_recovery_point_ > recovery_point_) {
    // Data the checkpoint called flushed is gone (a truncation that was interrupted): lower it now,
    // before anything is appended below it.
    EDDY_RETURN_IF_ERROR(CheckpointRecoveryPoint());
  }
  epochs_->TruncateFromEnd(EndOffsetLocked());
  epochs_->TruncateFromStart(log_start_);
  EDDY_RETURN_IF_ERROR(epochs_->Persist());
  if (dir_dirty_) {
    EDDY_RETURN_IF_ERROR(fs_.SyncDir(dir_));
    dir_dirty_ = false;
  }
  return absl::OkStatus();
}

}  // namespace eddy::storage
