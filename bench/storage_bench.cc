// `./dev bench storage`: the numbers issue 4 (acceptance 4 and 5) asks for, in one run, next to fio
// on the same disk where fio is installed:
//   append      1 KiB records in 16 KiB batches, one partition, no fsync      vs fio --rw=write --bs=16k
//               (and 16,541-byte batches vs fio --bs=16541)
//   append+sync the same with an fdatasync per batch (flush.messages=16)       vs fio ... --fdatasync=1
//   read        sequential read of a 1 GiB log from page cache: the fetch path (no CRC check, as Kafka
//               brokers serve fetches) — the figure the target is measured by — read + CRC check, and
//               the same file copied out of an mmap for comparison
//   recovery    reopening that log with all of it unflushed (every batch scanned and CRC-checked)
//   open        reopening 10,000 partitions with small segments: after an unclean stop with nothing
//               flushed (everything recovered), after one with the rolled segments flushed (Kafka's
//               steady state: only the active segment recovered), and after a clean Close; serially
//               and on a thread pool
//
// Fairness: eddy and fio write the same number of bytes into files in the same directory, both
// extending a new file with one write(2) per batch (fio runs with --fallocate=none, since the log
// does not preallocate), counting the bytes written over the wall time of the loop. Each round runs
// both, alternating which goes first, after a sync(2) so neither inherits the other's writeback; the
// table shows the median and the JSON every round.
// Flags: --dir=PATH (default $EDDY_BENCH_DIR or /tmp), --rounds=N (default 3), --quick (small sizes),
// --only=append|read|open, --partitions=N, --threads=N (parallel open, default 4),
// --benchmark_out=PATH (JSON; ./dev passes it).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "libs/common/clock.h"
#include "libs/storage/file_system.h"
#include "libs/storage/log_opener.h"
#include "libs/storage/partition_log.h"
#include "libs/storage/test_batches.h"
#include "nlohmann/json.hpp"

namespace {

using eddy::LeaderEpoch;
using eddy::Offset;
using eddy::storage::LogConfig;
using eddy::storage::PartitionLog;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

void Check(const absl::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "bench_storage: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

eddy::storage::FileSystem& Fs() { return eddy::storage::PosixFileSystem(); }

std::unique_ptr<PartitionLog> OpenLog(const std::string& dir, const LogConfig& config) {
  auto log = PartitionLog::Open(Fs(), dir, config, eddy::common::Clock::Real());
  Check(log.status(), "open");
  return *std::move(log);
}

// Fio runs fio in `dir` and returns its write bandwidth in bytes/s, or -1 if fio is missing.
double Fio(const std::string& dir, uint64_t bytes, bool fdatasync, size_t bs = 16384) {
  if (std::system("command -v fio > /dev/null 2>&1") != 0) return -1;
  const std::string out = dir + "/fio.json";
  const std::string cmd = "fio --name=eddy --directory=" + dir + " --rw=write --bs=" + std::to_string(bs) + " --size=" +
                          std::to_string(bytes) + " --ioengine=psync --fallocate=none" +
                          (fdatasync ? " --fdatasync=1" : "") + " --output-format=json --output=" + out +
                          " > /dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream in(out);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  (void)Fs().Remove(dir + "/eddy.0.0");
  (void)Fs().Remove(out);
  if (rc != 0 || j.is_discarded()) return -1;
  return j["jobs"][0]["write"]["bw_bytes"].get<double>();
}

// MakeBatchOfSize builds a batch of 16 records of about 1 KiB whose encoded size is exactly `size`
// bytes (the last record's value absorbs the difference).
std::string MakeBatchOfSize(size_t size) {
  namespace in = eddy::storage::internal;
  const size_t value = (size - in::kBatchHeaderSize) / 16 - 20;  // ~20 bytes of per-record framing
  for (size_t last = value - 64; last < value + 64; ++last) {
    in::BatchSpec spec;
    for (int i = 0; i < 16; ++i) {
      spec.records.push_back({absl::StrFormat("k%07d", i), std::string(i == 15 ? last : value, 'a' + i),
                              1'700'000'000'000 + i});
    }
    std::string batch = in::BuildBatch(spec);
    if (batch.size() == size) return batch;
  }
  std::fprintf(stderr, "bench_storage: cannot build a %zu-byte batch\n", size);
  std::exit(1);
}

// AppendAll appends `bytes` as `batch_size`-byte batches of 16 records into a fresh log at `dir` and
// returns the log bytes written per second. The batch is appended from one reused buffer, as a
// broker appends from its request buffer (the leader rewrites base offset and epoch in place).
double AppendAll(const std::string& dir, const LogConfig& config, uint64_t bytes, bool keep,
                 size_t batch_size = 16384) {
  (void)Fs().RemoveDirRecursive(dir);
  auto log = OpenLog(dir, config);
  std::string batch = MakeBatchOfSize(batch_size);
  const uint64_t batches = bytes / batch.size();
  const auto start = Clock::now();
  for (uint64_t i = 0; i < batches; ++i) {
    Check(log->AppendAsLeader(std::span<char>(batch.data(), batch.size()), LeaderEpoch(1)).status(), "append");
  }
  const double rate = static_cast<double>(batches * batch.size()) / Seconds(start);
  log.reset();  // no Close: the data stays unflushed for the recovery phase
  if (!keep) Check(Fs().RemoveDirRecursive(dir), "rm");
  return rate;
}

double ReadAll(PartitionLog& log, bool verify_crc) {
  const auto start = Clock::now();
  uint64_t bytes = 0;
  const Offset end = log.LogEndOffset();
  for (Offset next = log.LogStartOffset(); next < end;) {
    auto r = log.Read(next, {.max_bytes = 1 << 20, .verify_crc = verify_crc});
    Check(r.status(), "read");
    bytes += r->records.size();
    next = r->next_offset;
  }
  return static_cast<double>(bytes) / Seconds(start);
}

// kOddBatch is the size MakeBatch(16, ts, 1000) gives: 16 records of 1000-byte values.
constexpr size_t kOddBatch = 16541;

// MmapRead copies a file out of a fresh read-only mapping in 1 MiB chunks (what a fetch that filled
// its response from an mmap'ed segment would do) and returns bytes/s: the alternative to pread that
// docs/storage.md compares.
double MmapRead(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  ::fstat(fd, &st);
  const size_t size = static_cast<size_t>(st.st_size);
  const auto start = Clock::now();
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return -1;
  std::string out(1 << 20, '\0');
  uint64_t sum = 0;
  for (size_t pos = 0; pos < size; pos += out.size()) {
    const size_t n = std::min(out.size(), size - pos);
    std::memcpy(out.data(), static_cast<const char*>(map) + pos, n);
    sum += static_cast<unsigned char>(out[n - 1]);
  }
  const double rate = static_cast<double>(size) / Seconds(start);
  ::munmap(map, size);
  return sum == ~0ull ? -1 : rate;  // uses `sum` so the copies are not optimised away
}

double Median(std::vector<double> v) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::string Rate(double bytes_per_s) {
  if (bytes_per_s < 0) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.1f MB/s", bytes_per_s / 1e6);
  return buf;
}

std::string Rounds(const std::vector<double>& v, double scale, const char* fmt) {
  std::string out;
  for (double x : v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), fmt, x / scale);
    if (!out.empty()) out.push_back(' ');
    out.append(buf);
  }
  return out;
}

// Interleaved runs `a` and `b` once per round, alternating which goes first, after a sync(2).
void Interleaved(int rounds, const std::function<double()>& a, const std::function<double()>& b,
                 std::vector<double>* as, std::vector<double>* bs) {
  for (int r = 0; r < rounds; ++r) {
    for (int i = 0; i < 2; ++i) {
      ::sync();
      if ((i == 0) == (r % 2 == 0)) {
        as->push_back(a());
      } else {
        bs->push_back(b());
      }
    }
  }
}

// OpenMany opens every directory (serially or on `threads` threads) and returns the wall time. Each
// log is dropped (or, with `close`, closed) as soon as it is open: 10,000 partitions' files at once
// would exceed this machine's open-file limit.
double OpenMany(const std::vector<std::string>& dirs, const LogConfig& config, int threads, bool close = false) {
  std::vector<eddy::storage::LogToOpen> todo;
  for (const std::string& d : dirs) todo.push_back({d, config});
  ::sync();
  const auto start = Clock::now();
  eddy::storage::OpenPartitionLogs(Fs(), todo, eddy::common::Clock::Real(), threads,
                                   [&](size_t, absl::StatusOr<std::unique_ptr<PartitionLog>> log) {
                                     Check(log.status(), "open many");
                                     if (close) Check((*log)->Close(), "close");
                                   });
  return Seconds(start);
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_path, dir, only;
  bool quick = false;
  int partitions_flag = 0, rounds = 3, threads = 4;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--benchmark_out=", 0) == 0) out_path = a.substr(16);
    if (a.rfind("--dir=", 0) == 0) dir = a.substr(6);
    if (a == "--quick") quick = true;
    if (a.rfind("--only=", 0) == 0) only = a.substr(7);
    if (a.rfind("--partitions=", 0) == 0) partitions_flag = std::atoi(a.c_str() + 13);
    if (a.rfind("--rounds=", 0) == 0) rounds = std::max(1, std::atoi(a.c_str() + 9));
    if (a.rfind("--threads=", 0) == 0) threads = std::max(1, std::atoi(a.c_str() + 10));
  }
  if (dir.empty()) dir = std::getenv("EDDY_BENCH_DIR") ? std::getenv("EDDY_BENCH_DIR") : "/tmp";
  dir += "/eddy-bench-storage-" + std::to_string(::getpid());
  Check(Fs().CreateDirs(dir), "mkdir");
  const uint64_t big = quick ? (64ull << 20) : (1ull << 30);
  const uint64_t synced = quick ? (2ull << 20) : (16ull << 20);
  const int partitions = partitions_flag > 0 ? partitions_flag : (quick ? 1000 : 10000);
  nlohmann::json results;
  results["rounds"] = rounds;

  LogConfig config;
  config.segment_bytes = (1ull << 31) - (1 << 20);  // one segment: "a 1 GiB segment" below
  std::vector<double> append, fio_write, append_odd, fio_odd, append_sync, fio_sync, read_raw, read_crc, read_mmap,
      recovery;
  if (only.empty() || only == "append") {
    Interleaved(rounds, [&] { return AppendAll(dir + "/append", config, big, false); },
                [&] { return Fio(dir, big, false); }, &append, &fio_write);
    // Batches that are not a multiple of the page size make every write(2) share a page with the
    // next, which costs the kernel (fio itself drops by up to half at --bs=16541), so show that too.
    Interleaved(rounds, [&] { return AppendAll(dir + "/append", config, big, false, kOddBatch); },
                [&] { return Fio(dir, big, false, kOddBatch); }, &append_odd, &fio_odd);
    LogConfig sync_config = config;
    sync_config.flush_messages = 16;  // one fdatasync per 16-record batch
    Interleaved(rounds, [&] { return AppendAll(dir + "/append-sync", sync_config, synced, false); },
                [&] { return Fio(dir, synced, true); }, &append_sync, &fio_sync);
  }
  if (only.empty() || only == "read") {
    // One unflushed 1 GiB log: reopening it recovers (scans and CRC-checks) all of it.
    AppendAll(dir + "/log", config, big, true);
    for (int r = 0; r < rounds; ++r) {
      auto log = OpenLog(dir + "/log", config);
      recovery.push_back(absl::ToDoubleSeconds(log->recovery_stats().duration));
      results["recovery_bytes"] = log->SizeBytes();
      read_raw.push_back(ReadAll(*log, false));
      read_crc.push_back(ReadAll(*log, true));
      read_mmap.push_back(MmapRead(dir + "/log/00000000000000000000.log"));
    }
    Check(Fs().RemoveDirRecursive(dir + "/log"), "rm");
  }
  results["append_bytes_per_s"] = append;
  results["fio_write_bytes_per_s"] = fio_write;
  results["append_odd_batch_bytes"] = kOddBatch;
  results["append_odd_batch_bytes_per_s"] = append_odd;
  results["fio_write_odd_bs_bytes_per_s"] = fio_odd;
  results["append_fsync_bytes_per_s"] = append_sync;
  results["fio_fdatasync_bytes_per_s"] = fio_sync;
  results["read_fetch_no_crc_bytes_per_s"] = read_raw;
  results["read_with_crc_bytes_per_s"] = read_crc;
  results["read_mmap_copy_bytes_per_s"] = read_mmap;
  results["recovery_seconds"] = recovery;

  std::vector<double> open_unclean, open_unclean_par, open_rolled, open_rolled_par, open_clean, open_clean_par;
  if (only.empty() || only == "open") {
    // Partitions with small segments (6 segments of one 533-byte batch each). One is written
    // through PartitionLog and copied to every directory: writing each through the log would cost
    // a dozen fsyncs per partition (checkpoints), minutes of setup that is not what is measured.
    LogConfig small;
    small.segment_bytes = 1024;
    std::vector<std::string> dirs;
    for (int p = 0; p < partitions; ++p) dirs.push_back(dir + "/many/t-" + std::to_string(p));
    // populate copies the model's files into every directory, skipping files already there with
    // the same contents (the clean pass then rewrites only the checkpoints: creating files is the
    // slow part on ext4).
    const std::string model = dir + "/model";
    enum class State { kNothingFlushed, kRolledFlushed, kClosed };
    auto populate = [&](State state) {
      const std::string tiny = eddy::storage::testing::MakeBatch(4, 1'700'000'000'000, 100);
      if (!Fs().Exists(model)) {
        auto log = OpenLog(model, small);
        for (int b = 0; b < 6; ++b) Check(log->AppendAsLeader(tiny, LeaderEpoch(0)).status(), "append");
      }
      if (state == State::kRolledFlushed) Check(OpenLog(model, small)->FlushRolled(), "flush rolled");
      if (state == State::kClosed) Check(OpenLog(model, small)->Close(), "close");
      auto names = Fs().ListDir(model);
      Check(names.status(), "list");
      for (const std::string& d : dirs) {
        Check(Fs().CreateDirs(d), "mkdir");
        for (const std::string& name : *names) {
          const std::string from = model + "/" + name, to = d + "/" + name;
          if (Fs().Exists(to) && *eddy::storage::ReadWholeFile(Fs(), from) == *eddy::storage::ReadWholeFile(Fs(), to)) {
            continue;
          }
          std::error_code ec;
          std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec);
          if (ec) Check(absl::InternalError(ec.message()), "copy");
        }
      }
    };
    // Unclean: nothing was flushed or checkpointed, so every segment is recovered. Reopening
    // without Close leaves the logs unclean again, so the serial and parallel runs see the same.
    populate(State::kNothingFlushed);
    open_unclean.push_back(OpenMany(dirs, small, 1));
    open_unclean_par.push_back(OpenMany(dirs, small, threads));
    // Unclean, but with the rolled segments flushed (FlushRolled, as Kafka flushes after a roll):
    // only the active segment is scanned.
    populate(State::kRolledFlushed);
    open_rolled.push_back(OpenMany(dirs, small, 1));
    open_rolled_par.push_back(OpenMany(dirs, small, threads));
    // Clean: Close flushed and checkpointed the recovery point at the end, so opening scans only
    // the active segment's last index interval and loads the closed segments lazily.
    populate(State::kClosed);
    open_clean.push_back(OpenMany(dirs, small, 1));
    open_clean_par.push_back(OpenMany(dirs, small, threads));
    results["open_partitions"] = partitions;
    results["open_threads"] = threads;
  }
  results["open_unclean_seconds"] = open_unclean;
  results["open_unclean_parallel_seconds"] = open_unclean_par;
  results["open_unclean_rolled_flushed_seconds"] = open_rolled;
  results["open_unclean_rolled_flushed_parallel_seconds"] = open_rolled_par;
  results["open_clean_seconds"] = open_clean;
  results["open_clean_parallel_seconds"] = open_clean_par;
  auto ratio = [](double a, double b) { return a > 0 && b > 0 ? a / b : -1; };
  const double append_ratio = ratio(Median(append), Median(fio_write));
  const double sync_ratio = ratio(Median(append_sync), Median(fio_sync));
  results["append_vs_fio_ratio_median"] = append_ratio;
  results["append_fsync_vs_fio_ratio_median"] = sync_ratio;
  std::printf("storage bench: median of %d rounds (every round in brackets)\n", rounds);
  std::printf("%-46s %12s %12s %7s %8s\n", "", "eddy", "fio", "ratio", "target");
  std::printf("%-46s %12s %12s %7.2f %8s   [eddy %s | fio %s MB/s]\n", "append 16 KiB batches, no fsync",
              Rate(Median(append)).c_str(), Rate(Median(fio_write)).c_str(), append_ratio, ">=0.9",
              Rounds(append, 1e6, "%.0f").c_str(), Rounds(fio_write, 1e6, "%.0f").c_str());
  std::printf("%-46s %12s %12s %7.2f %8s   [eddy %s | fio %s MB/s]\n", "append 16,541-byte batches (fio --bs=16541)",
              Rate(Median(append_odd)).c_str(), Rate(Median(fio_odd)).c_str(),
              ratio(Median(append_odd), Median(fio_odd)), "", Rounds(append_odd, 1e6, "%.0f").c_str(),
              Rounds(fio_odd, 1e6, "%.0f").c_str());
  std::printf("%-46s %12s %12s %7.2f %8s   [eddy %s | fio %s MB/s]\n", "append, fdatasync per batch",
              Rate(Median(append_sync)).c_str(), Rate(Median(fio_sync)).c_str(), sync_ratio, ">=0.8",
              Rounds(append_sync, 1e6, "%.1f").c_str(), Rounds(fio_sync, 1e6, "%.1f").c_str());
  std::printf("%-46s %12s %12s %7s %8s   [%s MB/s]\n", "sequential read, page cache (fetch, no CRC)",
              Rate(Median(read_raw)).c_str(), "", "", ">=2GB/s", Rounds(read_raw, 1e6, "%.0f").c_str());
  std::printf("%-46s %12s %12s %7s %8s   [%s MB/s]\n", "sequential read, page cache, CRC checked",
              Rate(Median(read_crc)).c_str(), "", "", "", Rounds(read_crc, 1e6, "%.0f").c_str());
  std::printf("%-46s %12s %12s %7s %8s   [%s MB/s]\n", "same file through mmap + memcpy (comparison)",
              Rate(Median(read_mmap)).c_str(), "", "", "", Rounds(read_mmap, 1e6, "%.0f").c_str());
  const uint64_t recovered_mib = results.contains("recovery_bytes") ? results["recovery_bytes"].get<uint64_t>() >> 20 : 0;
  std::printf("%-46s %11.2fs %12s %7s %8s   [%s s]\n",
              ("recovery of " + std::to_string(recovered_mib) + " MiB unflushed segment").c_str(), Median(recovery), "",
              "", "<=2s", Rounds(recovery, 1, "%.2f").c_str());
  const std::string n = std::to_string(partitions);
  const std::string open = "open " + n + " partitions, ";
  const std::string par_suffix = ", " + std::to_string(threads) + " thr";
  std::printf("%-46s %11.2fs %12s %7s %8s\n", (open + "none flushed").c_str(), Median(open_unclean), "", "", "<=5s");
  std::printf("%-46s %11.2fs\n", (open + "none flushed" + par_suffix).c_str(), Median(open_unclean_par));
  std::printf("%-46s %11.2fs\n", (open + "rolled flushed").c_str(), Median(open_rolled));
  std::printf("%-46s %11.2fs\n", (open + "rolled flushed" + par_suffix).c_str(), Median(open_rolled_par));
  std::printf("%-46s %11.2fs\n", (open + "clean").c_str(), Median(open_clean));
  std::printf("%-46s %11.2fs\n", (open + "clean" + par_suffix).c_str(), Median(open_clean_par));
  if (!out_path.empty()) {
    std::ofstream(out_path) << results.dump(2) << "\n";
    std::printf("results in %s\n", out_path.c_str());
  }
  std::fflush(stdout);
  Check(Fs().RemoveDirRecursive(dir), "rm");  // after the results: 10,000 directories take a while
  return 0;
}
