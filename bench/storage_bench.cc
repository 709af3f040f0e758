// `./dev bench storage`: the numbers issue 4 (acceptance 4 and 5) asks for, in one run, next to fio
// on the same disk where fio is installed:
//   append      1 KiB records in 16 KiB batches, one partition, no fsync      vs fio --rw=write --bs=16k
//   append+sync the same with an fdatasync per batch (flush.messages=16)       vs fio ... --fdatasync=1
//   read        sequential read of the appended log from page cache (CRC verified, and not)
//   recovery    reopening the log above, all of it unflushed (every batch scanned and CRC-checked)
//   open        reopening 10,000 partitions with small segments after an unclean stop
// Prints a table and writes JSON to --benchmark_out=PATH (the flag ./dev passes to every bench).
// Flags: --dir=PATH (default $EDDY_BENCH_DIR or /tmp), --quick (small sizes, for a smoke run).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "libs/common/clock.h"
#include "libs/storage/file_system.h"
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

std::unique_ptr<PartitionLog> OpenLog(const std::string& dir, const LogConfig& config) {
  auto log = PartitionLog::Open(eddy::storage::PosixFileSystem(), dir, config, eddy::common::Clock::Real());
  Check(log.status(), "open");
  return *std::move(log);
}

// Fio runs fio and returns its write bandwidth in bytes/s, or a negative number if fio is missing.
double Fio(const std::string& dir, const std::string& size, bool fdatasync) {
  if (std::system("command -v fio > /dev/null 2>&1") != 0) return -1;
  const std::string out = dir + "/fio.json";
  const std::string cmd = "fio --name=eddy --directory=" + dir + " --rw=write --bs=16k --size=" + size +
                          " --ioengine=psync" + (fdatasync ? " --fdatasync=1" : "") +
                          " --output-format=json --output=" + out + " > /dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return -1;
  std::ifstream in(out);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  std::system(("rm -f " + dir + "/eddy.0.0 " + out).c_str());
  if (j.is_discarded()) return -1;
  return j["jobs"][0]["write"]["bw_bytes"].get<double>();
}

// Append writes `bytes` of 16 KiB batches (16 records of 1 KiB) and returns bytes/s.
double Append(PartitionLog& log, uint64_t bytes) {
  const std::string batch = eddy::storage::testing::MakeBatch(16, 1'700'000'000'000, 1000);
  const uint64_t batches = bytes / batch.size();
  const auto start = Clock::now();
  for (uint64_t i = 0; i < batches; ++i) Check(log.AppendAsLeader(batch, LeaderEpoch(1)).status(), "append");
  return static_cast<double>(batches * batch.size()) / Seconds(start);
}

double ReadAll(PartitionLog& log) {
  const auto start = Clock::now();
  uint64_t bytes = 0;
  for (Offset next = log.LogStartOffset(); next < log.LogEndOffset();) {
    auto r = log.Read(next, {.max_bytes = 1 << 20});
    Check(r.status(), "read");
    bytes += r->records.size();
    next = r->next_offset;
  }
  return static_cast<double>(bytes) / Seconds(start);
}

std::string Human(double bytes_per_s) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.1f MB/s", bytes_per_s / 1e6);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_path, dir, only;
  bool quick = false;
  int partitions_flag = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--benchmark_out=", 0) == 0) out_path = a.substr(16);
    if (a.rfind("--dir=", 0) == 0) dir = a.substr(6);
    if (a == "--quick") quick = true;
    if (a.rfind("--only=", 0) == 0) only = a.substr(7);  // "open": just the many-partitions phase
    if (a.rfind("--partitions=", 0) == 0) partitions_flag = std::atoi(a.c_str() + 13);
  }
  if (dir.empty()) dir = std::getenv("EDDY_BENCH_DIR") ? std::getenv("EDDY_BENCH_DIR") : "/tmp";
  dir += "/eddy-bench-storage-" + std::to_string(::getpid());
  auto& fs = eddy::storage::PosixFileSystem();
  Check(fs.CreateDirs(dir), "mkdir");
  const uint64_t big = quick ? (64ull << 20) : (1ull << 30);
  const uint64_t synced = quick ? (4ull << 20) : (32ull << 20);
  const int partitions = partitions_flag > 0 ? partitions_flag : (quick ? 1000 : 10000);
  nlohmann::json results;

  double append = 0, fio_write = 0, recovery_s = 0, read_crc = 0, read_raw = 0, append_sync = 0, fio_sync = 0;
  results["recovery_bytes"] = 0;
  if (only.empty() || only == "append") {
  // Append without fsync, then the same volume with fio.
  LogConfig config;
  config.segment_bytes = (1ull << 31) - (1 << 20);  // one segment of ~2 GiB: "a 1 GiB segment" below
  auto log = OpenLog(dir + "/append-0", config);
  append = Append(*log, big);
  fio_write = Fio(dir, std::to_string(big >> 20) + "M", false);
  results["append_bytes_per_s"] = append;
  results["fio_write_bytes_per_s"] = fio_write;

  // Recovery of the whole unflushed log: drop it without Close() and reopen.
  log.reset();
  log = OpenLog(dir + "/append-0", config);
  recovery_s = absl::ToDoubleSeconds(log->recovery_stats().duration);
  results["recovery_seconds"] = recovery_s;
  results["recovery_bytes"] = log->SizeBytes();

  // Sequential read from page cache, with and without CRC verification.
  read_crc = ReadAll(*log);
  log.reset();
  LogConfig no_crc = config;
  no_crc.verify_crc_on_read = false;
  log = OpenLog(dir + "/append-0", no_crc);
  read_raw = ReadAll(*log);
  results["read_bytes_per_s"] = read_crc;
  results["read_no_crc_bytes_per_s"] = read_raw;
  Check(log->Close(), "close");
  log.reset();
  Check(fs.RemoveDirRecursive(dir + "/append-0"), "rm");

  // fsync per batch.
  LogConfig sync_config;
  sync_config.flush_messages = 16;
  log = OpenLog(dir + "/sync-0", sync_config);
  append_sync = Append(*log, synced);
  log.reset();
  fio_sync = Fio(dir, std::to_string(synced >> 20) + "M", true);
  results["append_fsync_bytes_per_s"] = append_sync;
  results["fio_fdatasync_bytes_per_s"] = fio_sync;
  }

  double open_s = -1;
  if (only.empty() || only == "open") {
  // Opening many partitions with small segments (3 segments each) after an unclean stop.
  LogConfig small;
  small.segment_bytes = 1024;
  const std::string tiny = eddy::storage::testing::MakeBatch(4, 1'700'000'000'000, 100);
  for (int p = 0; p < partitions; ++p) {
    auto l = OpenLog(dir + "/many/t-" + std::to_string(p), small);
    for (int b = 0; b < 6; ++b) Check(l->AppendAsLeader(tiny, LeaderEpoch(-1)).status(), "append");
  }
  ::sync();  // start the timed reopen without the setup's writeback in flight
  auto start = Clock::now();
  for (int p = 0; p < partitions; ++p) OpenLog(dir + "/many/t-" + std::to_string(p), small);
  open_s = Seconds(start);
  results["open_partitions"] = partitions;
  results["open_partitions_seconds"] = open_s;
  }
  Check(fs.RemoveDirRecursive(dir), "rm");

  auto ratio = [](double a, double b) { return b > 0 ? a / b : -1; };
  results["append_vs_fio_ratio"] = ratio(append, fio_write);
  results["append_fsync_vs_fio_ratio"] = ratio(append_sync, fio_sync);
  std::printf("%-44s %14s %14s %8s %8s\n", "storage bench", "eddy", "fio", "ratio", "target");
  std::printf("%-44s %14s %14s %8.2f %8s\n", "append 16 KiB batches, no fsync", Human(append).c_str(),
              fio_write > 0 ? Human(fio_write).c_str() : "no fio", ratio(append, fio_write), ">=0.9");
  std::printf("%-44s %14s %14s %8.2f %8s\n", "append, fdatasync per batch", Human(append_sync).c_str(),
              fio_sync > 0 ? Human(fio_sync).c_str() : "no fio", ratio(append_sync, fio_sync), ">=0.8");
  std::printf("%-44s %14s %14s %8s %8s\n", "sequential read, page cache, CRC checked", Human(read_crc).c_str(), "", "",
              ">=2GB/s");
  std::printf("%-44s %14s\n", "sequential read, page cache, no CRC", Human(read_raw).c_str());
  std::printf("%-44s %13.2fs %14s %8s %8s\n",
              ("recovery of " + std::to_string(results["recovery_bytes"].get<uint64_t>() >> 20) + " MiB unflushed").c_str(),
              recovery_s, "", "", "<=2s");
  std::printf("%-44s %13.2fs %14s %8s %8s\n", ("open " + std::to_string(partitions) + " partitions").c_str(), open_s,
              "", "", "<=5s");
  if (!out_path.empty()) {
    std::ofstream(out_path) << results.dump(2) << "\n";
    std::printf("results in %s\n", out_path.c_str());
  }
  return 0;
}
