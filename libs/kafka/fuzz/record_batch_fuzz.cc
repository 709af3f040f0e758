// libFuzzer target: a RECORDS blob (one or more RecordBatch v2) through the view, CRC check,
// bounded decompression and record/header iteration; plus every codec's decompressor directly on
// the input. Limits are small so bombs surface as errors quickly.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "libs/kafka/compression.h"
#include "libs/kafka/record_batch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace eddy::kafka;
  const DecompressionLimits limits{.max_output_bytes = 4 << 20, .max_ratio = 64};
  const std::span<const uint8_t> input(data, size);
  bool truncated = false;
  absl::StatusOr<std::vector<RecordBatchView>> batches = SplitBatches(input, &truncated);
  if (batches.ok()) {
    for (const RecordBatchView& batch : *batches) {
      batch.VerifyCrc().IgnoreError();
      std::string storage;
      auto records = ReadAllRecords(batch, &storage, limits);
      if (!records.ok()) continue;
      for (const RecordView& r : *records) r.Headers().status().IgnoreError();
    }
  }
  if (size > 0) {
    const auto codec = static_cast<Compression>(data[0] % 5);
    Decompress(codec, input.subspan(1), limits).status().IgnoreError();
  }
  return 0;
}
