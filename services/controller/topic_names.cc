#include "services/controller/topic_names.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace eddy::controller {
namespace {

bool IsLegalChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

std::optional<std::string> TopicNameError(std::string_view name) {
  if (name.empty()) return std::string("Topic name is illegal, it can't be empty");
  if (name == "." || name == "..") return std::string("Topic name cannot be \".\" or \"..\"");
  const std::string text(name);
  if (name.size() > kMaxTopicNameLength) {
    return absl::StrCat("Topic name is illegal, it can't be longer than ", kMaxTopicNameLength,
                        " characters, topic name: ", text);
  }
  if (!std::all_of(name.begin(), name.end(), IsLegalChar)) {
    return absl::StrCat("Topic name \"", text,
                        "\" is illegal, it contains a character other than ASCII alphanumerics, "
                        "'.', '_' and '-'");
  }
  return std::nullopt;
}

bool HasCollisionChars(std::string_view name) {
  return name.find_first_of("._") != std::string_view::npos;
}

std::string UnifyCollisionChars(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '.', '_');
  return out;
}

bool IsInternalTopic(std::string_view name) {
  return name == kOffsetsTopic || name == kTransactionStateTopic;
}

}  // namespace eddy::controller
