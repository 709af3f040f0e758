#include "libs/common/logging.h"

#include <time.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/internal/log_format.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace eddy::common {
namespace internal {
namespace {

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Appends the UTC timestamp "YYYY-MM-DDTHH:MM:SS.mmmZ".
void AppendTimestamp(spdlog::log_clock::time_point tp, std::string& out) {
  const auto since_epoch = tp.time_since_epoch();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
  int64_t secs = ms / 1000;
  int64_t millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  const time_t t = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  const int n = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                              tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                              tm.tm_sec, static_cast<int>(millis));
  out.append(buf, static_cast<size_t>(n));
}

std::string_view LevelName(spdlog::level::level_enum level, bool upper) {
  switch (level) {
    case spdlog::level::trace: return upper ? "TRACE" : "trace";
    case spdlog::level::debug: return upper ? "DEBUG" : "debug";
    case spdlog::level::info: return upper ? "INFO" : "info";
    case spdlog::level::warn: return upper ? "WARN" : "warn";
    case spdlog::level::err: return upper ? "ERROR" : "error";
    case spdlog::level::critical: return upper ? "CRITICAL" : "critical";
    default: return upper ? "OFF" : "off";
  }
}

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t len;
  uint32_t min;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  uint32_t cp = c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

class EddyFormatter final : public spdlog::formatter {
 public:
  EddyFormatter(std::string daemon, LogFormat format)
      : daemon_(std::move(daemon)), format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line;
    line.reserve(64 + daemon_.size() + msg.payload.size());
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    if (format_ == LogFormat::kText) {
      AppendTimestamp(msg.time, line);
      line.push_back(' ');
      line.append(LevelName(msg.level, /*upper=*/true));
      line.push_back(' ');
      line.append(daemon_);
      line.push_back(' ');
      // One event per line: embedded newlines would forge extra events.
      for (char c : payload) line.push_back(c == '\n' || c == '\r' ? ' ' : c);
    } else {
      line.append("{\"ts\":\"");
      AppendTimestamp(msg.time, line);
      line.append("\",\"level\":\"");
      line.append(LevelName(msg.level, /*upper=*/false));
      line.append("\",\"daemon\":");
      AppendJsonString(daemon_, line);
      line.append(",\"msg\":");
      AppendJsonString(payload, line);
      line.push_back('}');
    }
    line.push_back('\n');
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<EddyFormatter>(daemon_, format_);
  }

 private:
  std::string daemon_;
  LogFormat format_;
};

}  // namespace

void AppendJsonString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out.append("\\\""); ++i; continue;
      case '\\': out.append("\\\\"); ++i; continue;
      case '\n': out.append("\\n"); ++i; continue;
      case '\r': out.append("\\r"); ++i; continue;
      case '\t': out.append("\\t"); ++i; continue;
      case '\b': out.append("\\b"); ++i; continue;
      case '\f': out.append("\\f"); ++i; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7F) {
      out.append("\\u00");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
      ++i;
      continue;
    }
    const size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out.append("\\ufffd");
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  out.push_back('"');
}

absl::StatusOr<spdlog::level::level_enum> ParseLogLevel(std::string_view level) {
  static constexpr std::pair<std::string_view, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},   {"critical", spdlog::level::critical},
      {"off", spdlog::level::off},
  };
  for (const auto& [name, value] : kLevels) {
    if (name == level) return value;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown log level \"", ToAbsl(level),
                   "\" (expected trace, debug, info, warn, error, critical or off)"));
}

absl::StatusOr<LogFormat> ParseLogFormat(std::string_view format) {
  if (format == "text") return LogFormat::kText;
  if (format == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown log format \"", ToAbsl(format), "\" (expected text or json)"));
}

std::unique_ptr<spdlog::formatter> MakeLogFormatter(std::string daemon, LogFormat format) {
  return std::make_unique<EddyFormatter>(std::move(daemon), format);
}

}  // namespace internal

absl::Status InitLogging(std::string_view daemon, const LogOptions& options) {
  const absl::StatusOr<spdlog::level::level_enum> level = internal::ParseLogLevel(options.level);
  if (!level.ok()) return level.status();
  const absl::StatusOr<internal::LogFormat> format = internal::ParseLogFormat(options.format);
  if (!format.ok()) return format.status();

  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(std::string(daemon), std::move(sink));
  logger->set_formatter(internal::MakeLogFormatter(std::string(daemon), *format));
  logger->set_level(*level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  return absl::OkStatus();
}

}  // namespace eddy::common
