// Atomic whole-file replacement for checkpoint files (recovery point, log start offset, leader-epoch
// cache, producer-state snapshots). Invariant: after a crash at any point, `path` holds either its
// previous complete contents or the new complete contents, never a mix, never a torn file.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "libs/storage/file_system.h"

namespace eddy::storage {

// WriteFileAtomically writes `contents` to `path` + ".tmp", fsyncs it, renames it over `path` and
// fsyncs the parent directory, so the rename itself is durable before the call returns. A stale
// ".tmp" from an earlier crash is overwritten.
absl::Status WriteFileAtomically(FileSystem& fs, const std::string& path, std::string_view contents);

// kTempSuffix marks a half-written atomic file; log recovery deletes such leftovers.
inline constexpr std::string_view kTempSuffix = ".tmp";

}  // namespace eddy::storage
