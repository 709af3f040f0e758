#include "services/controller/cluster_id.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/uuid.h"

namespace eddy::controller {
namespace {

absl::Status Errno(const char* what, const std::string& path) {
  return absl::UnavailableError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

absl::Status WriteDurably(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create", tmp);
  bool ok = ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Errno("cannot write", tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Errno("cannot rename to", path);
  const std::string dir = std::filesystem::path(path).parent_path().string();
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return Errno("cannot open", dir);
  ::fsync(dir_fd);
  ::close(dir_fd);
  return absl::OkStatus();
}

}  // namespace

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
  if (absl::Status status = WriteDurably(path, id + "\n"); !status.ok()) return status;
  return id;
}

}  // namespace eddy::controller
