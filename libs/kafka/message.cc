#include "libs/kafka/message.h"

#include "absl/strings/str_cat.h"

namespace eddy::kafka::internal {

absl::Status UnsupportedVersion(std::string_view message, int16_t version) {
  return absl::InvalidArgumentError(
      absl::StrCat(absl::string_view(message.data(), message.size()), ": unsupported version ",
                   version));
}

absl::Status NotInVersion(std::string_view field, int16_t version) {
  return absl::InvalidArgumentError(absl::StrCat(absl::string_view(field.data(), field.size()),
                                                 ": non-default value cannot be written at version ",
                                                 version));
}

std::string VersionPrefix(std::string_view message, int16_t version) {
  return absl::StrCat(absl::string_view(message.data(), message.size()), " v", version, ": ");
}

}  // namespace eddy::kafka::internal
