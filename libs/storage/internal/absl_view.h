// Debian 12's Abseil (20220623) has its own absl::string_view, distinct from std::string_view, so
// absl::StrCat and friends do not accept ours. AV and SV convert at those call sites (STYLE.md: convert in
// one helper).
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace eddy::storage::internal {

inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }
// SV converts the other way (Status::message() and friends).
inline std::string_view SV(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace eddy::storage::internal
