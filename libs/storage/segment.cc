#include "libs/storage/segment.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/status_macros.h"
#include "libs/storage/internal/absl_view.h"

namespace eddy::storage {

using internal::BatchHeader;
using internal::kBatchHeaderSize;
using internal::ParseBatchHeader;

namespace {

constexpr size_t kScanChunk = 1 << 20;
// Index positions are uint32 on disk, so a segment must stay below 4 GiB; we keep Kafka's 2 GiB cap.
constexpr uint64_t kMaxSegmentBytes = std::numeric_limits<int32_t>::max();

}  // namespace

std::string Segment::FileName(Offset base, std::string_view suffix) {
  return absl::StrCat(absl::StrFormat("%020d", base.value()), internal::AV(suffix));
}

std::optional<Offset> Segment::ParseBaseOffset(std::string_view file_name) {
  if (file_name.size() < 20) return std::nullopt;
  int64_t v = 0;
  std::string_view digits = file_name.substr(0, 20);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  if (!absl::SimpleAtoi(internal::AV(digits), &v)) return std::nullopt;
  return Offset(v);
}

Segment::Segment(FileSystem& fs, std::string dir, Offset base, const SegmentOptions& options, absl::Time now)
    : fs_(fs), dir_(std::move(dir)), base_(base), options_(options), created_at_(now), next_offset_(base) {}

absl::Status Segment::OpenFiles(bool truncate) {
  EDDY_RETURN_IF_ERROR(OpenLog(truncate));
  return OpenIndexes(truncate);
}

absl::Status Segment::OpenLog(bool truncate) {
  EDDY_ASSIGN_OR_RETURN(log_, fs_.Open(JoinPath(dir_, FileName(base_, ".log")),
                                       truncate ? OpenMode::kCreateTruncate : OpenMode::kReadWrite));
  size_ = log_->Size();
  return absl::OkStatus();
}

absl::Status Segment::OpenIndexes(bool truncate) {
  struct Spec {
    std::unique_ptr<SparseIndex>* index;
    const char* suffix;
    SparseIndex::Kind kind;
    size_t max_bytes;
  };
  // The time index may hold 12-byte entries for every 8-byte offset entry.
  const Spec specs[] = {
      {&offset_index_, ".index", SparseIndex::Kind::kOffset, options_.max_index_bytes},
      {&time_index_, ".timeindex", SparseIndex::Kind::kTime, options_.max_index_bytes / 8 * 12},
  };
  for (const Spec& spec : specs) {
    const std::string path = JoinPath(dir_, FileName(base_, spec.suffix));
    if (truncate && fs_.Exists(path)) EDDY_RETURN_IF_ERROR(fs_.Remove(path));
    absl::StatusOr<std::unique_ptr<SparseIndex>> index =
        SparseIndex::Open(fs_, path, spec.kind, base_, spec.max_bytes);
    if (absl::IsDataLoss(index.status())) {
      // A corrupt index is derived data: drop it, and the scan that follows rebuilds it.
      EDDY_RETURN_IF_ERROR(fs_.Remove(path));
      index = SparseIndex::Open(fs_, path, spec.kind, base_, spec.max_bytes);
    }
    if (!index.ok()) return index.status();
    *spec.index = *std::move(index);
  }
  // An index pointing past the log (log truncated by a crash after the index grew) is rebuilt too.
  std::optional<SparseIndex::Entry> last = offset_index_->Last();
  if (last && static_cast<uint64_t>(last->value) >= std::max<uint64_t>(size_, 1)) {
    EDDY_RETURN_IF_ERROR(offset_index_->Reset());
    EDDY_RETURN_IF_ERROR(time_index_->Reset());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Segment>> Segment::Create(FileSystem& fs, const std::string& dir, Offset base,
                                                         const SegmentOptions& options, absl::Time now) {
  auto seg = std::unique_ptr<Segment>(new Segment(fs, dir, base, options, now));
  EDDY_RETURN_IF_ERROR(seg->OpenFiles(/*truncate=*/true));
  return seg;
}

absl::StatusOr<std::unique_ptr<Segment>> Segment::Open(FileSystem& fs, const std::string& dir, Offset base,
                                                       const SegmentOptions& options, absl::Time now) {
  auto seg = std::unique_ptr<Segment>(new Segment(fs, dir, base, options, now));
  EDDY_RETURN_IF_ERROR(seg->OpenFiles(/*truncate=*/false));
  return seg;
}

absl::StatusOr<std::unique_ptr<Segment>> Segment::OpenLazily(FileSystem& fs, const std::string& dir, Offset base,
                                                             const SegmentOptions& options, absl::Time now) {
  auto seg = std::unique_ptr<Segment>(new Segment(fs, dir, base, options, now));
  EDDY_RETURN_IF_ERROR(seg->OpenLog(/*truncate=*/false));
  seg->loaded_.store(false, std::memory_order_release);
  return seg;
}

absl::Status Segment::Load() const {
  if (loaded()) return absl::OkStatus();
  absl::MutexLock lock(&load_mu_);
  if (loaded_.load(std::memory_order_relaxed)) return absl::OkStatus();
  // The lazy half of opening, deferred from OpenLazily: logically part of construction, so it may
  // run from const methods (under load_mu_, and published through loaded_).
  auto* self = const_cast<Segment*>(this);
  EDDY_RETURN_IF_ERROR(self->OpenIndexes(/*truncate=*/false));
  EDDY_RETURN_IF_ERROR(self->ScanTail());
  self->loaded_.store(true, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status Segment::Corruption(uint64_t position, std::string_view why) const {
  return absl::DataLossError(
      absl::StrCat("corrupt record batch in ", log_->Path(), " at position ", position, ": ", internal::AV(why)));
}

absl::Status Segment::MaybeIndex(uint64_t position, const BatchHeader& header) {
  if (header.max_timestamp > max_timestamp_) {
    max_timestamp_ = header.max_timestamp;
    offset_of_max_timestamp_ = header.last_offset();
  }
  if (bytes_since_index_entry_ > options_.index_interval_bytes && !IndexFull()) {
    EDDY_RETURN_IF_ERROR(offset_index_->Append({header.base_offset, static_cast<int64_t>(position)}));
    EDDY_RETURN_IF_ERROR(time_index_->Append({max_timestamp_, offset_of_max_timestamp_}));
    bytes_since_index_entry_ = 0;
  }
  bytes_since_index_entry_ += header.size_in_bytes();
  return absl::OkStatus();
}

absl::StatusOr<Segment::ScanResult> Segment::Scan(Offset from, ScanMode mode,
                                                  const std::function<void(const BatchHeader&)>& on_batch) {
  const uint64_t file_size = log_->Size();
  uint64_t pos = 0;
  next_offset_ = base_;
  std::optional<SparseIndex::Entry> floor = offset_index_->Floor(from.value());
  if (floor && static_cast<uint64_t>(floor->value) < file_size) {
    pos = static_cast<uint64_t>(floor->value);
    next_offset_ = Offset(floor->key);
    EDDY_RETURN_IF_ERROR(offset_index_->TruncateFrom(Offset(floor->key)));
    EDDY_RETURN_IF_ERROR(time_index_->TruncateFrom(Offset(floor->key)));
    // Force an index entry for the batch at `pos`, which the truncation just removed.
    bytes_since_index_entry_ = options_.index_interval_bytes + 1;
  } else {
    EDDY_RETURN_IF_ERROR(offset_index_->Reset());
    EDDY_RETURN_IF_ERROR(time_index_->Reset());
    bytes_since_index_entry_ = 0;
  }
  return ScanFrom(pos, mode, /*rebuild_indexes=*/true, on_batch);
}

absl::Status Segment::ScanTail() {
  std::optional<SparseIndex::Entry> last = offset_index_->Last();
  if (!last && size_ > options_.index_interval_bytes) {
    // The index was missing or failed its check: rebuild it rather than scan from 0 on every read.
    return Scan(base_, ScanMode::kStrict, nullptr).status();
  }
  next_offset_ = last ? Offset(last->key) : base_;
  return ScanFrom(last ? static_cast<uint64_t>(last->value) : 0, ScanMode::kStrict, /*rebuild_indexes=*/false,
                  nullptr)
      .status();
}

absl::StatusOr<Segment::ScanResult> Segment::ScanFrom(
    uint64_t pos, ScanMode mode, bool rebuild_indexes, const std::function<void(const BatchHeader&)>& on_batch) {
  ScanResult result;
  const uint64_t file_size = log_->Size();
  std::optional<SparseIndex::Entry> last_time = time_index_->Last();
  max_timestamp_ = last_time ? last_time->key : -1;
  offset_of_max_timestamp_ = last_time ? last_time->value : -1;

  std::string buf;
  uint64_t buf_start = 0;
  // Ensure makes buf cover [lo, hi) of the file, reading ahead in large chunks.
  auto ensure = [&](uint64_t lo, uint64_t hi) -> absl::Status {
    if (lo >= buf_start && hi <= buf_start + buf.size()) return absl::OkStatus();
    buf.resize(std::min<uint64_t>(std::max<uint64_t>(hi - lo, kScanChunk), file_size - lo));
    buf_start = lo;
    return ReadFully(*log_, lo, std::span<char>(buf.data(), buf.size()));
  };
  std::string invalid;
  while (pos < file_size) {
    if (file_size - pos < kBatchHeaderSize) {
      invalid = absl::StrCat("truncated batch header (", file_size - pos, " bytes at end of file)");
      break;
    }
    EDDY_RETURN_IF_ERROR(ensure(pos, pos + kBatchHeaderSize));
    std::string_view head(buf.data() + (pos - buf_start), kBatchHeaderSize);
    absl::StatusOr<BatchHeader> header = ParseBatchHeader(head);
    if (!header.ok()) {
      invalid = std::string(header.status().message());
      break;
    }
    const uint64_t size = header->size_in_bytes();
    if (pos + size > file_size) {
      invalid = absl::StrCat("batch of ", size, " bytes extends past end of file (", file_size, " bytes)");
      break;
    }
    if (pos + size > kMaxSegmentBytes) {
      invalid = "segment larger than 2 GiB";
      break;
    }
    if (header->base_offset < next_offset_.value()) {
      invalid = absl::StrCat("base offset ", header->base_offset, " not above previous batch's last offset ",
                             next_offset_.value() - 1);
      break;
    }
    EDDY_RETURN_IF_ERROR(ensure(pos, pos + size));
    if (!internal::VerifyBatchCrc(std::string_view(buf.data() + (pos - buf_start), size))) {
      invalid = absl::StrCat("CRC mismatch in batch with base offset ", header->base_offset);
      break;
    }
    if (rebuild_indexes) {
      EDDY_RETURN_IF_ERROR(MaybeIndex(pos, *header));
    } else if (header->max_timestamp > max_timestamp_) {
      max_timestamp_ = header->max_timestamp;
      offset_of_max_timestamp_ = header->last_offset();
    }
    next_offset_ = Offset(header->last_offset() + 1);
    if (on_batch) on_batch(*header);
    ++result.batches_scanned;
    pos += size;
  }
  if (!invalid.empty()) {
    if (mode == ScanMode::kStrict) return Corruption(pos, invalid);
    EDDY_RETURN_IF_ERROR(log_->Truncate(pos));
    // Make the cut durable now: if the log later flushes only from a segment after this one, a crash
    // must not bring the invalid tail back into a segment that then counts as flushed.
    EDDY_RETURN_IF_ERROR(log_->Sync());
    result.bytes_truncated = file_size - pos;
  }
  size_ = pos;
  // A rebuilt time index ends, like a rolled one, with the segment's max timestamp; this also
  // recreates the entry Roll wrote, so a rebuild of an intact index changes nothing on disk.
  if (rebuild_indexes) EDDY_RETURN_IF_ERROR(AppendFinalTimestamp());
  return result;
}

absl::Status Segment::Append(std::string_view batch, const BatchHeader& header) {
  EDDY_RETURN_IF_ERROR(Load());
  if (header.base_offset < next_offset_.value()) {
    return absl::InternalError(absl::StrCat("append at offset ", header.base_offset, " below segment end ",
                                            next_offset_.value(), " in ", log_->Path()));
  }
  if (size_ + batch.size() > kMaxSegmentBytes) {
    return absl::FailedPreconditionError(absl::StrCat("segment ", log_->Path(), " would exceed 2 GiB"));
  }
  const uint64_t position = size_;
  // Write the data first: an index entry must never point past the log (Open would reject it).
  if (absl::Status s = log_->Append(batch); !s.ok()) {
    // Keep the file's tail at a batch boundary so later appends stay parseable.
    (void)log_->Truncate(position);
    return s;
  }
  size_ += batch.size();
  next_offset_ = Offset(header.last_offset() + 1);
  return MaybeIndex(position, header);
}

absl::StatusOr<std::optional<Segment::Located>> Segment::LocateFrom(
    uint64_t position, const std::function<bool(const BatchHeader&)>& stop) const {
  char head[kBatchHeaderSize];
  while (position + kBatchHeaderSize <= size_) {
    EDDY_RETURN_IF_ERROR(ReadFully(*log_, position, std::span<char>(head, kBatchHeaderSize)));
    absl::StatusOr<BatchHeader> header = ParseBatchHeader(std::string_view(head, kBatchHeaderSize));
    if (!header.ok()) return Corruption(position, internal::SV(header.status().message()));
    if (stop(*header)) return Located{position, *header};
    position += header->size_in_bytes();
  }
  return std::nullopt;
}

absl::StatusOr<SegmentRead> Segment::Read(Offset start, size_t max_bytes, int64_t max_offset, bool min_one_batch,
                                          bool verify_crc) const {
  EDDY_RETURN_IF_ERROR(Load());
  SegmentRead out;
  std::optional<SparseIndex::Entry> floor = offset_index_->Floor(start.value());
  uint64_t from = floor ? static_cast<uint64_t>(floor->value) : 0;
  EDDY_ASSIGN_OR_RETURN(std::optional<Located> first,
                        LocateFrom(from, [&](const BatchHeader& h) { return h.last_offset() >= start.value(); }));
  if (!first) return out;
  if (first->header.last_offset() >= max_offset) {
    out.stopped_at_max_offset = true;
    return out;
  }
  size_t first_size = first->header.size_in_bytes();
  if (first_size > max_bytes && !min_one_batch) return out;
  size_t want = std::min<uint64_t>(size_ - first->position, std::max(max_bytes, first_size));
  std::string data(want, '\0');
  EDDY_RETURN_IF_ERROR(ReadFully(*log_, first->position, std::span<char>(data.data(), data.size())));
  size_t cur = 0;
  while (cur + kBatchHeaderSize <= data.size()) {
    std::string_view rest(data.data() + cur, data.size() - cur);
    absl::StatusOr<BatchHeader> h = ParseBatchHeader(rest);
    if (!h.ok()) return Corruption(first->position + cur, internal::SV(h.status().message()));
    if (h->size_in_bytes() > rest.size() || h->last_offset() >= max_offset) break;
    if (verify_crc && !internal::VerifyBatchCrc(rest.substr(0, h->size_in_bytes()))) {
      return Corruption(first->position + cur,
                        absl::StrCat("CRC mismatch in batch with base offset ", h->base_offset));
    }
    if (out.first_batch_offset < 0) out.first_batch_offset = h->base_offset;
    out.next_offset = h->last_offset() + 1;
    cur += h->size_in_bytes();
  }
  data.resize(cur);
  out.records = std::move(data);
  return out;
}

absl::StatusOr<std::optional<Segment::Located>> Segment::FindBatchByTimestamp(int64_t timestamp_ms) const {
  EDDY_RETURN_IF_ERROR(Load());
  if (max_timestamp_ < timestamp_ms) return std::nullopt;
  uint64_t from = 0;
  if (std::optional<SparseIndex::Entry> t = time_index_->Floor(timestamp_ms)) {
    if (std::optional<SparseIndex::Entry> o = offset_index_->Floor(t->value)) from = o->value;
  }
  return LocateFrom(from, [&](const BatchHeader& h) { return h.max_timestamp >= timestamp_ms; });
}

absl::StatusOr<std::string> Segment::ReadAt(uint64_t position, size_t size) const {
  std::string data(size, '\0');
  EDDY_RETURN_IF_ERROR(ReadFully(*log_, position, std::span<char>(data.data(), data.size())));
  return data;
}

absl::StatusOr<uint64_t> Segment::TruncateTo(Offset offset) {
  EDDY_RETURN_IF_ERROR(Load());
  if (offset.value() >= next_offset_.value()) return uint64_t{0};
  uint64_t cut = 0;
  Offset cut_offset = base_;
  if (offset > base_) {
    std::optional<SparseIndex::Entry> floor = offset_index_->Floor(offset.value());
    EDDY_ASSIGN_OR_RETURN(std::optional<Located> at,
                          LocateFrom(floor ? floor->value : 0,
                                     [&](const BatchHeader& h) { return h.last_offset() >= offset.value(); }));
    if (!at) return uint64_t{0};
    cut = at->position;
    cut_offset = Offset(at->header.base_offset);
  }
  const uint64_t removed = size_ - cut;
  EDDY_RETURN_IF_ERROR(offset_index_->TruncateFrom(cut_offset));
  EDDY_RETURN_IF_ERROR(time_index_->TruncateFrom(cut_offset));
  EDDY_RETURN_IF_ERROR(log_->Truncate(cut));
  size_ = cut;
  // Re-derive next offset and max timestamp from what is left (one index interval of scanning).
  EDDY_RETURN_IF_ERROR(Scan(cut_offset, ScanMode::kStrict, nullptr).status());
  return removed;
}

absl::Status Segment::OnRoll() {
  EDDY_RETURN_IF_ERROR(Load());
  return AppendFinalTimestamp();
}

absl::Status Segment::AppendFinalTimestamp() {
  std::optional<SparseIndex::Entry> last = time_index_->Last();
  if (max_timestamp_ >= 0 && (!last || max_timestamp_ > last->key)) {
    EDDY_RETURN_IF_ERROR(time_index_->Append({max_timestamp_, offset_of_max_timestamp_}, /*ignore_full=*/true));
  }
  return absl::OkStatus();
}

absl::Status Segment::Flush(bool include_indexes) {
  // Indexes not loaded yet have not been written since they were last synced.
  if (!loaded()) return log_->Sync();
  if (!include_indexes) {
    EDDY_RETURN_IF_ERROR(offset_index_->SyncTruncation());
    EDDY_RETURN_IF_ERROR(time_index_->SyncTruncation());
    return log_->Sync();
  }
  EDDY_RETURN_IF_ERROR(log_->Sync());
  EDDY_RETURN_IF_ERROR(offset_index_->Sync());
  return time_index_->Sync();
}

absl::Status Segment::WritePendingIndexes() {
  if (!loaded()) return absl::OkStatus();
  EDDY_RETURN_IF_ERROR(offset_index_->WritePending());
  return time_index_->WritePending();
}

absl::Status Segment::SyncFiles() const {
  EDDY_RETURN_IF_ERROR(log_->Sync());
  if (!loaded()) return absl::OkStatus();
  EDDY_RETURN_IF_ERROR(offset_index_->SyncFile());
  return time_index_->SyncFile();
}

absl::Status Segment::Delete() {
  for (std::string_view suffix : {".log", ".index", ".timeindex"}) {
    absl::Status s = fs_.Remove(JoinPath(dir_, FileName(base_, suffix)));
    if (!s.ok() && !absl::IsNotFound(s)) return s;
  }
  return absl::OkStatus();
}

}  // namespace eddy::storage
