#include "libs/storage/producer_snapshot.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/crc32c.h"
#include "libs/common/status_macros.h"
#include "libs/storage/atomic_file.h"
#include "libs/storage/internal/absl_view.h"
#include "libs/storage/internal/batch_header.h"
#include "libs/storage/segment.h"

namespace eddy::storage {
namespace {

using internal::LoadBE16;
using internal::LoadBE32;
using internal::LoadBE64;
using internal::StoreBE16;
using internal::StoreBE32;
using internal::StoreBE64;

constexpr int16_t kVersion = 1;
constexpr size_t kHeaderSize = 2 + 4 + 4;
constexpr size_t kEntrySize = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

}  // namespace

std::string ProducerSnapshotPath(const std::string& dir, Offset offset) {
  return JoinPath(dir, Segment::FileName(offset, ".snapshot"));
}

absl::Status WriteProducerSnapshot(FileSystem& fs, const std::string& dir, Offset offset,
                                   const std::vector<ProducerSnapshotEntry>& entries) {
  std::string buf(kHeaderSize + entries.size() * kEntrySize, '\0');
  char* p = buf.data();
  StoreBE16(p, static_cast<uint16_t>(kVersion));
  StoreBE32(p + 6, static_cast<uint32_t>(entries.size()));
  char* e = p + kHeaderSize;
  for (const ProducerSnapshotEntry& entry : entries) {
    StoreBE64(e, static_cast<uint64_t>(entry.producer_id.value()));
    StoreBE16(e + 8, static_cast<uint16_t>(entry.producer_epoch.value()));
    StoreBE32(e + 10, static_cast<uint32_t>(entry.last_sequence));
    StoreBE64(e + 14, static_cast<uint64_t>(entry.last_offset.value()));
    StoreBE32(e + 22, static_cast<uint32_t>(entry.offset_delta));
    StoreBE64(e + 26, static_cast<uint64_t>(entry.timestamp_ms));
    StoreBE32(e + 34, static_cast<uint32_t>(entry.coordinator_epoch));
    StoreBE64(e + 38, static_cast<uint64_t>(entry.current_txn_first_offset ? entry.current_txn_first_offset->value() : -1));
    e += kEntrySize;
  }
  StoreBE32(p + 2, common::Crc32c(p + 6, buf.size() - 6));
  return WriteFileAtomically(fs, ProducerSnapshotPath(dir, offset), buf);
}

absl::StatusOr<std::vector<ProducerSnapshotEntry>> ReadProducerSnapshot(FileSystem& fs, const std::string& path) {
  EDDY_ASSIGN_OR_RETURN(std::string buf, ReadWholeFile(fs, path));
  auto corrupt = [&](std::string_view why) {
    return absl::DataLossError(absl::StrCat("corrupt producer snapshot ", path, ": ", internal::AV(why)));
  };
  if (buf.size() < kHeaderSize) return corrupt("shorter than its header");
  const char* p = buf.data();
  if (static_cast<int16_t>(LoadBE16(p)) != kVersion) return corrupt("unknown version");
  if (LoadBE32(p + 2) != common::Crc32c(p + 6, buf.size() - 6)) return corrupt("CRC mismatch");
  const uint32_t count = LoadBE32(p + 6);
  if (buf.size() != kHeaderSize + static_cast<uint64_t>(count) * kEntrySize) return corrupt("size does not match count");
  std::vector<ProducerSnapshotEntry> entries;
  entries.reserve(count);
  for (const char* e = p + kHeaderSize; e < buf.data() + buf.size(); e += kEntrySize) {
    ProducerSnapshotEntry entry;
    entry.producer_id = ProducerId(static_cast<int64_t>(LoadBE64(e)));
    entry.producer_epoch = ProducerEpoch(static_cast<int16_t>(LoadBE16(e + 8)));
    entry.last_sequence = static_cast<int32_t>(LoadBE32(e + 10));
    entry.last_offset = Offset(static_cast<int64_t>(LoadBE64(e + 14)));
    entry.offset_delta = static_cast<int32_t>(LoadBE32(e + 22));
    entry.timestamp_ms = static_cast<int64_t>(LoadBE64(e + 26));
    entry.coordinator_epoch = static_cast<int32_t>(LoadBE32(e + 34));
    const int64_t txn = static_cast<int64_t>(LoadBE64(e + 38));
    if (txn >= 0) entry.current_txn_first_offset = Offset(txn);
    entries.push_back(entry);
  }
  return entries;
}

absl::StatusOr<std::vector<Offset>> ListProducerSnapshots(FileSystem& fs, const std::string& dir) {
  EDDY_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  std::vector<Offset> offsets;
  for (const std::string& name : names) {  // ListDir sorts, and the names are zero-padded
    if (!absl::EndsWith(name, ".snapshot")) continue;
    if (std::optional<Offset> o = Segment::ParseBaseOffset(name)) offsets.push_back(*o);
  }
  return offsets;
}

absl::Status DeleteProducerSnapshotsOutside(FileSystem& fs, const std::string& dir, Offset start, Offset end) {
  EDDY_ASSIGN_OR_RETURN(std::vector<Offset> offsets, ListProducerSnapshots(fs, dir));
  for (Offset o : offsets) {
    if (o < start || o > end) EDDY_RETURN_IF_ERROR(fs.Remove(ProducerSnapshotPath(dir, o)));
  }
  return absl::OkStatus();
}

}  // namespace eddy::storage
