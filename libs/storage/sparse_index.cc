#include "libs/storage/sparse_index.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/storage/internal/absl_view.h"
#include "libs/storage/internal/batch_header.h"

namespace eddy::storage {

using internal::LoadBE32;
using internal::LoadBE64;
using internal::StoreBE32;
using internal::StoreBE64;

SparseIndex::SparseIndex(std::unique_ptr<File> file, Kind kind, Offset base, size_t max_bytes)
    : file_(std::move(file)),
      kind_(kind),
      base_(base),
      entry_size_(kind == Kind::kOffset ? 8 : 12),
      max_bytes_(max_bytes) {}

absl::StatusOr<std::unique_ptr<SparseIndex>> SparseIndex::Open(FileSystem& fs, const std::string& path,
                                                               Kind kind, Offset base, size_t max_bytes) {
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs.Open(path, OpenMode::kCreate));
  auto index = std::unique_ptr<SparseIndex>(new SparseIndex(std::move(file), kind, base, max_bytes));
  const uint64_t size = index->file_->Size();
  auto corrupt = [&](std::string_view why) {
    return absl::DataLossError(absl::StrCat("corrupt index ", path, ": ", internal::AV(why)));
  };
  if (size % index->entry_size_ != 0) return corrupt(absl::StrCat("size ", size, " is not whole entries"));
  index->bytes_.resize(size);
  EDDY_RETURN_IF_ERROR(ReadFully(*index->file_, 0, std::span<char>(index->bytes_.data(), size)));
  index->on_disk_ = index->bytes_;
  index->matched_ = size;
  for (size_t i = 1; i < index->entries(); ++i) {
    Entry prev = index->At(i - 1), cur = index->At(i);
    bool ok = kind == Kind::kOffset ? cur.key > prev.key && cur.value > prev.value
                                    : cur.key >= prev.key && cur.value >= prev.value;
    if (!ok) return corrupt(absl::StrCat("entry ", i, " is out of order"));
  }
  return index;
}

SparseIndex::Entry SparseIndex::At(size_t i) const {
  const char* p = bytes_.data() + i * entry_size_;
  if (kind_ == Kind::kOffset) {
    return Entry{base_.value() + LoadBE32(p), static_cast<int64_t>(LoadBE32(p + 4))};
  }
  return Entry{static_cast<int64_t>(LoadBE64(p)), base_.value() + LoadBE32(p + 8)};
}

std::string SparseIndex::Encode(Entry e) const {
  std::string out(entry_size_, '\0');
  if (kind_ == Kind::kOffset) {
    StoreBE32(out.data(), static_cast<uint32_t>(e.key - base_.value()));
    StoreBE32(out.data() + 4, static_cast<uint32_t>(e.value));
  } else {
    StoreBE64(out.data(), static_cast<uint64_t>(e.key));
    StoreBE32(out.data() + 8, static_cast<uint32_t>(e.value - base_.value()));
  }
  return out;
}

absl::Status SparseIndex::Append(Entry entry, bool ignore_full) {
  if (!ignore_full && Full()) return absl::FailedPreconditionError(absl::StrCat("index full: ", Path()));
  if (std::optional<Entry> last = Last()) {
    if (kind_ == Kind::kTime && entry.key <= last->key) return absl::OkStatus();
    if (kind_ == Kind::kOffset && entry.key <= last->key) {
      return absl::InternalError(absl::StrCat("offset index ", Path(), ": offset ", entry.key,
                                              " not above last entry ", last->key));
    }
  }
  const std::string enc = Encode(entry);
  // Re-adding the entries a rebuild just dropped (the common case at recovery) matches the file
  // byte for byte: then the file needs neither a truncation nor a write.
  if (matched_ == bytes_.size() && on_disk_.size() >= matched_ + enc.size() &&
      on_disk_.compare(matched_, enc.size(), enc) == 0) {
    matched_ += enc.size();
  }
  bytes_ += enc;
  if (bytes_.size() - matched_ >= 4096) return WritePending();
  return absl::OkStatus();
}

absl::Status SparseIndex::ApplyTruncation() {
  if (matched_ >= on_disk_.size()) return absl::OkStatus();
  EDDY_RETURN_IF_ERROR(file_->Truncate(matched_));
  on_disk_.resize(matched_);
  truncation_unsynced_ = true;
  return absl::OkStatus();
}

absl::Status SparseIndex::WritePending() {
  EDDY_RETURN_IF_ERROR(ApplyTruncation());
  if (bytes_.size() > on_disk_.size()) {
    std::string_view tail = std::string_view(bytes_).substr(on_disk_.size());
    EDDY_RETURN_IF_ERROR(file_->Append(tail));
    on_disk_.append(tail);
  }
  matched_ = bytes_.size();
  return absl::OkStatus();
}

absl::Status SparseIndex::Sync() {
  EDDY_RETURN_IF_ERROR(WritePending());
  EDDY_RETURN_IF_ERROR(file_->Sync());
  truncation_unsynced_ = false;
  return absl::OkStatus();
}

absl::Status SparseIndex::SyncTruncation() {
  EDDY_RETURN_IF_ERROR(ApplyTruncation());
  if (!truncation_unsynced_) return absl::OkStatus();
  EDDY_RETURN_IF_ERROR(file_->Sync());
  truncation_unsynced_ = false;
  return absl::OkStatus();
}

SparseIndex::~SparseIndex() {
  // Best effort: entries that do not reach the file are rebuilt or scanned over later.
  (void)WritePending();
}

std::optional<SparseIndex::Entry> SparseIndex::Floor(int64_t key) const {
  size_t lo = 0, hi = entries();  // find first entry with key > `key`
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (At(mid).key <= key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0) return std::nullopt;
  return At(lo - 1);
}

std::optional<SparseIndex::Entry> SparseIndex::Ceiling(int64_t key) const {
  size_t lo = 0, hi = entries();  // find first entry with key >= `key`
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (At(mid).key < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == entries()) return std::nullopt;
  return At(lo);
}

std::optional<SparseIndex::Entry> SparseIndex::Last() const {
  if (entries() == 0) return std::nullopt;
  return At(entries() - 1);
}

absl::Status SparseIndex::TruncateFrom(Offset offset) {
  size_t keep = entries();
  while (keep > 0) {
    Entry e = At(keep - 1);
    int64_t entry_offset = kind_ == Kind::kOffset ? e.key : e.value;
    if (entry_offset < offset.value()) break;
    --keep;
  }
  return TruncateToEntries(keep);
}

absl::Status SparseIndex::Reset() { return TruncateToEntries(0); }

absl::Status SparseIndex::TruncateToEntries(size_t n) {
  // Only in memory: the file follows at the next write or sync (see Append and ApplyTruncation).
  const size_t size = n * entry_size_;
  bytes_.resize(size);
  matched_ = std::min(matched_, size);
  return absl::OkStatus();
}

}  // namespace eddy::storage
