// The deterministic contents the RocksDB crash writer saves and the kill test verifies: an entry's
// data and a snapshot's data are functions of (index, term), so the checker needs no record of
// what the killed process wrote. Sizes vary with the index so entries straddle RocksDB blocks.
#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "libs/raft/types.h"

namespace eddy::raft {

inline std::string CrashPayload(LogIndex index, Term term) {
  std::string data = absl::StrCat("entry ", index.value(), " term ", term.value(), " ");
  data.append(static_cast<size_t>(index.value() % 97) * 7,
              static_cast<char>('a' + index.value() % 26));
  return data;
}

inline std::string CrashSnapshotData(LogIndex index, Term term) {
  return absl::StrCat("snapshot ", index.value(), " term ", term.value());
}

}  // namespace eddy::raft
