// A daemon given an invalid flag, environment value or config key exits 2 with one line that names
// the key; --help exits 0.
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace eddy::testing {
namespace {

using ::testing::HasSubstr;

const char* const kDaemons[] = {"eddy-controller", "eddy-broker", "eddy-coordinator",
                                "eddy-registry", "eddy-gateway"};

std::string Binary(const char* daemon) { return absl::StrCat(EDDY_BIN_DIR, "/", daemon); }

// Runs the daemon and expects exit code 2 with exactly one stderr line containing `key`.
void ExpectConfigError(const char* daemon, std::vector<std::string> args,
                       std::vector<std::string> env, std::string_view key) {
  args.insert(args.begin(), Binary(daemon));
  EDDY_ASSERT_OK_AND_ASSIGN(ProcessResult result, RunProcess(args, env, absl::Seconds(10)));
  EXPECT_EQ(result.exit_code, 2) << daemon << " " << result.err;
  std::vector<std::string> lines = absl::StrSplit(result.err, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u) << daemon << " printed:\n" << result.err;
  EXPECT_THAT(lines[0], HasSubstr(key)) << daemon;
  EXPECT_THAT(lines[0], HasSubstr(daemon));
}

TEST(DaemonConfigTest, InvalidFlagValueExitsTwoNamingTheKey) {
  for (const char* daemon : kDaemons) {
    ExpectConfigError(daemon, {"--grpc-port=abc"}, {}, "--grpc-port");
    ExpectConfigError(daemon, {"--http-port", "70000"}, {}, "--http-port");
    ExpectConfigError(daemon, {"--log-level=loud"}, {}, "--log-level");
  }
}

TEST(DaemonConfigTest, InvalidEnvironmentValueExitsTwoNamingTheKey) {
  for (const char* daemon : kDaemons) {
    ExpectConfigError(daemon, {}, {"EDDY_GRPC_PORT=-1"}, "EDDY_GRPC_PORT");
    ExpectConfigError(daemon, {}, {"EDDY_SHUTDOWN_TIMEOUT_MS=soon"}, "EDDY_SHUTDOWN_TIMEOUT_MS");
  }
}

TEST(DaemonConfigTest, UnknownFlagExitsTwoNamingIt) {
  for (const char* daemon : kDaemons) {
    ExpectConfigError(daemon, {"--grpc-prot=9000"}, {}, "--grpc-prot");
  }
}

TEST(DaemonConfigTest, CrossFieldRulesNameTheKey) {
  ExpectConfigError("eddy-broker", {"--controllers=nowhere"}, {}, "--controllers");
  ExpectConfigError("eddy-controller",
                    {"--member-session-timeout-ms=1000", "--member-heartbeat-interval-ms=1000"},
                    {}, "--member-heartbeat-interval-ms");
  ExpectConfigError("eddy-gateway", {"--grpc-port=9500", "--http-port=9500"}, {}, "--http-port");
}

TEST(DaemonConfigTest, HelpListsEveryKeyAndExitsZero) {
  for (const char* daemon : kDaemons) {
    EDDY_ASSERT_OK_AND_ASSIGN(ProcessResult result, RunProcess({Binary(daemon), "--help"}));
    EXPECT_EQ(result.exit_code, 0) << daemon;
    EXPECT_THAT(result.out, HasSubstr("--grpc-port"));
    EXPECT_THAT(result.out, HasSubstr("EDDY_GRPC_PORT"));
    EXPECT_THAT(result.out, HasSubstr("--log-format"));
  }
}

TEST(DaemonConfigTest, ConfigurationReferenceIsCurrent) {
  EDDY_ASSERT_OK_AND_ASSIGN(
      ProcessResult result,
      RunProcess({absl::StrCat(EDDY_SOURCE_DIR, "/tools/config_reference.sh"), EDDY_BIN_DIR}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::ifstream in(absl::StrCat(EDDY_SOURCE_DIR, "/docs/configuration.md"));
  const std::string committed((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
  EXPECT_EQ(committed, result.out) << "docs/configuration.md is stale: run ./dev docs";
}

}  // namespace
}  // namespace eddy::testing
