#include "services/controller/cluster_id.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/uuid.h"

namespace eddy::controller {

absl::StatusOr<std::string> ProposedClusterId(const std::string& data_dir) {
  const std::string path = absl::StrCat(data_dir, "/cluster_id");
  std::ifstream in(path);
  if (!in) return common::Uuid::Random().ToString();
  std::stringstream contents;
  contents << in.rdbuf();
  std::string id(absl::StripAsciiWhitespace(contents.str()));
  if (!common::Uuid::Parse(id).ok()) {
    return absl::DataLossError(absl::StrCat(path, " does not hold a cluster id: \"", id, "\""));
  }
  return id;
}

}  // namespace eddy::controller
