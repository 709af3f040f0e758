#include "libs/common/logging.h"

#include <chrono>
#include <sstream>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/internal/log_format.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"
#include "tests/testing/status_matchers.h"

namespace eddy::common {
namespace {

using ::eddy::testing::IsOk;
using ::eddy::testing::IsOkAndHolds;
using ::eddy::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// 2026-11-23T19:00:00.123Z
spdlog::log_clock::time_point FixedTime() {
  const absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 11, 23, 19, 0, 0),
                                       absl::UTCTimeZone()) +
                       absl::Milliseconds(123);
  return std::chrono::time_point_cast<spdlog::log_clock::duration>(absl::ToChronoTime(t));
}

std::string Format(internal::LogFormat format, spdlog::level::level_enum level,
                   std::string_view message) {
  auto formatter = internal::MakeLogFormatter("eddy-broker", format);
  const spdlog::details::log_msg msg(FixedTime(), spdlog::source_loc{}, "eddy-broker", level,
                                     spdlog::string_view_t(message.data(), message.size()));
  spdlog::memory_buf_t buf;
  formatter->format(msg, buf);
  return std::string(buf.data(), buf.size());
}

TEST(LogFormatTest, TextLine) {
  EXPECT_EQ(Format(internal::LogFormat::kText, spdlog::level::info, "partition ready topic=t1"),
            "2026-11-23T19:00:00.123Z INFO eddy-broker partition ready topic=t1\n");
  EXPECT_EQ(Format(internal::LogFormat::kText, spdlog::level::err, "x"),
            "2026-11-23T19:00:00.123Z ERROR eddy-broker x\n");
  EXPECT_EQ(Format(internal::LogFormat::kText, spdlog::level::warn, "x"),
            "2026-11-23T19:00:00.123Z WARN eddy-broker x\n");
}

TEST(LogFormatTest, TextKeepsOneEventPerLine) {
  EXPECT_EQ(Format(internal::LogFormat::kText, spdlog::level::debug, "a\nb\rc"),
            "2026-11-23T19:00:00.123Z DEBUG eddy-broker a b c\n");
}

TEST(LogFormatTest, JsonLine) {
  EXPECT_EQ(Format(internal::LogFormat::kJson, spdlog::level::info, "hello"),
            "{\"ts\":\"2026-11-23T19:00:00.123Z\",\"level\":\"info\",\"daemon\":\"eddy-broker\","
            "\"msg\":\"hello\"}\n");
}

TEST(LogFormatTest, JsonEscapesHostileMessages) {
  const std::string hostile = std::string("quote\" back\\slash\nnew\ttab\x01 ctrl \xff bad ") +
                              "\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80 \xE2\x82";
  const std::string line = Format(internal::LogFormat::kJson, spdlog::level::critical, hostile);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  const nlohmann::json json = nlohmann::json::parse(line);  // Throws (fails) if invalid.
  EXPECT_EQ(json["level"], "critical");
  EXPECT_EQ(json["ts"], "2026-11-23T19:00:00.123Z");
  EXPECT_EQ(json["daemon"], "eddy-broker");
  EXPECT_EQ(json["msg"], "quote\" back\\slash\nnew\ttab\x01 ctrl \xEF\xBF\xBD bad "
                         "\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80 \xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(LogFormatTest, AppendJsonString) {
  std::string out;
  internal::AppendJsonString("a\"b\x7f", out);
  EXPECT_EQ(out, "\"a\\\"b\\u007f\"");
}

TEST(LogLevelTest, ParsesAllLevels) {
  EXPECT_THAT(internal::ParseLogLevel("trace"), IsOkAndHolds(spdlog::level::trace));
  EXPECT_THAT(internal::ParseLogLevel("debug"), IsOkAndHolds(spdlog::level::debug));
  EXPECT_THAT(internal::ParseLogLevel("info"), IsOkAndHolds(spdlog::level::info));
  EXPECT_THAT(internal::ParseLogLevel("warn"), IsOkAndHolds(spdlog::level::warn));
  EXPECT_THAT(internal::ParseLogLevel("error"), IsOkAndHolds(spdlog::level::err));
  EXPECT_THAT(internal::ParseLogLevel("critical"), IsOkAndHolds(spdlog::level::critical));
  EXPECT_THAT(internal::ParseLogLevel("off"), IsOkAndHolds(spdlog::level::off));
  EXPECT_THAT(internal::ParseLogLevel("verbose"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"verbose\"")));
}

TEST(InitLoggingTest, RejectsUnknownLevelAndFormat) {
  EXPECT_THAT(InitLogging("eddy-test", {.level = "loud", .format = "text"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("log level \"loud\"")));
  EXPECT_THAT(InitLogging("eddy-test", {.level = "info", .format = "xml"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("log format \"xml\"")));
}

TEST(InitLoggingTest, WritesTextToStderrAtLevel) {
  ASSERT_THAT(InitLogging("eddy-test", {.level = "warn", .format = "text"}), IsOk());
  EXPECT_EQ(spdlog::default_logger()->name(), "eddy-test");
  ::testing::internal::CaptureStderr();
  spdlog::info("hidden");
  spdlog::warn("shown key={}", 7);
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(out, MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
                                "WARN eddy-test shown key=7\n"));
}

TEST(InitLoggingTest, WritesJsonToStderr) {
  ASSERT_THAT(InitLogging("eddy-test", {.level = "debug", .format = "json"}), IsOk());
  ::testing::internal::CaptureStderr();
  spdlog::debug("say \"{}\"", "hi");
  const std::string out = ::testing::internal::GetCapturedStderr();
  const nlohmann::json json = nlohmann::json::parse(out);
  EXPECT_EQ(json["level"], "debug");
  EXPECT_EQ(json["daemon"], "eddy-test");
  EXPECT_EQ(json["msg"], "say \"hi\"");
  ASSERT_THAT(InitLogging("eddy-test", {}), IsOk());
}

}  // namespace
}  // namespace eddy::common
