#include "libs/storage/internal/batch_header.h"

#include "absl/strings/str_cat.h"
#include "libs/common/crc32c.h"

namespace eddy::storage::internal {

absl::StatusOr<BatchHeader> ParseBatchHeader(std::string_view bytes) {
  if (bytes.size() < kBatchHeaderSize) {
    return absl::DataLossError(absl::StrCat("truncated batch header: ", bytes.size(), " bytes"));
  }
  const char* p = bytes.data();
  BatchHeader h;
  h.base_offset = static_cast<int64_t>(LoadBE64(p));
  h.batch_length = static_cast<int32_t>(LoadBE32(p + 8));
  h.partition_leader_epoch = static_cast<int32_t>(LoadBE32(p + 12));
  h.magic = static_cast<int8_t>(p[16]);
  h.crc = LoadBE32(p + 17);
  h.attributes = static_cast<int16_t>(LoadBE16(p + 21));
  h.last_offset_delta = static_cast<int32_t>(LoadBE32(p + 23));
  h.base_timestamp = static_cast<int64_t>(LoadBE64(p + 27));
  h.max_timestamp = static_cast<int64_t>(LoadBE64(p + 35));
  h.producer_id = static_cast<int64_t>(LoadBE64(p + 43));
  h.producer_epoch = static_cast<int16_t>(LoadBE16(p + 51));
  h.base_sequence = static_cast<int32_t>(LoadBE32(p + 53));
  h.record_count = static_cast<int32_t>(LoadBE32(p + 57));
  if (h.magic != kMagicV2) return absl::DataLossError(absl::StrCat("unsupported magic ", int{h.magic}));
  if (h.batch_length < static_cast<int32_t>(kBatchHeaderSize - kLogOverhead)) {
    return absl::DataLossError(absl::StrCat("batch length ", h.batch_length, " shorter than its header"));
  }
  if (h.last_offset_delta < 0 || h.record_count < 0) {
    return absl::DataLossError(absl::StrCat("negative lastOffsetDelta ", h.last_offset_delta,
                                            " or record count ", h.record_count));
  }
  if (h.base_offset < 0) return absl::DataLossError(absl::StrCat("negative base offset ", h.base_offset));
  return h;
}

void SetLogAppendTime(char* batch, size_t size, int64_t now_ms) {
  const uint16_t attributes = LoadBE16(batch + kAttributesOffset);
  StoreBE16(batch + kAttributesOffset, static_cast<uint16_t>(attributes | kTimestampTypeBit));
  StoreBE64(batch + kMaxTimestampOffset, static_cast<uint64_t>(now_ms));
  WriteBatchCrc(batch, size);
}

uint32_t ComputeBatchCrc(std::string_view batch) {
  return common::Crc32c(batch.data() + kAttributesOffset, batch.size() - kAttributesOffset);
}

bool VerifyBatchCrc(std::string_view batch) {
  if (batch.size() < kBatchHeaderSize) return false;
  return LoadBE32(batch.data() + kCrcOffset) == ComputeBatchCrc(batch);
}

void WriteBatchCrc(char* batch, size_t size) {
  StoreBE32(batch + kCrcOffset, ComputeBatchCrc(std::string_view(batch, size)));
}

}  // namespace eddy::storage::internal
