// storage_crash_writer: the victim process of the kill -9 crash test (partition_log_kill_test.cc).
// It opens a partition log on the real filesystem and appends DeterministicBatch(0), (1), ... as fast
// as it can, printing "flushed <offset>" each time the recovery point advances (a flush completed),
// until it is killed. Usage: storage_crash_writer <dir> <flush_messages> <segment_bytes>
#include <cstdio>
#include <cstdlib>

#include "libs/common/clock.h"
#include "libs/storage/file_system.h"
#include "libs/storage/partition_log.h"
#include "libs/storage/test_batches.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <dir> <flush_messages> <segment_bytes>\n", argv[0]);
    return 2;
  }
  eddy::storage::LogConfig config;
  config.flush_messages = std::atoll(argv[2]);
  config.segment_bytes = std::strtoull(argv[3], nullptr, 10);
  config.index_interval_bytes = 512;
  config.recovery_point_checkpoint_interval = absl::ZeroDuration();
  auto log = eddy::storage::PartitionLog::Open(eddy::storage::PosixFileSystem(), argv[1], config,
                                               eddy::common::Clock::Real());
  if (!log.ok()) {
    std::fprintf(stderr, "open: %s\n", log.status().ToString().c_str());
    return 1;
  }
  const int64_t end = (*log)->LogEndOffset().value();
  std::printf("ready %lld\n", static_cast<long long>(end));
  std::fflush(stdout);
  int64_t flushed = (*log)->RecoveryPoint().value();
  for (int64_t i = end / eddy::storage::testing::kDeterministicRecords;; ++i) {
    auto appended = (*log)->AppendAsLeader(eddy::storage::testing::DeterministicBatch(i), eddy::LeaderEpoch(1));
    if (!appended.ok()) {
      std::fprintf(stderr, "append: %s\n", appended.status().ToString().c_str());
      return 1;
    }
    if ((*log)->RecoveryPoint().value() > flushed) {
      flushed = (*log)->RecoveryPoint().value();
      std::printf("flushed %lld\n", static_cast<long long>(flushed));
      std::fflush(stdout);
    }
  }
}
