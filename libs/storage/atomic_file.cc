#include "libs/storage/atomic_file.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/storage/internal/absl_view.h"

namespace eddy::storage {

absl::Status WriteFileAtomically(FileSystem& fs, const std::string& path, std::string_view contents) {
  const std::string tmp = absl::StrCat(path, internal::AV(kTempSuffix));
  {
    EDDY_ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs.Open(tmp, OpenMode::kCreateTruncate));
    EDDY_RETURN_IF_ERROR(file->Append(contents));
    EDDY_RETURN_IF_ERROR(file->Sync());
  }
  EDDY_RETURN_IF_ERROR(fs.Rename(tmp, path));
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  return fs.SyncDir(dir);
}

}  // namespace eddy::storage
