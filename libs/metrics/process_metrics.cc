// AddProcessMetrics: the standard process_* metrics every Prometheus client exports, read from
// Linux /proc at scrape time, plus eddy_build_info.

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "libs/metrics/registry.h"

namespace eddy::metrics {
namespace {

constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

// StatFields returns the fields of /proc/self/stat after "(comm)", so index 0 is field 3 (state);
// empty if unreadable. comm may contain spaces and parentheses, hence the last ')'.
std::vector<std::string> StatFields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return {};
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

// StatField returns /proc/self/stat field `number` (1-based, as in proc(5)) as a double.
double StatField(const std::vector<std::string>& fields, size_t number) {
  const size_t index = number - 3;
  if (number < 3 || index >= fields.size()) return kUnknown;
  return std::strtod(fields[index].c_str(), nullptr);
}

double ClockTicksPerSecond() {
  const long ticks = sysconf(_SC_CLK_TCK);
  return ticks > 0 ? static_cast<double>(ticks) : 100;
}

double PageSize() {
  const long size = sysconf(_SC_PAGESIZE);
  return size > 0 ? static_cast<double>(size) : 4096;
}

double BootTimeSeconds() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double btime = kUnknown;
      in >> btime;
      return btime;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return kUnknown;
}

double StartTimeSeconds() {
  return BootTimeSeconds() + StatField(StatFields(), 22) / ClockTicksPerSecond();
}

double CpuSeconds() {
  const auto fields = StatFields();
  return (StatField(fields, 14) + StatField(fields, 15)) / ClockTicksPerSecond();
}

// StatmPages returns field `index` (0 = size, 1 = resident) of /proc/self/statm in bytes.
double StatmBytes(int index) {
  std::ifstream in("/proc/self/statm");
  double value = kUnknown;
  for (int i = 0; i <= index; ++i) {
    if (!(in >> value)) return kUnknown;
  }
  return value * PageSize();
}

double OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return kUnknown;
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;  // the descriptor opendir itself holds
}

double MaxFds() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return kUnknown;
  return static_cast<double>(limit.rlim_cur);
}

}  // namespace

void AddProcessMetrics(Registry& registry, std::string_view daemon, std::string_view version) {
  registry
      .AddGauge("process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.")
      .Get()
      .Set(StartTimeSeconds());
  registry.AddGaugeCallback("process_resident_memory_bytes", "Resident memory size in bytes.",
                            [] { return StatmBytes(1); });
  registry.AddGaugeCallback("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                            [] { return StatmBytes(0); });
  registry.AddCounterCallback("process_cpu_seconds_total",
                              "Total user and system CPU time spent in seconds.", CpuSeconds);
  registry.AddGaugeCallback("process_open_fds", "Number of open file descriptors.", OpenFds);
  registry.AddGaugeCallback("process_max_fds", "Maximum number of open file descriptors.", MaxFds);
  registry
      .AddGauge("eddy_build_info", "Constant 1, labelled with the daemon name and build version.",
                {"daemon", "version"})
      .WithLabels({std::string(daemon), std::string(version)})
      .Set(1);
}

}  // namespace eddy::metrics
