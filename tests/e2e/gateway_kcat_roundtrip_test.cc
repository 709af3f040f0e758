// Acceptance 1 (data): kcat produces 100,000 lines from a file through the gateways and consumes
// them back byte-identical, once per compression codec (gzip, snappy, lz4, zstd). The batches travel
// compressed as the client's bytes; only librdkafka decompresses them.
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/wait_for.h"

namespace eddy::testing {
namespace {

constexpr int kLines = 100000;
constexpr char kKcat[] = "/usr/bin/kcat";

class GatewayKcatRoundTripTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() { cluster_ = StartE2eCluster().release(); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  static LocalCluster* cluster_;
};
LocalCluster* GatewayKcatRoundTripTest::cluster_ = nullptr;

TEST_P(GatewayKcatRoundTripTest, HundredThousandLinesComeBackByteIdentical) {
  ASSERT_NE(cluster_, nullptr);
  const std::string codec = GetParam();
  const std::string topic = "kcat-" + codec;
  std::string lines;
  for (int i = 0; i < kLines; ++i) {
    absl::StrAppend(&lines, "line ", i, " via ", codec, " ", std::string(i % 37, 'x'), "\n");
  }
  const std::string path = cluster_->data_dir() + "/" + topic + ".txt";
  std::ofstream(path, std::ios::binary) << lines;

  // The topic is auto-created by the first metadata request for it.
  ASSERT_TRUE(WaitFor(
      [&] {
        absl::StatusOr<ProcessResult> md = RunProcess(
            {kKcat, "-L", "-b", cluster_->KafkaBootstrap(), "-t", topic, "-m", "5"}, {},
            absl::Seconds(20));
        return md.ok() && md->exit_code == 0 &&
               md->out.find("partition 0, leader") != std::string::npos;
      },
      absl::Seconds(60)));
  EDDY_ASSERT_OK_AND_ASSIGN(
      ProcessResult produced,
      RunProcess({kKcat, "-P", "-b", cluster_->KafkaBootstrap(), "-t", topic, "-p", "0", "-z",
                  codec, "-X", "acks=all", "-X", "enable.idempotence=true", "-l", path},
                 {}, absl::Seconds(120)));
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  EDDY_ASSERT_OK_AND_ASSIGN(
      ProcessResult consumed,
      RunProcess({kKcat, "-C", "-b", cluster_->KafkaBootstrap(), "-t", topic, "-p", "0", "-o",
                  "beginning", "-c", std::to_string(kLines), "-e", "-q"},
                 {}, absl::Seconds(120)));
  ASSERT_EQ(consumed.exit_code, 0) << consumed.err;
  ASSERT_EQ(consumed.out.size(), lines.size());
  if (consumed.out != lines) {
    size_t at = 0;
    while (at < lines.size() && consumed.out[at] == lines[at]) ++at;
    const size_t line_start = lines.rfind('\n', at) == std::string::npos ? 0 : lines.rfind('\n', at) + 1;
    ADD_FAILURE() << "consumed bytes differ from the file at byte " << at << ": expected \""
                  << lines.substr(line_start, 40) << "\", got \""
                  << consumed.out.substr(line_start, 40) << "\"";
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, GatewayKcatRoundTripTest,
                         ::testing::Values("gzip", "snappy", "lz4", "zstd"));

}  // namespace
}  // namespace eddy::testing
