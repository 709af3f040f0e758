// bench_kafka_mock: librdkafka's in-memory mock cluster (rd_kafka_mock_cluster_new) as a separate
// process, the peer that `./dev bench produce|consume|e2e` loads the same way as Eddy. It creates
// the topics it is given, prints the cluster's bootstrap servers as its first stdout line and
// serves until its stdin closes (the benchmark closes it, or dies) or it is signalled.
// Flags: --brokers=N (default 1), --partitions=N (default 16), --topics=a,b,... (required).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "bench/bench_args.h"
#include "librdkafka/rdkafka.h"
#include "librdkafka/rdkafka_mock.h"
#include "libs/common/process_tuning.h"

using eddy::bench::Flag;

int main(int argc, char** argv) {
  eddy::common::TuneForBulkData();
  const int brokers = std::stoi(Flag(argc, argv, "brokers", "1"));
  const int partitions = std::stoi(Flag(argc, argv, "partitions", "16"));
  const std::vector<std::string> topics =
      absl::StrSplit(Flag(argc, argv, "topics", ""), ',', absl::SkipEmpty());
  if (topics.empty() || brokers < 1 || partitions < 1) {
    std::fprintf(stderr, "usage: bench_kafka_mock --topics=a,b [--brokers=1] [--partitions=16]\n");
    return 2;
  }
  char error[512];
  // The mock cluster lives on (and is driven by) a client instance; this one sends nothing, so
  // its notice about having no bootstrap servers is noise.
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "4", error, sizeof(error));
  rd_kafka_t* host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (host == nullptr) {
    std::fprintf(stderr, "bench_kafka_mock: rd_kafka_new: %s\n", error);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(host, brokers);
  if (cluster == nullptr) {
    std::fprintf(stderr, "bench_kafka_mock: rd_kafka_mock_cluster_new failed\n");
    rd_kafka_destroy(host);
    return 1;
  }
  for (const std::string& topic : topics) {
    rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster, topic.c_str(), partitions, std::min(brokers, 3));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "bench_kafka_mock: create %s: %s\n", topic.c_str(),
                   rd_kafka_err2str(err));
      rd_kafka_mock_cluster_destroy(cluster);
      rd_kafka_destroy(host);
      return 1;
    }
  }
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);
  char buffer[256];
  while (read(STDIN_FILENO, buffer, sizeof(buffer)) > 0) {
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(host);
  return 0;
}
