// The supervisor behind ./dev up: it starts every daemon, reports them registered, and on SIGINT
// (Ctrl-C) stops them all, leaving no eddy process behind.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;

// Every process whose command line mentions `needle`, except this test itself.
std::vector<pid_t> ProcessesMentioning(const std::string& needle) {
  std::vector<pid_t> pids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const pid_t pid = std::stoi(name);
    if (pid != ::getpid() && absl::StrContains(cmdline, needle)) pids.push_back(pid);
  }
  return pids;
}

TEST(LocalClusterCliTest, StartsEveryDaemonAndCtrlCLeavesNoProcess) {
  char dir_template[] = "/tmp/eddy-cli-test-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string data_dir = dir_template;

  // The supervisor gets SIGINT from a shell timer, as a terminal's Ctrl-C would deliver it, once
  // it has printed its banner; the shell waits for it and reports its exit code.
  const std::string script = absl::StrCat(
      "'", EDDY_BIN_DIR, "/eddy-local-cluster' --bin-dir='", EDDY_BIN_DIR, "' --data-dir='",
      data_dir, "' > '", data_dir, "/out.txt' 2>&1 & pid=$!\n",
      "for i in $(seq 1 600); do grep -q 'Ctrl-C stops' '", data_dir,
      "/out.txt' 2>/dev/null && break; sleep 0.1; done\n",
      "kill -INT $pid\nwait $pid\necho exit=$?\n");
  EDDY_ASSERT_OK_AND_ASSIGN(ProcessResult result,
                            RunProcess({"/bin/bash", "-c", script}, {}, absl::Seconds(120)));
  std::ifstream in(data_dir + "/out.txt");
  const std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  EXPECT_THAT(result.out, HasSubstr("exit=0")) << out;
  EXPECT_THAT(out, HasSubstr("Kafka bootstrap: 127.0.0.1:9092"));
  for (const char* member : {"MEMBER_ROLE_BROKER 1 registered", "MEMBER_ROLE_COORDINATOR 1 registered",
                             "MEMBER_ROLE_REGISTRY 1 registered", "MEMBER_ROLE_GATEWAY 1 registered"}) {
    EXPECT_THAT(out, HasSubstr(member));
  }
  // Logs stream prefixed with the daemon's name.
  EXPECT_THAT(out, HasSubstr("[broker-0] "));
  EXPECT_THAT(out, HasSubstr("== stopped"));
  EXPECT_THAT(ProcessesMentioning(data_dir), ::testing::IsEmpty()) << out;
  std::filesystem::remove_all(data_dir);
}

}  // namespace
}  // namespace eddy::testing
