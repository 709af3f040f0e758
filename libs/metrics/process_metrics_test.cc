#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <ctime>
#include <map>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "libs/metrics/registry.h"

namespace eddy::metrics {
namespace {

// Samples parses unlabelled "name value" lines of an exposition.
std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> samples;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    samples[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
  }
  return samples;
}

TEST(ProcessMetricsTest, ReportsPlausibleValues) {
  Registry registry;
  AddProcessMetrics(registry, "broker", "1.2.3-test");
  // Burn a little CPU so process_cpu_seconds_total is visibly positive on a fast machine.
  volatile double sink = 0;
  for (int i = 0; i < 20000000; ++i) sink = sink + std::sqrt(static_cast<double>(i));

  const auto samples = Samples(registry.Expose());
  const double now = static_cast<double>(std::time(nullptr));
  ASSERT_EQ(samples.count("process_start_time_seconds"), 1u);
  EXPECT_GT(samples.at("process_start_time_seconds"), now - 24 * 3600);
  EXPECT_LE(samples.at("process_start_time_seconds"), now + 1);
  EXPECT_GT(samples.at("process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(samples.at("process_virtual_memory_bytes"),
            samples.at("process_resident_memory_bytes"));
  EXPECT_GT(samples.at("process_cpu_seconds_total"), 0);
  EXPECT_GE(samples.at("process_open_fds"), 3);
  EXPECT_GT(samples.at("process_max_fds"), 0);
  EXPECT_EQ(samples.at("eddy_build_info{daemon=\"broker\",version=\"1.2.3-test\"}"), 1);
}

TEST(ProcessMetricsTest, OpenFdsTracksDescriptors) {
  Registry registry;
  AddProcessMetrics(registry, "test", "0");
  const double before = Samples(registry.Expose()).at("process_open_fds");
  const int fd = open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  const double during = Samples(registry.Expose()).at("process_open_fds");
  close(fd);
  EXPECT_EQ(during, before + 1);
}

}  // namespace
}  // namespace eddy::metrics
