// Checkpoint files in Kafka's text format, so an operator who knows Kafka's log directories can read
// ours: a version line ("0"), an entry-count line, then one entry per line with space-separated fields.
// Files are replaced atomically (libs/storage/atomic_file.h) and validated on read: a wrong version,
// count or malformed line is DataLoss naming the file, never silently ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/storage/file_system.h"

namespace eddy::storage {

// CheckpointEntry is one line of int64 fields (e.g. {offset} or {epoch, start_offset}).
using CheckpointEntry = std::vector<int64_t>;

// WriteCheckpoint atomically replaces `path` with `entries`, each having `fields` fields.
absl::Status WriteCheckpoint(FileSystem& fs, const std::string& path,
                             const std::vector<CheckpointEntry>& entries);

// ReadCheckpoint parses `path`, requiring every entry to have `fields` fields. Returns nullopt if the
// file does not exist (a fresh log).
absl::StatusOr<std::optional<std::vector<CheckpointEntry>>> ReadCheckpoint(FileSystem& fs,
                                                                           const std::string& path,
                                                                           size_t fields);

}  // namespace eddy::storage
