// Protocol micro-benchmarks (issue 3, acceptance 5): decode + CRC-verify of a 1 MiB Produce
// request, header decode of a small request, and each codec's compress/decompress throughput.
// JSON output: kafka_protocol_bench --benchmark_format=json (or --benchmark_out=<file>).
#include <string>

#include "benchmark/benchmark.h"
#include "libs/kafka/compression.h"
#include "libs/kafka/headers.h"
#include "libs/kafka/messages/produce.h"
#include "libs/kafka/record_batch.h"
#include "libs/kafka/record_batch_builder.h"

namespace eddy::kafka {
namespace {

std::span<const uint8_t> Span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Semi-compressible payload: repeated words with varying numbers, like JSON-ish event data.
std::string Payload(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) s += "{\"user\":" + std::to_string(i * 7919 % 100000) + ",\"event\":\"click\"}";
  s.resize(n);
  return s;
}

std::string OneMiBProduceFrame() {
  RecordBatchBuilder builder(
      {.producer_id = ProducerId(1), .producer_epoch = ProducerEpoch(0), .base_sequence = 0});
  const std::string value = Payload(1024);
  for (int i = 0; i < 1000; ++i) builder.Append(1700000000000 + i, std::nullopt, value);
  ProduceRequest req;
  req.acks = -1;
  req.timeout_ms = 30000;
  auto& topic = req.topic_data.emplace_back();
  topic.name = "bench";
  auto& part = topic.partition_data.emplace_back();
  part.index = 0;
  part.records = *builder.Build();
  std::string out;
  Writer w(&out);
  RequestHeader header{.api_key = 0, .api_version = 9, .correlation_id = 1, .client_id = "bench"};
  EncodeRequestHeader(header, w).IgnoreError();
  req.Encode(w, 9).IgnoreError();
  return out;
}

void BM_ProduceDecodeAndCrc1MiB(benchmark::State& state) {
  const std::string frame = OneMiBProduceFrame();
  for (auto _ : state) {
    Reader r(frame.data(), frame.size());
    auto header = DecodeRequestHeader(r);
    ProduceRequest req;
    if (!header.ok() || !req.Decode(r, header->api_version).ok()) state.SkipWithError("decode");
    for (auto& topic : req.topic_data) {
      for (auto& p : topic.partition_data) {
        auto batch = RecordBatchView::Parse(Span(*p.records));
        if (!batch.ok() || !batch->VerifyCrc().ok()) state.SkipWithError("crc");
      }
    }
    benchmark::DoNotOptimize(req);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(frame.size()));
}
BENCHMARK(BM_ProduceDecodeAndCrc1MiB);

void BM_SmallRequestHeaderDecode(benchmark::State& state) {
  std::string frame;
  Writer w(&frame);
  RequestHeader header{.api_key = 3, .api_version = 12, .correlation_id = 42, .client_id = "rdkafka"};
  EncodeRequestHeader(header, w).IgnoreError();
  for (auto _ : state) {
    Reader r(frame.data(), frame.size());
    auto decoded = DecodeRequestHeader(r);
    benchmark::DoNotOptimize(decoded);
  }
}
BENCHMARK(BM_SmallRequestHeaderDecode);

void BM_Compress(benchmark::State& state) {
  const auto codec = static_cast<Compression>(state.range(0));
  const std::string input = Payload(1 << 20);
  for (auto _ : state) {
    auto out = Compress(codec, Span(input));
    benchmark::DoNotOptimize(out);
  }
  state.SetLabel(std::string(CompressionName(codec)));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(input.size()));
}
BENCHMARK(BM_Compress)->DenseRange(1, 4);

void BM_Decompress(benchmark::State& state) {
  const auto codec = static_cast<Compression>(state.range(0));
  const std::string input = Payload(1 << 20);
  const std::string compressed = *Compress(codec, Span(input));
  for (auto _ : state) {
    auto out = Decompress(codec, Span(compressed));
    benchmark::DoNotOptimize(out);
  }
  state.SetLabel(std::string(CompressionName(codec)));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(input.size()));
}
BENCHMARK(BM_Decompress)->DenseRange(1, 4);

}  // namespace
}  // namespace eddy::kafka

BENCHMARK_MAIN();
