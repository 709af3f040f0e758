// Process logging for Eddy daemons and tools. InitLogging installs spdlog's default logger writing
// to stderr, so code logs with spdlog::info(...) etc. and never configures sinks itself.
// Two formats, one line per event, timestamps in UTC with milliseconds:
//   text: 2026-11-23T19:00:00.123Z INFO eddy-broker message key=value
//   json: {"ts":"2026-11-23T19:00:00.123Z","level":"info","daemon":"eddy-broker","msg":"message key=value"}
// In json every string is escaped (quotes, backslashes, control characters, invalid UTF-8 as
// U+FFFD), so each line is a valid JSON object whatever the message holds.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace eddy::common {

// LogOptions selects the level (trace, debug, info, warn, error, critical, off) and the format
// (text, json).
struct LogOptions {
  std::string level = "info";
  std::string format = "text";
};

// InitLogging replaces spdlog's default logger with one named `daemon` that writes to stderr.
// Returns InvalidArgument naming an unknown level or format, leaving logging unchanged.
// Call it early in main(), before starting threads that log.
absl::Status InitLogging(std::string_view daemon, const LogOptions& options);

}  // namespace eddy::common
