#include "libs/storage/log_opener.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace eddy::storage {

void OpenPartitionLogs(FileSystem& fs, const std::vector<LogToOpen>& logs, common::Clock& clock, int threads,
                       const OpenedLog& opened, StorageMetrics* metrics) {
  // Workers take the next index from a shared counter, so a slow recovery does not hold up a
  // statically assigned share of the others.
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < logs.size(); i = next.fetch_add(1)) {
      opened(i, PartitionLog::Open(fs, logs[i].dir, logs[i].config, clock, metrics));
    }
  };
  const size_t n = std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), logs.size());
  if (n <= 1) {
    work();
    return;
  }
  std::vector<std::thread> pool;
  for (size_t t = 0; t < n; ++t) pool.emplace_back(work);
  for (std::thread& t : pool) t.join();
}

}  // namespace eddy::storage
