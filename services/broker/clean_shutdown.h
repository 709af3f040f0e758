// The clean-shutdown marker (Kafka's CleanShutdownFileHandler, KIP-966): after every partition log
// closed cleanly the broker writes the member epoch it held into <log-dir>/.eddy_cleanshutdown; at
// the next start it takes (reads and removes) that epoch and sends it as
// RegisterMemberRequest.previous_member_epoch. The controller then knows the broker's replicas lost
// nothing unflushed and keeps them eligible leaders (ELR); a crash leaves no marker, so the restart
// counts as unclean. The marker is removed durably before the broker serves, so a crash in the new
// run is never mistaken for a clean stop.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/storage/file_system.h"

namespace eddy::broker {

// kCleanShutdownFile is the marker's name inside the log directory.
inline constexpr char kCleanShutdownFile[] = ".eddy_cleanshutdown";

// WriteCleanShutdownMarker records `member_epoch` (atomically, fsynced).
absl::Status WriteCleanShutdownMarker(storage::FileSystem& fs, const std::string& log_dir,
                                      int64_t member_epoch);

// TakeCleanShutdownMarker returns the recorded epoch and removes the marker (durably); 0 (Kafka's
// "unknown") when there is none or it cannot be parsed.
absl::StatusOr<int64_t> TakeCleanShutdownMarker(storage::FileSystem& fs,
                                                const std::string& log_dir);

}  // namespace eddy::broker
