// Golden frames captured between real clients (kcat / librdkafka 2.0.2, kafka-python 2.0.2,
// confluent-kafka-python 1.7.0, kafkajs 2.2.4) and librdkafka's mock cluster by
// tools/capture_goldens.py (testdata/captured_goldens.txt). Every request and response must decode
// with Eddy's codec and re-encode byte for byte, header included; Produce batches must pass CRC and
// decompress; and the file must hold every (client, API, codec) the coverage table below lists, so
// losing a capture fails the test.
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
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

// ClientCoverage is what one client's captures must contain: a request frame for every API in
// `apis`, a response frame for each of them except CreateTopics (librdkafka's mock cluster lacks
// it, so the capture proxy answers it and only the client's request is golden), and produced
// batches in every codec of `codecs`.
struct ClientCoverage {
  std::string client;
  std::vector<std::string_view> apis;
  std::set<Compression> codecs;
};

// Issue 3's list: ApiVersions, Metadata, Produce (each codec the client ships), Fetch, ListOffsets,
// FindCoordinator, JoinGroup, SyncGroup, Heartbeat, OffsetCommit, OffsetFetch, InitProducerId,
// AddPartitionsToTxn, EndTxn, CreateTopics — per client as far as the client implements them.
// kcat has no admin or transaction commands: confluent-kafka-python is librdkafka 2.0.2 driven
// from Python and covers those. kafka-python 2.0.2 has no transactions or idempotence. kafkajs
// ships only gzip (snappy, lz4 and zstd need codec plugins).
std::vector<ClientCoverage> CoverageTable() {
  const std::set<Compression> all_codecs{Compression::kNone, Compression::kGzip,
                                         Compression::kSnappy, Compression::kLz4,
                                         Compression::kZstd};
  const std::vector<std::string_view> consumer_apis{
      "ApiVersions", "Metadata",  "Produce",   "Fetch",        "ListOffsets", "FindCoordinator",
      "JoinGroup",   "SyncGroup", "Heartbeat", "OffsetCommit", "OffsetFetch"};
  const std::vector<std::string_view> transaction_apis{
      "InitProducerId", "AddPartitionsToTxn", "AddOffsetsToTxn", "TxnOffsetCommit", "EndTxn"};
  std::vector<std::string_view> librdkafka = consumer_apis;
  librdkafka.push_back("InitProducerId");  // kcat with enable.idempotence=true
  std::vector<std::string_view> confluent{"ApiVersions", "Metadata", "Produce", "FindCoordinator",
                                          "CreateTopics"};
  confluent.insert(confluent.end(), transaction_apis.begin(), transaction_apis.end());
  std::vector<std::string_view> kafka_python = consumer_apis;
  kafka_python.push_back("CreateTopics");
  std::vector<std::string_view> kafkajs = consumer_apis;
  kafkajs.insert(kafkajs.end(), transaction_apis.begin(), transaction_apis.end());
  kafkajs.push_back("CreateTopics");
  return {
      {"librdkafka", librdkafka, all_codecs},
      {"confluent-kafka-python", confluent, {Compression::kLz4}},
      {"kafka-python", kafka_python, {Compression::kNone, Compression::kGzip}},
      {"kafkajs", kafkajs, {Compression::kNone, Compression::kGzip}},
  };
}

int16_t ApiKeyNamed(std::string_view name) {
  for (const ApiInfo& api : AllApis()) {
    if (api.name == name) return api.api_key;
  }
  ADD_FAILURE() << "no API named " << name;
  return -1;
}

// ProducedCodecs returns the compression of every batch in `f`, a Produce request frame, checking
// on the way that each batch passes its CRC and decompresses to its record count.
std::set<Compression> ProducedCodecs(const Frame& f) {
  std::set<Compression> codecs;
  Reader reader(f.bytes.data(), f.bytes.size());
  EXPECT_TRUE(DecodeRequestHeader(reader).ok());
  ProduceRequest req;
  EXPECT_TRUE(req.Decode(reader, f.version).ok());
  for (const auto& topic : req.topic_data) {
    for (const auto& part : topic.partition_data) {
      EXPECT_TRUE(part.records.has_value());
      if (!part.records.has_value()) continue;
      auto batches = SplitBatches(Span(*part.records));
      EXPECT_TRUE(batches.ok()) << batches.status();
      if (!batches.ok()) continue;
      for (const RecordBatchView& batch : *batches) {
        EXPECT_TRUE(batch.VerifyCrc().ok()) << f.client;
        std::string storage;
        auto records = ReadAllRecords(batch, &storage);
        EXPECT_TRUE(records.ok()) << records.status();
        if (records.ok()) {
          EXPECT_EQ(records->size(), static_cast<size_t>(batch.records_count()));
        }
        codecs.insert(batch.compression());
      }
    }
  }
  return codecs;
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

TEST(CapturedGoldenTest, EveryClientCoversItsApisAndCodecs) {
  std::map<std::string, std::set<int16_t>> requests;
  std::map<std::string, std::set<int16_t>> responses;
  std::map<std::string, std::set<Compression>> codecs;
  std::set<int16_t> api_versions_versions;
  for (const Frame& f : LoadFrames()) {
    (f.response ? responses : requests)[f.client].insert(f.api_key);
    if (!f.response && f.api_key == kApiVersionsKey) api_versions_versions.insert(f.version);
    if (!f.response && f.api_key == ProduceRequest::kApiKey) {
      SCOPED_TRACE(f.client + " Produce v" + std::to_string(f.version));
      codecs[f.client].merge(ProducedCodecs(f));
    }
  }
  for (const ClientCoverage& want : CoverageTable()) {
    SCOPED_TRACE(want.client);
    for (std::string_view api : want.apis) {
      const int16_t key = ApiKeyNamed(api);
      EXPECT_TRUE(requests[want.client].contains(key)) << "no " << api << " request";
      if (api != "CreateTopics") {
        EXPECT_TRUE(responses[want.client].contains(key)) << "no " << api << " response";
      }
    }
    for (Compression codec : want.codecs) {
      EXPECT_TRUE(codecs[want.client].contains(codec))
          << "no Produce batch with compression " << static_cast<int>(codec);
    }
  }
  // Both ApiVersions request shapes: v0 (no body) and v3 (flexible, client software fields).
  EXPECT_TRUE(api_versions_versions.contains(0));
  EXPECT_TRUE(api_versions_versions.contains(3));
}

}  // namespace
}  // namespace eddy::kafka
