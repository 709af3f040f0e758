#include "services/registry/rest_router.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace eddy::registry {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.starts_with('/')) path.remove_prefix(1);
  if (path.ends_with('/')) path.remove_suffix(1);
  if (path.empty()) return segments;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    segments.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> RestRequest::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

bool RestRequest::Flag(std::string_view name, bool fallback) const {
  std::optional<std::string> value = Query(name);
  if (!value.has_value()) return fallback;
  return absl::AsciiStrToLower(*value) == "true";
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

void RestRouter::Add(std::string_view method, std::string_view pattern, RestHandler handler) {
  Route route;
  route.method = std::string(method);
  route.pattern = std::string(pattern);
  for (std::string_view segment : SplitPath(pattern)) route.segments.emplace_back(segment);
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

void RestRouter::AddWrite(std::string_view method, std::string_view pattern, RestHandler handler) {
  Add(method, pattern, std::move(handler));
  routes_.back().writes = true;
}

RestRouter::Match RestRouter::Find(std::string_view method, std::string_view path) const {
  const std::vector<std::string_view> segments = SplitPath(path);
  Match match;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool matches = true;
    for (size_t i = 0; i < segments.size() && matches; ++i) {
      const std::string& want = route.segments[i];
      matches = want.starts_with('{') || want == segments[i];
    }
    if (!matches) continue;
    if (route.method != method) {
      match.path_known = true;
      continue;
    }
    match.route = &route;
    for (size_t i = 0; i < segments.size(); ++i) {
      if (route.segments[i].starts_with('{')) match.params.push_back(PercentDecode(segments[i]));
    }
    return match;
  }
  return match;
}

}  // namespace eddy::registry
