#include "libs/storage/internal/records.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/storage/internal/batch_header.h"

namespace eddy::storage::internal {
namespace {

// ReadVarint decodes a zig-zag varint of at most 10 bytes; false on truncation or overlong input.
bool ReadVarint(std::string_view* in, int64_t* out) {
  uint64_t raw = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in->empty()) return false;
    uint8_t b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    raw |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *out = static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
      return true;
    }
  }
  return false;
}

bool ReadBytes(std::string_view* in, std::optional<std::string_view>* out) {
  int64_t len = 0;
  if (!ReadVarint(in, &len)) return false;
  if (len < 0) {
    *out = std::nullopt;
    return len == -1;
  }
  if (static_cast<uint64_t>(len) > in->size()) return false;
  *out = in->substr(0, static_cast<size_t>(len));
  in->remove_prefix(static_cast<size_t>(len));
  return true;
}

}  // namespace

void AppendVarint(std::string* out, int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out->push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out->push_back(static_cast<char>(z));
}

absl::Status ForEachRecord(std::string_view batch, const std::function<bool(const RecordView&)>& fn) {
  if (batch.size() < kBatchHeaderSize) return absl::DataLossError("batch shorter than its header");
  int16_t attributes = static_cast<int16_t>(LoadBE16(batch.data() + kAttributesOffset));
  if (attributes & kCompressionMask) return absl::UnimplementedError("compressed batch");
  int32_t count = static_cast<int32_t>(LoadBE32(batch.data() + 57));
  std::string_view in = batch.substr(kBatchHeaderSize);
  for (int32_t i = 0; i < count; ++i) {
    std::string_view start = in;
    int64_t len = 0;
    if (!ReadVarint(&in, &len) || len < 0 || static_cast<uint64_t>(len) > in.size()) {
      return absl::DataLossError(absl::StrCat("bad length of record ", i));
    }
    size_t prefix = start.size() - in.size();
    std::string_view body = in.substr(0, static_cast<size_t>(len));
    in.remove_prefix(static_cast<size_t>(len));
    RecordView r;
    r.raw = start.substr(0, prefix + static_cast<size_t>(len));
    int64_t header_count = 0;
    if (body.empty()) return absl::DataLossError(absl::StrCat("empty record ", i));
    body.remove_prefix(1);  // record attributes, unused in v2
    if (!ReadVarint(&body, &r.timestamp_delta) || !ReadVarint(&body, &r.offset_delta) ||
        !ReadBytes(&body, &r.key) || !ReadBytes(&body, &r.value) || !ReadVarint(&body, &header_count)) {
      return absl::DataLossError(absl::StrCat("malformed record ", i));
    }
    if (!fn(r)) return absl::OkStatus();
  }
  return absl::OkStatus();
}

namespace {

void AppendNullableBytes(std::string* out, const std::optional<std::string>& b) {
  if (!b) {
    AppendVarint(out, -1);
    return;
  }
  AppendVarint(out, static_cast<int64_t>(b->size()));
  out->append(*b);
}

// FinishBatch fills batchLength, record count, max timestamp and CRC of a batch whose header fields
// other than those are already in place.
void FinishBatch(std::string* batch, int32_t record_count, int64_t max_timestamp) {
  StoreBE32(batch->data() + 8, static_cast<uint32_t>(batch->size() - kLogOverhead));
  StoreBE64(batch->data() + 35, static_cast<uint64_t>(max_timestamp));
  StoreBE32(batch->data() + 57, static_cast<uint32_t>(record_count));
  WriteBatchCrc(batch->data(), batch->size());
}

}  // namespace

std::string BuildBatch(const BatchSpec& spec) {
  std::string out(kBatchHeaderSize, '\0');
  int64_t base_ts = spec.records.empty() ? 0 : spec.records.front().timestamp_ms;
  int64_t max_ts = base_ts;
  int64_t max_delta = 0;
  for (size_t i = 0; i < spec.records.size(); ++i) {
    const RecordSpec& r = spec.records[i];
    int64_t offset_delta = r.offset_delta >= 0 ? r.offset_delta : static_cast<int64_t>(i);
    max_delta = std::max(max_delta, offset_delta);
    max_ts = std::max(max_ts, r.timestamp_ms);
    std::string body(1, '\0');
    AppendVarint(&body, r.timestamp_ms - base_ts);
    AppendVarint(&body, offset_delta);
    AppendNullableBytes(&body, r.key);
    AppendNullableBytes(&body, r.value);
    AppendVarint(&body, 0);
    AppendVarint(&out, static_cast<int64_t>(body.size()));
    out += body;
  }
  char* p = out.data();
  StoreBE64(p, static_cast<uint64_t>(spec.base_offset));
  StoreBE32(p + 12, static_cast<uint32_t>(spec.partition_leader_epoch));
  p[16] = kMagicV2;
  StoreBE16(p + 21, static_cast<uint16_t>(spec.attributes));
  StoreBE32(p + 23, static_cast<uint32_t>(spec.last_offset_delta >= 0 ? spec.last_offset_delta : max_delta));
  StoreBE64(p + 27, static_cast<uint64_t>(base_ts));
  StoreBE64(p + 43, static_cast<uint64_t>(spec.producer_id));
  StoreBE16(p + 51, static_cast<uint16_t>(spec.producer_epoch));
  StoreBE32(p + 53, static_cast<uint32_t>(spec.base_sequence));
  FinishBatch(&out, static_cast<int32_t>(spec.records.size()), max_ts);
  return out;
}

std::string RebuildBatch(std::string_view original, const std::vector<std::string_view>& records,
                         int64_t max_timestamp) {
  std::string out(original.substr(0, kBatchHeaderSize));
  for (std::string_view r : records) out.append(r);
  FinishBatch(&out, static_cast<int32_t>(records.size()), max_timestamp);
  return out;
}

}  // namespace eddy::storage::internal
