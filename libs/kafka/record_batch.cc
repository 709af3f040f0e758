#include "libs/kafka/record_batch.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/crc32c.h"
#include "libs/kafka/reader.h"

namespace eddy::kafka {
namespace {

std::string_view AsView(std::span<const uint8_t> s) {
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}

void Store(std::span<uint8_t> b, size_t at, uint64_t v, size_t width) {
  for (size_t i = 0; i < width; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * (width - 1 - i)));
}

// ReadSized reads a ZigZag length then that many bytes; -1 means null when `nullable`.
absl::Status ReadSized(Reader& r, bool nullable, const char* field,
                       std::optional<std::string_view>& out) {
  int32_t len = 0;
  if (auto s = r.Varint(len, field); !s.ok()) return s;
  if (len < 0) {
    if (len == -1 && nullable) {
      out.reset();
      return absl::OkStatus();
    }
    return Malformed(field, absl::StrCat("invalid length ", len));
  }
  std::span<const uint8_t> bytes;
  if (auto s = r.Span(static_cast<size_t>(len), bytes, field); !s.ok()) return s;
  out = AsView(bytes);
  return absl::OkStatus();
}

// ForEachHeader reads `count` headers from `encoded`, handing each to `visit`; the produce path
// validates headers through it without building a vector per record.
template <typename Visit>
absl::Status ForEachHeader(std::string_view encoded, int32_t count, Visit visit) {
  Reader r(encoded.data(), encoded.size());
  if (static_cast<size_t>(count) > encoded.size()) {
    return Malformed("headers", absl::StrCat("count ", count, " exceeds the record"));
  }
  for (int32_t i = 0; i < count; ++i) {
    std::optional<std::string_view> key;
    std::optional<std::string_view> value;
    absl::Status s = ReadSized(r, /*nullable=*/false, "key", key);
    if (s.ok()) s = ReadSized(r, /*nullable=*/true, "value", value);
    if (!s.ok()) return PrefixError(std::move(s), absl::StrCat("headers[", i, "]."));
    visit(RecordHeaderView{*key, value});
  }
  if (r.remaining() != 0) return Malformed("headers", "trailing bytes in record");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RecordBatchView> RecordBatchView::Parse(std::span<const uint8_t> bytes) {
  if (bytes.size() < kRecordBatchHeaderSize) {
    return Malformed("RecordBatch", absl::StrCat("truncated header: ", bytes.size(), " bytes"));
  }
  const RecordBatchView header(bytes.first(kRecordBatchHeaderSize));
  if (header.magic() != 2) {
    return Malformed("RecordBatch.magic", absl::StrCat("unsupported magic ", header.magic()));
  }
  const int32_t length = header.batch_length();
  if (length < static_cast<int32_t>(kRecordBatchHeaderSize - kLogOverhead)) {
    return Malformed("RecordBatch.batch_length", absl::StrCat("too small: ", length));
  }
  const size_t total = static_cast<size_t>(length) + kLogOverhead;
  if (total > bytes.size()) {
    return Malformed("RecordBatch.batch_length",
                     absl::StrCat(length, " exceeds the ", bytes.size() - kLogOverhead, " bytes available"));
  }
  return RecordBatchView(bytes.first(total));
}

int16_t RecordBatchView::Load16(size_t at) const {
  return static_cast<int16_t>((bytes_[at] << 8) | bytes_[at + 1]);
}
int32_t RecordBatchView::Load32(size_t at) const {
  return static_cast<int32_t>((uint32_t{bytes_[at]} << 24) | (uint32_t{bytes_[at + 1]} << 16) |
                              (uint32_t{bytes_[at + 2]} << 8) | uint32_t{bytes_[at + 3]});
}
int64_t RecordBatchView::Load64(size_t at) const {
  return static_cast<int64_t>((static_cast<uint64_t>(static_cast<uint32_t>(Load32(at))) << 32) |
                              static_cast<uint32_t>(Load32(at + 4)));
}

uint32_t RecordBatchView::ComputeCrc() const {
  return common::Crc32c(bytes_.data() + kAttributesOffset, bytes_.size() - kAttributesOffset);
}

absl::Status RecordBatchView::VerifyCrc() const {
  const uint32_t actual = ComputeCrc();
  if (actual != crc()) {
    return Malformed("RecordBatch.crc",
                     absl::StrCat("mismatch: stored ", crc(), ", computed ", actual));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RecordBatchView::DecompressedPayload(
    const DecompressionLimits& limits) const {
  auto result = Decompress(compression(), payload(), limits);
  if (!result.ok()) return PrefixError(result.status(), "RecordBatch.records: ");
  return result;
}

absl::StatusOr<bool> RecordIterator::Next(RecordView* record) {
  if (remaining_ == 0) {
    if (pos_ != payload_.size()) {
      return Malformed("RecordBatch.records",
                       absl::StrCat(payload_.size() - pos_, " bytes after the last record"));
    }
    return false;
  }
  if (remaining_ < 0) return Malformed("RecordBatch.records_count", "negative");
  // The field path is only built for an error: this runs once per produced record.
  auto fail = [this](absl::Status s) {
    return PrefixError(std::move(s), absl::StrCat("RecordBatch.records[", index_, "]."));
  };
  Reader outer(payload_.subspan(pos_));
  int32_t length = 0;
  absl::Status s = outer.Varint(length, "length");
  if (s.ok() && (length < 0 || static_cast<size_t>(length) > outer.remaining())) {
    s = Malformed("length", absl::StrCat(length, " exceeds the ", outer.remaining(),
                                         " bytes left (records_count too large?)"));
  }
  if (!s.ok()) return fail(std::move(s));
  Reader r(outer.Rest().first(static_cast<size_t>(length)));
  RecordView rec;
  s = r.Int8(rec.attributes, "attributes");
  if (s.ok()) s = r.Varlong(rec.timestamp_delta, "timestamp_delta");
  if (s.ok()) s = r.Varint(rec.offset_delta, "offset_delta");
  if (s.ok()) s = ReadSized(r, true, "key", rec.key);
  if (s.ok()) s = ReadSized(r, true, "value", rec.value);
  if (s.ok()) s = r.Varint(rec.header_count, "header_count");
  if (s.ok() && rec.header_count < 0) s = Malformed("header_count", "negative");
  if (!s.ok()) return fail(std::move(s));
  rec.headers = AsView(r.Rest());
  // Validate the headers now so that a returned record is fully well-formed.
  s = ForEachHeader(rec.headers, rec.header_count, [](const RecordHeaderView&) {});
  if (!s.ok()) return fail(std::move(s));
  pos_ += outer.position() + static_cast<size_t>(length);
  --remaining_;
  ++index_;
  *record = rec;
  return true;
}

absl::StatusOr<std::vector<RecordHeaderView>> RecordView::Headers() const {
  std::vector<RecordHeaderView> out;
  if (header_count > 0 && static_cast<size_t>(header_count) <= headers.size()) {
    out.reserve(static_cast<size_t>(header_count));
  }
  absl::Status s = ForEachHeader(headers, header_count,
                                 [&out](const RecordHeaderView& h) { out.push_back(h); });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<RecordView>> ReadAllRecords(const RecordBatchView& batch,
                                                       std::string* storage,
                                                       const DecompressionLimits& limits) {
  std::span<const uint8_t> payload = batch.payload();
  if (batch.compression() != Compression::kNone) {
    auto decompressed = batch.DecompressedPayload(limits);
    if (!decompressed.ok()) return decompressed.status();
    *storage = std::move(*decompressed);
    payload = {reinterpret_cast<const uint8_t*>(storage->data()), storage->size()};
  }
  std::vector<RecordView> records;
  const int32_t count = batch.records_count();
  if (count < 0 || static_cast<size_t>(count) > payload.size()) {
    return Malformed("RecordBatch.records_count", absl::StrCat(count, " is impossible for ",
                                                              payload.size(), " bytes"));
  }
  records.reserve(static_cast<size_t>(count));
  RecordIterator it(payload, count);
  RecordView rec;
  while (true) {
    auto more = it.Next(&rec);
    if (!more.ok()) return more.status();
    if (!*more) break;
    records.push_back(rec);
  }
  return records;
}

absl::StatusOr<std::vector<RecordBatchView>> SplitBatches(std::span<const uint8_t> records,
                                                          bool* truncated_tail) {
  std::vector<RecordBatchView> batches;
  if (truncated_tail != nullptr) *truncated_tail = false;
  size_t pos = 0;
  while (pos < records.size()) {
    std::span<const uint8_t> rest = records.subspan(pos);
    // A batch whose declared length runs past the end is a truncated tail, not corruption.
    const bool partial = rest.size() < kLogOverhead ||
                         (static_cast<size_t>(static_cast<uint32_t>(
                              (rest[8] << 24) | (rest[9] << 16) | (rest[10] << 8) | rest[11])) +
                          kLogOverhead) > rest.size();
    if (partial && truncated_tail != nullptr) {
      *truncated_tail = true;
      break;
    }
    auto batch = RecordBatchView::Parse(rest);
    if (!batch.ok()) {
      return PrefixError(batch.status(), absl::StrCat("batch at byte ", pos, ": "));
    }
    batches.push_back(*batch);
    pos += batch->size();
  }
  return batches;
}

absl::StatusOr<ControlRecordType> ParseControlRecordKey(std::string_view key) {
  Reader r(key.data(), key.size());
  int16_t version = 0;
  int16_t type = 0;
  absl::Status s = r.Int16(version, "version");
  if (s.ok()) s = r.Int16(type, "type");
  if (!s.ok()) return PrefixError(std::move(s), "ControlRecordKey.");
  if (version < 0) return Malformed("ControlRecordKey.version", absl::StrCat(version));
  if (type == 0) return ControlRecordType::kAbort;
  if (type == 1) return ControlRecordType::kCommit;
  return ControlRecordType::kUnknown;
}

absl::StatusOr<EndTxnMarker> ParseEndTxnMarker(std::string_view value) {
  Reader r(value.data(), value.size());
  EndTxnMarker m;
  absl::Status s = r.Int16(m.version, "version");
  if (s.ok()) s = r.Int32(m.coordinator_epoch, "coordinator_epoch");
  if (!s.ok()) return PrefixError(std::move(s), "EndTxnMarker.");
  if (m.version < 0) return Malformed("EndTxnMarker.version", absl::StrCat(m.version));
  return m;
}

void SetBaseOffset(std::span<uint8_t> batch, Offset base_offset) {
  Store(batch, 0, static_cast<uint64_t>(base_offset.value()), 8);
}

void SetPartitionLeaderEpoch(std::span<uint8_t> batch, LeaderEpoch epoch) {
  Store(batch, 12, static_cast<uint32_t>(epoch.value()), 4);
}

void StampLogAppendTime(std::span<uint8_t> batch, int64_t timestamp_ms) {
  const uint16_t attributes = static_cast<uint16_t>((batch[kAttributesOffset] << 8) |
                                                    batch[kAttributesOffset + 1]);
  Store(batch, kAttributesOffset, static_cast<uint16_t>(attributes | 0x08), 2);
  Store(batch, 35, static_cast<uint64_t>(timestamp_ms), 8);
  const uint32_t crc = common::Crc32c(batch.data() + kAttributesOffset, batch.size() - kAttributesOffset);
  Store(batch, kCrcOffset, crc, 4);
}

}  // namespace eddy::kafka
