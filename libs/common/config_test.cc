#include "libs/common/config.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace eddy::common {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

// A daemon-like config struct with one field of every kind.
struct TestConfig {
  std::string host = "0.0.0.0";
  std::string password = "hunter2";
  bool tls = false;
  bool metrics = true;
  int32_t grpc_port = 9092;
  int64_t segment_bytes = 1 << 30;
  double ratio = 0.5;
  std::string log_format = "text";
};

class ConfigTest : public ::testing::Test {
 protected:
  ConfigTest() : spec_("eddy-broker") {
    spec_.Add("host", &config_.host, "Listen address.");
    spec_.AddSecret("password", &config_.password, "SASL password.");
    spec_.Add("tls", &config_.tls, "Serve TLS.");
    spec_.Add("metrics", &config_.metrics, "Export metrics.");
    spec_.Add("grpc-port", &config_.grpc_port, "gRPC port.", 1, 65535);
    spec_.Add("segment-bytes", &config_.segment_bytes, "Segment size.", 1024, int64_t{1} << 40);
    spec_.Add("ratio", &config_.ratio, "Some ratio | with a pipe.", 0.0, 1.0);
    spec_.AddChoice("log-format", &config_.log_format, {"text", "json"}, "Log format.");
  }

  ~ConfigTest() override {
    for (const std::string& path : files_) std::remove(path.c_str());
  }

  absl::Status Load(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(), "eddy-broker");
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    std::vector<const char*> envp;
    for (const std::string& e : env) envp.push_back(e.c_str());
    envp.push_back(nullptr);
    return spec_.Load(static_cast<int>(args.size()), argv.data(), envp.data());
  }

  std::string WriteFile(const std::string& contents) {
    const std::string path = ::testing::TempDir() + "eddy_config_test_" +
                             std::to_string(getpid()) + "_" + std::to_string(files_.size());
    std::ofstream(path) << contents;
    files_.push_back(path);
    return path;
  }

  TestConfig config_;
  ConfigSpec spec_;
  std::vector<std::string> files_;
};

TEST_F(ConfigTest, DefaultsApplyWithNoInput) {
  config_.grpc_port = 1;  // Load resets to the default captured by Add().
  ASSERT_THAT(Load({}), IsOk());
  EXPECT_EQ(config_.host, "0.0.0.0");
  EXPECT_EQ(config_.grpc_port, 9092);
  EXPECT_EQ(config_.segment_bytes, 1 << 30);
  EXPECT_FALSE(config_.tls);
  EXPECT_TRUE(config_.metrics);
  EXPECT_DOUBLE_EQ(config_.ratio, 0.5);
  EXPECT_EQ(config_.log_format, "text");
  EXPECT_FALSE(spec_.help_requested());
}

TEST_F(ConfigTest, FlagForms) {
  ASSERT_THAT(Load({"--host=127.0.0.1", "--grpc-port", "19092", "--segment-bytes=+2048",
                    "--ratio", "2.5e-1", "--log-format=json", "--password", "s3cret"}),
              IsOk());
  EXPECT_EQ(config_.host, "127.0.0.1");
  EXPECT_EQ(config_.grpc_port, 19092);
  EXPECT_EQ(config_.segment_bytes, 2048);
  EXPECT_DOUBLE_EQ(config_.ratio, 0.25);
  EXPECT_EQ(config_.log_format, "json");
  EXPECT_EQ(config_.password, "s3cret");
}

TEST_F(ConfigTest, EmptyStringAndEqualsInValue) {
  ASSERT_THAT(Load({"--host=", "--password=a=b"}), IsOk());
  EXPECT_EQ(config_.host, "");
  EXPECT_EQ(config_.password, "a=b");
}

TEST_F(ConfigTest, LastFlagWins) {
  ASSERT_THAT(Load({"--grpc-port=1", "--grpc-port=2"}), IsOk());
  EXPECT_EQ(config_.grpc_port, 2);
}

TEST_F(ConfigTest, BoolForms) {
  ASSERT_THAT(Load({"--tls", "--no-metrics"}), IsOk());
  EXPECT_TRUE(config_.tls);
  EXPECT_FALSE(config_.metrics);
  ASSERT_THAT(Load({"--tls=false", "--metrics=YES"}), IsOk());
  EXPECT_FALSE(config_.tls);
  EXPECT_TRUE(config_.metrics);
  for (const char* v : {"1", "on", "true", "True"}) {
    ASSERT_THAT(Load({std::string("--tls=") + v}), IsOk()) << v;
    EXPECT_TRUE(config_.tls) << v;
  }
  for (const char* v : {"0", "off", "no", "FALSE"}) {
    ASSERT_THAT(Load({"--tls", std::string("--tls=") + v}), IsOk()) << v;
    EXPECT_FALSE(config_.tls) << v;
  }
}

TEST_F(ConfigTest, BareBoolDoesNotConsumeNextArgument) {
  // "false" after a bare bool flag is a positional argument, not the flag's value.
  EXPECT_THAT(Load({"--tls", "false"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unexpected positional argument \"false\""));
}

TEST_F(ConfigTest, BoolErrors) {
  EXPECT_THAT(Load({"--tls=maybe"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid value for --tls: \"maybe\" is not a boolean (true or false)"));
  EXPECT_THAT(Load({"--no-tls=true"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "flag --no-tls does not take a value"));
  EXPECT_THAT(Load({"--no-host"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "unknown flag --no-host"));
}

TEST_F(ConfigTest, IntegerErrors) {
  EXPECT_THAT(Load({"--grpc-port=abc"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid value for --grpc-port: \"abc\" is not an integer"));
  EXPECT_THAT(Load({"--grpc-port=70000"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid value for --grpc-port: 70000 is out of range [1, 65535]"));
  EXPECT_THAT(Load({"--grpc-port=0"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid value for --grpc-port: 0 is out of range [1, 65535]"));
  EXPECT_THAT(Load({"--grpc-port=12.5"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"12.5\" is not an integer")));
  EXPECT_THAT(Load({"--grpc-port="}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"\" is not an integer")));
  EXPECT_THAT(Load({"--grpc-port= 80"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not an integer")));
  EXPECT_THAT(Load({"--segment-bytes=99999999999999999999"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid value for --segment-bytes: 99999999999999999999 is out of range "
                       "[1024, 1099511627776]"));
  EXPECT_THAT(Load({"--segment-bytes=-5"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("-5 is out of range [1024, 1099511627776]")));
}

TEST_F(ConfigTest, BoundsAreInclusive) {
  ASSERT_THAT(Load({"--grpc-port=1", "--ratio=1"}), IsOk());
  EXPECT_EQ(config_.grpc_port, 1);
  ASSERT_THAT(Load({"--grpc-port=65535", "--ratio=0"}), IsOk());
  EXPECT_EQ(config_.grpc_port, 65535);
  EXPECT_EQ(config_.ratio, 0.0);
}

TEST_F(ConfigTest, DoubleErrors) {
  EXPECT_THAT(Load({"--ratio=half"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid value for --ratio: \"half\" is not a number"));
  EXPECT_THAT(Load({"--ratio=1.5"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid value for --ratio: 1.5 is out of range [0, 1]"));
  EXPECT_THAT(Load({"--ratio=nan"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not a number")));
  EXPECT_THAT(Load({"--ratio=inf"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not a number")));
}

TEST_F(ConfigTest, ChoiceErrors) {
  EXPECT_THAT(Load({"--log-format=xml"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid value for --log-format: \"xml\" is not one of {text, json}"));
  EXPECT_THAT(Load({"--log-format=JSON"}), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ConfigTest, UnknownFlagsAndPositionalArguments) {
  EXPECT_THAT(Load({"--grpc-prot=1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "unknown flag --grpc-prot"));
  EXPECT_THAT(Load({"--grpc-prot"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "unknown flag --grpc-prot"));
  EXPECT_THAT(Load({"-x"}), StatusIs(absl::StatusCode::kInvalidArgument, "unknown flag -x"));
  EXPECT_THAT(Load({"serve"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                        "unexpected positional argument \"serve\""));
  EXPECT_THAT(Load({"--", "serve"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                              "unexpected positional argument \"serve\""));
  EXPECT_THAT(Load({"--"}), IsOk());
}

TEST_F(ConfigTest, MissingValue) {
  EXPECT_THAT(Load({"--grpc-port"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "missing value for --grpc-port"));
  EXPECT_THAT(Load({"--host", "--tls"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "missing value for --host"));
  EXPECT_THAT(Load({"--config"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "missing value for --config"));
  // A negative number is a value, not a flag.
  EXPECT_THAT(Load({"--segment-bytes", "-1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("-1 is out of range")));
}

TEST_F(ConfigTest, Help) {
  ASSERT_THAT(Load({"--grpc-port=abc", "--help"}), IsOk());
  EXPECT_TRUE(spec_.help_requested());
  ASSERT_THAT(Load({"-h"}), IsOk());
  EXPECT_TRUE(spec_.help_requested());
  ASSERT_THAT(Load({}), IsOk());
  EXPECT_FALSE(spec_.help_requested());
}

TEST_F(ConfigTest, EnvironmentOnlyKnownKeys) {
  ASSERT_THAT(Load({}, {"EDDY_GRPC_PORT=7000", "EDDY_TLS=true", "EDDY_UNRELATED=whatever",
                        "EDDY_LOG_FORMAT=json", "PATH=/bin", "EDDY_SEGMENT_BYTES"}),
              IsOk());
  EXPECT_EQ(config_.grpc_port, 7000);
  EXPECT_TRUE(config_.tls);
  EXPECT_EQ(config_.log_format, "json");
}

TEST_F(ConfigTest, EnvironmentErrorsNameVariable) {
  EXPECT_THAT(
      Load({}, {"EDDY_GRPC_PORT=abc"}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "invalid value for --grpc-port (EDDY_GRPC_PORT): \"abc\" is not an integer"));
  EXPECT_THAT(
      Load({}, {"EDDY_GRPC_PORT=70000"}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "invalid value for --grpc-port (EDDY_GRPC_PORT): 70000 is out of range [1, 65535]"));
}

TEST_F(ConfigTest, NullEnvironmentIsEmpty) {
  const char* argv[] = {"eddy-broker", "--grpc-port=5", nullptr};
  ASSERT_THAT(spec_.Load(2, argv, nullptr), IsOk());
  EXPECT_EQ(config_.grpc_port, 5);
}

TEST_F(ConfigTest, Precedence) {
  const std::string file = WriteFile("grpc-port=1000\nhost=file-host\nratio=0.1\ntls=true\n");
  // File only.
  ASSERT_THAT(Load({"--config=" + file}), IsOk());
  EXPECT_EQ(config_.grpc_port, 1000);
  EXPECT_EQ(config_.host, "file-host");
  EXPECT_TRUE(config_.tls);
  // Environment beats file; file beats default.
  ASSERT_THAT(Load({"--config", file}, {"EDDY_GRPC_PORT=2000", "EDDY_HOST=env-host"}), IsOk());
  EXPECT_EQ(config_.grpc_port, 2000);
  EXPECT_EQ(config_.host, "env-host");
  EXPECT_DOUBLE_EQ(config_.ratio, 0.1);
  // Flags beat environment.
  ASSERT_THAT(Load({"--config", file, "--grpc-port=3000", "--no-tls"},
                   {"EDDY_GRPC_PORT=2000", "EDDY_HOST=env-host"}),
              IsOk());
  EXPECT_EQ(config_.grpc_port, 3000);
  EXPECT_EQ(config_.host, "env-host");
  EXPECT_FALSE(config_.tls);
  EXPECT_EQ(config_.segment_bytes, 1 << 30);
}

TEST_F(ConfigTest, ConfigFileFromEnvironmentAndFlagOverridesIt) {
  const std::string a = WriteFile("grpc-port=1111\n");
  const std::string b = WriteFile("grpc-port=2222\n");
  ASSERT_THAT(Load({}, {"EDDY_CONFIG=" + a}), IsOk());
  EXPECT_EQ(config_.grpc_port, 1111);
  ASSERT_THAT(Load({"--config=" + b}, {"EDDY_CONFIG=" + a}), IsOk());
  EXPECT_EQ(config_.grpc_port, 2222);
}

TEST_F(ConfigTest, KeyValueFileForm) {
  const std::string file = WriteFile(
      "# Broker config\n"
      "\n"
      "  host =  10.0.0.1  \n"
      "password=p@ss word # not a comment\n"
      "log-format=json\r\n"
      "metrics=off\n");
  ASSERT_THAT(Load({"--config=" + file}), IsOk());
  EXPECT_EQ(config_.host, "10.0.0.1");
  EXPECT_EQ(config_.password, "p@ss word # not a comment");
  EXPECT_EQ(config_.log_format, "json");
  EXPECT_FALSE(config_.metrics);
}

TEST_F(ConfigTest, JsonFileForm) {
  const std::string file = WriteFile(R"(  {
      "host": "json-host", "grpc-port": 4000, "tls": true, "ratio": 0.75,
      "segment-bytes": "4096", "log-format": "json"
  })");
  ASSERT_THAT(Load({"--config=" + file}), IsOk());
  EXPECT_EQ(config_.host, "json-host");
  EXPECT_EQ(config_.grpc_port, 4000);
  EXPECT_TRUE(config_.tls);
  EXPECT_DOUBLE_EQ(config_.ratio, 0.75);
  EXPECT_EQ(config_.segment_bytes, 4096);
  EXPECT_EQ(config_.log_format, "json");
}

TEST_F(ConfigTest, FileErrors) {
  const std::string unknown_kv = WriteFile("foo=1\n");
  EXPECT_THAT(Load({"--config=" + unknown_kv}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unknown key \"foo\" in config file " + unknown_kv));
  const std::string unknown_json = WriteFile(R"({"foo": 1})");
  EXPECT_THAT(Load({"--config=" + unknown_json}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unknown key \"foo\" in config file " + unknown_json));
  const std::string bad_value = WriteFile("grpc-port=x\n");
  EXPECT_THAT(Load({"--config=" + bad_value}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid value for --grpc-port (config file " + bad_value +
                           "): \"x\" is not an integer"));
  const std::string bad_json_value = WriteFile(R"({"grpc-port": 1.5})");
  EXPECT_THAT(Load({"--config=" + bad_json_value}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--grpc-port (config file " + bad_json_value +
                                 "): \"1.5\" is not an integer")));
  const std::string nested = WriteFile(R"({"host": ["a"]})");
  EXPECT_THAT(Load({"--config=" + nested}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected a string, number or boolean")));
  const std::string broken = WriteFile("{\"host\": ");
  EXPECT_THAT(Load({"--config=" + broken}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not valid JSON")));
  const std::string no_equals = WriteFile("host=a\njust words\n");
  EXPECT_THAT(Load({"--config=" + no_equals}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "config file " + no_equals + " line 2: expected key=value"));
  EXPECT_THAT(Load({"--config=/nonexistent/eddy.conf"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot read config file /nonexistent/eddy.conf")));
}

TEST_F(ConfigTest, FlagErrorsComeBeforeFileIsRead) {
  EXPECT_THAT(Load({"--config=/nonexistent", "--bogus"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "unknown flag --bogus"));
}

TEST_F(ConfigTest, FieldsDescribeEachKey) {
  const std::vector<ConfigField>& fields = spec_.fields();
  ASSERT_EQ(fields.size(), 8u);
  EXPECT_EQ(fields[0].key, "host");
  EXPECT_EQ(fields[0].env, "EDDY_HOST");
  EXPECT_EQ(fields[0].type, "string");
  EXPECT_EQ(fields[0].default_value, "0.0.0.0");
  EXPECT_EQ(fields[1].default_value, "***");
  EXPECT_TRUE(fields[1].secret);
  EXPECT_EQ(fields[2].type, "bool");
  EXPECT_EQ(fields[2].default_value, "false");
  EXPECT_EQ(fields[4].key, "grpc-port");
  EXPECT_EQ(fields[4].env, "EDDY_GRPC_PORT");
  EXPECT_EQ(fields[4].type, "int32");
  EXPECT_EQ(fields[4].default_value, "9092");
  EXPECT_EQ(fields[4].bounds, "[1, 65535]");
  EXPECT_EQ(fields[4].help, "gRPC port.");
  EXPECT_EQ(fields[5].type, "int64");
  EXPECT_EQ(fields[6].type, "double");
  EXPECT_EQ(fields[6].default_value, "0.5");
  EXPECT_EQ(fields[6].bounds, "[0, 1]");
  EXPECT_EQ(fields[7].type, "choice");
  EXPECT_EQ(fields[7].bounds, "{text, json}");
}

TEST_F(ConfigTest, EffectiveConfigHidesSecrets) {
  ASSERT_THAT(Load({"--host=my host", "--password=topsecret"}), IsOk());
  const std::string effective = spec_.EffectiveConfig();
  EXPECT_EQ(effective,
            "host=\"my host\" password=*** tls=false metrics=true grpc-port=9092 "
            "segment-bytes=1073741824 ratio=0.5 log-format=text");
  EXPECT_THAT(effective, Not(HasSubstr("topsecret")));
  ASSERT_THAT(Load({"--host=", "--password="}), IsOk());
  EXPECT_THAT(spec_.EffectiveConfig(), HasSubstr("host=\"\" password=\"\" "));
}

TEST_F(ConfigTest, UsageListsEveryKeyButNoSecret) {
  const std::string usage = spec_.Usage();
  EXPECT_THAT(usage, HasSubstr("Usage: eddy-broker"));
  EXPECT_THAT(usage, HasSubstr("--config=PATH"));
  EXPECT_THAT(usage, HasSubstr("--grpc-port=INT32"));
  EXPECT_THAT(usage, HasSubstr("gRPC port. (default 9092; range [1, 65535]; env EDDY_GRPC_PORT)"));
  EXPECT_THAT(usage, HasSubstr("--[no-]tls"));
  EXPECT_THAT(usage, HasSubstr("--log-format={text, json}"));
  EXPECT_THAT(usage, HasSubstr("--password=STRING"));
  EXPECT_THAT(usage, Not(HasSubstr("hunter2")));
}

TEST_F(ConfigTest, MarkdownReference) {
  const std::string md = spec_.MarkdownReference();
  EXPECT_THAT(md, HasSubstr("| Key | Env | Type | Default | Bounds | Help |\n"));
  EXPECT_THAT(md, HasSubstr("| `grpc-port` | `EDDY_GRPC_PORT` | int32 | `9092` | [1, 65535] | "
                            "gRPC port. |\n"));
  EXPECT_THAT(md, HasSubstr("Some ratio \\| with a pipe."));
  EXPECT_THAT(md, HasSubstr("| `password` | `EDDY_PASSWORD` | string | `***` |"));
  EXPECT_THAT(md, Not(HasSubstr("hunter2")));
}

TEST(ConfigSpecDeathTest, ProgrammingErrorsAbort) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  std::string s;
  int32_t port = 0;
  EXPECT_DEATH(
      {
        ConfigSpec spec("d");
        spec.Add("dup", &s, "");
        spec.Add("dup", &s, "");
      },
      "added twice");
  EXPECT_DEATH(
      {
        ConfigSpec spec("d");
        spec.Add("Bad_Key", &s, "");
      },
      "not dash-case");
  EXPECT_DEATH(
      {
        ConfigSpec spec("d");
        spec.Add("config", &s, "");
      },
      "reserved");
  EXPECT_DEATH(
      {
        ConfigSpec spec("d");
        spec.Add("port", &port, "", 1, 65535);
      },
      "outside its bounds");
  EXPECT_DEATH(
      {
        ConfigSpec spec("d");
        spec.AddChoice("format", &s, {"a", "b"}, "");
      },
      "not a choice");
}

}  // namespace
}  // namespace eddy::common
