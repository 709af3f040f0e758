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
  index->written_ = size;
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
  bytes_ += Encode(entry);
  if (bytes_.size() - written_ >= 4096) return WritePending();
  return absl::OkStatus();
}

absl::Status SparseIndex::WritePending() {
  if (written_ == bytes_.size()) return absl::OkStatus();
  EDDY_RETURN_IF_ERROR(file_->Append(std::string_view(bytes_).substr(written_)));
  written_ = bytes_.size();
  return absl::OkStatus();
}

absl::Status SparseIndex::Sync() {
  EDDY_RETURN_IF_ERROR(WritePending());
  EDDY_RETURN_IF_ERROR(file_->Sync());
  truncation_unsynced_ = false;
  return absl::OkStatus();
}

absl::Status SparseIndex::SyncTruncation() {
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
  const size_t size = n * entry_size_;
  if (size < written_ || file_->Size() != written_) {
    EDDY_RETURN_IF_ERROR(file_->Truncate(std::min(size, written_)));
    truncation_unsynced_ = true;
    written_ = std::min(size, written_);
  }
  bytes_.resize(size);
  return absl::OkStatus();
}

}  // namespace eddy::storage
