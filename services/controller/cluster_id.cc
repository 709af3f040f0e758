#include "services/controller/cluster_id.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/uuid.h"
#include "libs/storage/atomic_file.h"

namespace eddy::controller {

absl::StatusOr<std::string> LoadOrCreateClusterId(const std::string& data_dir) {
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot create data directory ", data_dir, ": ", error.message()));
  }
  const std::string path = absl::StrCat(data_dir, "/cluster_id");
  std::ifstream in(path);
  if (in) {
    std::stringstream contents;
    contents << in.rdbuf();
    std::string id(absl::StripAsciiWhitespace(contents.str()));
    if (!common::Uuid::Parse(id).ok()) {
      return absl::DataLossError(absl::StrCat(path, " does not hold a cluster id: \"", id, "\""));
    }
    return id;
  }
  std::string id = common::Uuid::Random().ToString();
  if (absl::Status status =
          storage::WriteFileAtomically(storage::PosixFileSystem(), path, id + "\n");
      !status.ok()) {
    return status;
  }
  return id;
}

}  // namespace eddy::controller
