#include "libs/storage/leader_epoch_cache.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/storage/checkpoint_file.h"

namespace eddy::storage {

absl::StatusOr<std::unique_ptr<LeaderEpochCache>> LeaderEpochCache::Load(FileSystem& fs, std::string path) {
  auto cache = std::unique_ptr<LeaderEpochCache>(new LeaderEpochCache(fs, std::move(path)));
  EDDY_ASSIGN_OR_RETURN(std::optional<std::vector<CheckpointEntry>> lines, ReadCheckpoint(fs, cache->path_, 2));
  if (!lines) return cache;
  for (const CheckpointEntry& line : *lines) {
    Entry e{LeaderEpoch(static_cast<int32_t>(line[0])), Offset(line[1])};
    if (e.epoch.value() < 0 || e.start_offset.value() < 0 ||
        (!cache->entries_.empty() && (e.epoch <= cache->entries_.back().epoch ||
                                      e.start_offset <= cache->entries_.back().start_offset))) {
      return absl::DataLossError(absl::StrCat("leader epoch checkpoint ", cache->path_, " is out of order"));
    }
    cache->entries_.push_back(e);
  }
  return cache;
}

void LeaderEpochCache::Assign(LeaderEpoch epoch, Offset start_offset) {
  if (epoch.value() < 0 || start_offset.value() < 0) return;
  if (!entries_.empty() && entries_.back().epoch == epoch && start_offset >= entries_.back().start_offset) return;
  std::erase_if(entries_, [&](const Entry& e) { return e.epoch >= epoch || e.start_offset >= start_offset; });
  entries_.push_back({epoch, start_offset});
  dirty_ = true;
}

std::pair<LeaderEpoch, Offset> LeaderEpochCache::EndOffsetForEpoch(LeaderEpoch requested, Offset log_end) const {
  if (requested == kUndefinedEpoch || entries_.empty()) return {kUndefinedEpoch, kUndefinedOffset};
  if (entries_.back().epoch == requested) return {requested, log_end};
  auto higher = std::upper_bound(entries_.begin(), entries_.end(), requested,
                                 [](LeaderEpoch r, const Entry& e) { return r < e.epoch; });
  if (higher == entries_.end()) return {kUndefinedEpoch, kUndefinedOffset};
  if (higher == entries_.begin()) return {requested, higher->start_offset};
  return {std::prev(higher)->epoch, higher->start_offset};
}

void LeaderEpochCache::TruncateFromEnd(Offset end_offset) {
  size_t before = entries_.size();
  std::erase_if(entries_, [&](const Entry& e) { return e.start_offset >= end_offset; });
  dirty_ |= entries_.size() != before;
}

void LeaderEpochCache::TruncateFromStart(Offset start_offset) {
  auto first_above = std::upper_bound(entries_.begin(), entries_.end(), start_offset,
                                      [](Offset o, const Entry& e) { return o < e.start_offset; });
  if (first_above == entries_.begin()) return;
  auto keep = std::prev(first_above);
  if (keep == entries_.begin() && keep->start_offset == start_offset) return;
  keep->start_offset = start_offset;
  entries_.erase(entries_.begin(), keep);
  dirty_ = true;
}

absl::Status LeaderEpochCache::Persist() {
  if (!dirty_) return absl::OkStatus();
  std::vector<CheckpointEntry> lines;
  for (const Entry& e : entries_) lines.push_back({e.epoch.value(), e.start_offset.value()});
  EDDY_RETURN_IF_ERROR(WriteCheckpoint(fs_, path_, lines));
  dirty_ = false;
  return absl::OkStatus();
}

std::optional<LeaderEpochCache::Entry> LeaderEpochCache::Latest() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

}  // namespace eddy::storage
