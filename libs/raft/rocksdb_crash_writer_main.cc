// raft_rocksdb_crash_writer: the victim process of the kill -9 test (rocksdb_storage_kill_test.cc).
// It opens a RocksDbStorage and saves PersistRequests as fast as it can until it is killed,
// printing "saved <last index> <term>" each time Save returns (an acknowledged save). Requests mix
// the shapes a node produces: appends, suffix overwrites under a new term, and snapshots with
// entries. Every request also sets the hard state to {term of its last entry, vote 1, commit = its
// last index}, so a reopened log whose hard state disagrees with its last entry reveals a torn
// (non-atomic) save. Usage: raft_rocksdb_crash_writer <dir> <seed>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "libs/raft/rocksdb_crash_payload.h"
#include "libs/raft/rocksdb_storage.h"

namespace eddy::raft {
namespace {

int Run(const char* dir, uint64_t seed) {
  auto opened = RocksDbStorage::Open(dir);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  RocksDbStorage& storage = **opened;
  LogIndex last = *storage.LastIndex();
  Term term = std::max(storage.LoadHardState()->term, Term(1));
  std::printf("ready %lld\n", static_cast<long long>(last.value()));
  std::fflush(stdout);
  std::mt19937_64 rng(seed);
  while (true) {
    const LogIndex snapshot_index = *storage.FirstIndex() - 1;
    PersistRequest request;
    LogIndex from = last + 1;
    const uint64_t shape = rng() % 10;
    if (shape == 0 && last - snapshot_index >= 3) {
      // A new leader's entries replace the last two (Raft replaces uncommitted entries that way);
      // the log end still moves forward, so every acknowledged index stays in the log.
      term = term + 1;
      from = last - 2;
    } else if (shape == 1 && last - snapshot_index >= 4) {
      const LogIndex at = last - 1;
      const Term at_term = *storage.TermAt(at);
      request.snapshot =
          Snapshot{.metadata = {.index = at, .term = at_term, .conf = ConfState{{NodeId(1)}}},
                   .data = CrashSnapshotData(at, at_term)};
    }
    const int64_t extra = 1 + static_cast<int64_t>(rng() % 8);
    for (LogIndex i = from; i <= last + extra; ++i) {
      request.entries.push_back(Entry{i, term, EntryType::kNormal, CrashPayload(i, term)});
    }
    last = request.entries.back().index;
    request.hard_state = HardState{.term = term, .vote = NodeId(1), .commit = last};
    if (absl::Status s = storage.Save(request); !s.ok()) {
      std::fprintf(stderr, "save: %s\n", s.ToString().c_str());
      return 1;
    }
    std::printf("saved %lld %lld\n", static_cast<long long>(last.value()),
                static_cast<long long>(term.value()));
    std::fflush(stdout);
  }
}

}  // namespace
}  // namespace eddy::raft

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <dir> <seed>\n", argv[0]);
    return 2;
  }
  return eddy::raft::Run(argv[1], std::strtoull(argv[2], nullptr, 10));
}
