// Pieces of libs/common/logging.h exposed for tests: level parsing and the line formatter, which a
// test attaches to an in-memory sink.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "spdlog/formatter.h"
#include "spdlog/common.h"

namespace eddy::common::internal {

enum class LogFormat { kText, kJson };

// ParseLogLevel maps trace|debug|info|warn|error|critical|off to spdlog's level.
absl::StatusOr<spdlog::level::level_enum> ParseLogLevel(std::string_view level);

// ParseLogFormat maps text|json.
absl::StatusOr<LogFormat> ParseLogFormat(std::string_view format);

// MakeLogFormatter returns a formatter producing Eddy's log lines for `daemon`.
std::unique_ptr<spdlog::formatter> MakeLogFormatter(std::string daemon, LogFormat format);

// AppendJsonString appends `s` to `out` as a quoted, escaped JSON string.
void AppendJsonString(std::string_view s, std::string& out);

}  // namespace eddy::common::internal
