#include "services/broker/clean_shutdown.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/common/status_macros.h"
#include "libs/storage/atomic_file.h"
#include "spdlog/spdlog.h"

namespace eddy::broker {

namespace {

// The marker holds Kafka's JSON layout, so an operator who knows Kafka's log directories reads it.
constexpr char kPrefix[] = "{\"version\":0,\"brokerEpoch\":";

std::string MarkerPath(const std::string& log_dir) {
  return absl::StrCat(log_dir, "/", kCleanShutdownFile);
}

}  // namespace

absl::Status WriteCleanShutdownMarker(storage::FileSystem& fs, const std::string& log_dir,
                                      int64_t member_epoch) {
  return storage::WriteFileAtomically(fs, MarkerPath(log_dir),
                                      absl::StrCat(kPrefix, member_epoch, "}\n"));
}

absl::StatusOr<int64_t> TakeCleanShutdownMarker(storage::FileSystem& fs,
                                                const std::string& log_dir) {
  const std::string path = MarkerPath(log_dir);
  if (!fs.Exists(path)) return 0;
  EDDY_ASSIGN_OR_RETURN(std::string contents, storage::ReadWholeFile(fs, path));
  int64_t epoch = 0;
  absl::string_view text = absl::StripAsciiWhitespace(contents);
  if (!absl::ConsumePrefix(&text, kPrefix) || !absl::ConsumeSuffix(&text, "}") ||
      !absl::SimpleAtoi(text, &epoch) || epoch < 0) {
    spdlog::warn("{}: unreadable clean-shutdown marker '{}'; treating the last stop as unclean",
                 path, contents);
    epoch = 0;
  }
  EDDY_RETURN_IF_ERROR(fs.Remove(path));
  EDDY_RETURN_IF_ERROR(fs.SyncDir(log_dir));
  return epoch;
}

}  // namespace eddy::broker
