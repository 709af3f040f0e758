#include "libs/storage/checkpoint_file.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/storage/atomic_file.h"
#include "libs/storage/internal/absl_view.h"

namespace eddy::storage {
namespace {

constexpr int64_t kCheckpointVersion = 0;

absl::Status Corrupt(const std::string& path, std::string_view why) {
  return absl::DataLossError(absl::StrCat("corrupt checkpoint file ", path, ": ", internal::AV(why)));
}

}  // namespace

absl::Status WriteCheckpoint(FileSystem& fs, const std::string& path,
                             const std::vector<CheckpointEntry>& entries) {
  std::string text = absl::StrCat(kCheckpointVersion, "\n", entries.size(), "\n");
  for (const CheckpointEntry& e : entries) {
    for (size_t i = 0; i < e.size(); ++i) absl::StrAppend(&text, i == 0 ? "" : " ", e[i]);
    text += "\n";
  }
  return WriteFileAtomically(fs, path, text);
}

absl::StatusOr<std::optional<std::vector<CheckpointEntry>>> ReadCheckpoint(FileSystem& fs,
                                                                           const std::string& path,
                                                                           size_t fields) {
  // Opening directly (no existence check first) saves a system call per checkpoint at log open.
  absl::StatusOr<std::string> read = ReadWholeFile(fs, path);
  if (absl::IsNotFound(read.status())) return std::nullopt;
  if (!read.ok()) return read.status();
  const std::string& text = *read;
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  int64_t version = 0, count = 0;
  if (lines.size() < 2 || !absl::SimpleAtoi(lines[0], &version) || !absl::SimpleAtoi(lines[1], &count)) {
    return Corrupt(path, "missing version or count line");
  }
  if (version != kCheckpointVersion) return Corrupt(path, absl::StrCat("unknown version ", version));
  if (count < 0 || static_cast<size_t>(count) != lines.size() - 2) {
    return Corrupt(path, absl::StrCat("count ", count, " but ", lines.size() - 2, " entries"));
  }
  std::vector<CheckpointEntry> entries;
  for (size_t i = 2; i < lines.size(); ++i) {
    std::vector<absl::string_view> parts = absl::StrSplit(lines[i], ' ');
    if (parts.size() != fields) return Corrupt(path, absl::StrCat("bad line ", i + 1));
    CheckpointEntry entry(fields);
    for (size_t f = 0; f < fields; ++f) {
      if (!absl::SimpleAtoi(parts[f], &entry[f])) return Corrupt(path, absl::StrCat("bad line ", i + 1));
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace eddy::storage
