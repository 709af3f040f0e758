#include "libs/kafka/record_batch_builder.h"

#include <algorithm>

#include "libs/common/crc32c.h"
#include "libs/kafka/writer.h"

namespace eddy::kafka {
namespace {

void Put(std::string& out, uint64_t v, size_t width) {
  for (size_t i = 0; i < width; ++i) out.push_back(static_cast<char>(v >> (8 * (width - 1 - i))));
}

void PutSized(Writer& w, std::optional<std::string_view> bytes) {
  if (!bytes) {
    w.Varint(-1, "length").IgnoreError();
    return;
  }
  w.Varint(static_cast<int32_t>(bytes->size()), "length").IgnoreError();
  w.Raw(*bytes).IgnoreError();
}

}  // namespace

void RecordBatchBuilder::Append(int64_t timestamp_ms, std::optional<std::string_view> key,
                                std::optional<std::string_view> value,
                                std::span<const RecordHeaderView> headers) {
  if (count_ == 0) base_timestamp_ = timestamp_ms;
  max_timestamp_ = count_ == 0 ? timestamp_ms : std::max(max_timestamp_, timestamp_ms);
  std::string body;
  Writer w(&body);
  w.Int8(int8_t{0}, "attributes").IgnoreError();
  w.Varlong(timestamp_ms - base_timestamp_, "timestamp_delta").IgnoreError();
  w.Varint(count_, "offset_delta").IgnoreError();
  PutSized(w, key);
  PutSized(w, value);
  w.Varint(static_cast<int32_t>(headers.size()), "header_count").IgnoreError();
  for (const RecordHeaderView& h : headers) {
    PutSized(w, h.key);
    PutSized(w, h.value);
  }
  Writer out(&records_);
  out.Varint(static_cast<int32_t>(body.size()), "length").IgnoreError();
  records_ += body;
  ++count_;
}

absl::StatusOr<std::string> RecordBatchBuilder::Build() const {
  if (count_ == 0) return absl::FailedPreconditionError("RecordBatchBuilder: no records");
  absl::StatusOr<std::string> payload =
      Compress(options_.compression, std::span<const uint8_t>(
                                         reinterpret_cast<const uint8_t*>(records_.data()),
                                         records_.size()));
  if (!payload.ok()) return payload.status();
  uint16_t attributes = static_cast<uint16_t>(options_.compression);
  if (options_.timestamp_type == TimestampType::kLogAppendTime) attributes |= 0x08;
  if (options_.transactional) attributes |= 0x10;
  if (options_.control) attributes |= 0x20;

  std::string out;
  out.reserve(kRecordBatchHeaderSize + payload->size());
  Put(out, static_cast<uint64_t>(options_.base_offset.value()), 8);
  Put(out, static_cast<uint32_t>(kRecordBatchHeaderSize - kLogOverhead + payload->size()), 4);
  Put(out, static_cast<uint32_t>(options_.partition_leader_epoch.value()), 4);
  out.push_back(2);  // magic
  Put(out, 0, 4);    // crc, patched below
  Put(out, attributes, 2);
  Put(out, static_cast<uint32_t>(count_ - 1), 4);  // lastOffsetDelta
  Put(out, static_cast<uint64_t>(base_timestamp_), 8);
  Put(out, static_cast<uint64_t>(max_timestamp_), 8);
  Put(out, static_cast<uint64_t>(options_.producer_id.value()), 8);
  Put(out, static_cast<uint16_t>(options_.producer_epoch.value()), 2);
  Put(out, static_cast<uint32_t>(options_.base_sequence), 4);
  Put(out, static_cast<uint32_t>(count_), 4);
  out += *payload;
  const uint32_t crc = common::Crc32c(out.data() + kAttributesOffset, out.size() - kAttributesOffset);
  for (int i = 0; i < 4; ++i) {
    out[kCrcOffset + static_cast<size_t>(i)] = static_cast<char>(crc >> (24 - 8 * i));
  }
  return out;
}

absl::StatusOr<std::string> BuildEndTxnMarker(Offset base_offset, ProducerId producer_id,
                                              ProducerEpoch producer_epoch, bool commit,
                                              int32_t coordinator_epoch, int64_t timestamp_ms) {
  RecordBatchBuilder builder({.base_offset = base_offset,
                              .producer_id = producer_id,
                              .producer_epoch = producer_epoch,
                              .base_sequence = -1,
                              .transactional = true,
                              .control = true});
  std::string key;
  Put(key, 0, 2);  // ControlRecordType version
  Put(key, commit ? 1 : 0, 2);
  std::string value;
  Put(value, 0, 2);  // EndTransactionMarker version
  Put(value, static_cast<uint32_t>(coordinator_epoch), 4);
  builder.Append(timestamp_ms, key, value);
  return builder.Build();
}

}  // namespace eddy::kafka
