#pragma once

// Building blocks of the Prometheus text exposition format 0.0.4: name validation, escaping and
// number formatting. Shared by the registry and its tests; not part of the public API.

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace eddy::metrics::internal {

// ToAbsl converts for Abseil call sites: Debian 12's absl::string_view is its own type.
inline absl::string_view ToAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// IsValidMetricName: [a-zA-Z_:][a-zA-Z0-9_:]*.
bool IsValidMetricName(std::string_view name);
// IsValidLabelName: [a-zA-Z_][a-zA-Z0-9_]* and not starting with the reserved "__".
bool IsValidLabelName(std::string_view name);

// AppendEscapedHelp escapes '\' and newline, as `# HELP` text requires.
void AppendEscapedHelp(std::string& out, std::string_view help);
// AppendEscapedLabelValue escapes '\', '"' and newline, as quoted label values require.
void AppendEscapedLabelValue(std::string& out, std::string_view value);

// AppendDouble writes `v` as Prometheus (Go's strconv 'g', shortest) does, except that integral
// values below 1e21 print without an exponent: "+Inf", "-Inf", "NaN", "0", "1000000", "0.25",
// "1e-05", "1.5e+300". The text round-trips to the same double.
void AppendDouble(std::string& out, double v);
std::string FormatDouble(double v);

}  // namespace eddy::metrics::internal
