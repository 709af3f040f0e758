// Golden frames captured between real clients (kcat / librdkafka 2.0.2, kafka-python 2.0.2,
// confluent-kafka-python 1.7.0) and librdkafka's mock cluster by tools/capture_goldens.py
// (testdata/captured_goldens.txt). Every request and response must decode with Eddy's codec and
// re-encode byte for byte, header included; Produce batches must pass CRC and decompress.
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "libs/kafka/api_table.h"
#include "libs/kafka/headers.h"
#include "libs/kafka/messages/produce.h"
#include "libs/kafka/record_batch.h"

namespace eddy::kafka {
namespace {

struct Frame {
  std::string client;
  bool response;
  int16_t api_key;
  int16_t version;
  std::string bytes;
};

std::vector<Frame> LoadFrames() {
  std::ifstream in(std::string(EDDY_KAFKA_TESTDATA_DIR) + "/captured_goldens.txt");
  std::vector<Frame> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Frame f;
    std::string dir, hex;
    fields >> f.client >> dir >> f.api_key >> f.version >> hex;
    f.response = dir == "resp";
    f.bytes = absl::HexStringToBytes(hex);
    out.push_back(f);
  }
  return out;
}

std::span<const uint8_t> Span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(CapturedGoldenTest, FramesDecodeAndReencodeIdentically) {
  const std::vector<Frame> frames = LoadFrames();
  ASSERT_GE(frames.size(), 100u);
  for (const Frame& f : frames) {
    SCOPED_TRACE(f.client + (f.response ? " response " : " request ") + std::to_string(f.api_key) +
                 " v" + std::to_string(f.version));
    Reader reader(f.bytes.data(), f.bytes.size());
    std::string header_bytes;
    Writer writer(&header_bytes);
    if (f.response) {
      auto header = DecodeResponseHeader(reader, f.api_key, f.version);
      ASSERT_TRUE(header.ok()) << header.status();
      ASSERT_TRUE(EncodeResponseHeader(*header, f.api_key, f.version, writer).ok());
    } else {
      auto header = DecodeRequestHeader(reader);
      ASSERT_TRUE(header.ok()) << header.status();
      EXPECT_EQ(header->api_key, f.api_key);
      ASSERT_TRUE(EncodeRequestHeader(*header, writer).ok());
    }
    EXPECT_EQ(header_bytes, f.bytes.substr(0, reader.position()));
    if (f.response && f.api_key == kApiVersionsKey && reader.remaining() >= 2 &&
        f.bytes[reader.position()] == 0 && f.bytes[reader.position() + 1] == 35) {
      // librdkafka 2.0.2's mock answers a too-new ApiVersions with UNSUPPORTED_VERSION (35) in a
      // body that is neither v0 nor the requested version; clients read only the error code and
      // retry with v0 (kafka-protocol.md §2.5). Nothing more to check.
      continue;
    }
    auto body = ReencodeMessage(f.api_key, f.version, f.response, reader.Rest());
    ASSERT_TRUE(body.ok()) << body.status();
    EXPECT_EQ(absl::BytesToHexString(*body), absl::BytesToHexString(f.bytes.substr(reader.position())));
  }
}

TEST(CapturedGoldenTest, ProducedBatchesVerifyForEveryCodec) {
  std::set<Compression> codecs;
  for (const Frame& f : LoadFrames()) {
    if (f.response || f.api_key != ProduceRequest::kApiKey) continue;
    Reader reader(f.bytes.data(), f.bytes.size());
    ASSERT_TRUE(DecodeRequestHeader(reader).ok());
    ProduceRequest req;
    ASSERT_TRUE(req.Decode(reader, f.version).ok());
    for (const auto& topic : req.topic_data) {
      for (const auto& part : topic.partition_data) {
        ASSERT_TRUE(part.records.has_value());
        auto batches = SplitBatches(Span(*part.records));
        ASSERT_TRUE(batches.ok()) << batches.status();
        for (const RecordBatchView& batch : *batches) {
          EXPECT_TRUE(batch.VerifyCrc().ok()) << f.client;
          std::string storage;
          auto records = ReadAllRecords(batch, &storage);
          ASSERT_TRUE(records.ok()) << records.status();
          EXPECT_EQ(records->size(), static_cast<size_t>(batch.records_count()));
          codecs.insert(batch.compression());
        }
      }
    }
  }
  EXPECT_EQ(codecs, (std::set<Compression>{Compression::kNone, Compression::kGzip,
                                           Compression::kSnappy, Compression::kLz4,
                                           Compression::kZstd}));
}

}  // namespace
}  // namespace eddy::kafka
