// RestRouter: the registry's REST routes, matched the way Confluent's Jersey resources match them.
// A route is a method and a path pattern ("/subjects/{subject}/versions/{version}"); matching
// splits the raw path on '/', percent-decodes each segment (so "%2F" inside a subject stays part
// of it) and ignores one trailing slash. A path that matches no pattern is 404, one that matches
// a pattern under another method 405, both with Confluent's {"error_code", "message"} body.
//
// Handlers get the decoded path parameters, the query parameters and the body, and return a
// RestReply or a Status made by RegistryError/HttpError (registry_errors.h).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace eddy::registry {

struct RestRequest {
  std::vector<std::string> params;  // path parameters in pattern order
  std::multimap<std::string, std::string> query;
  std::string_view body;

  // Query returns the first value of query parameter `name`.
  std::optional<std::string> Query(std::string_view name) const;
  // Flag reads a boolean query parameter as JAX-RS does: "true" in any case is true, any other
  // value false; an absent parameter is `fallback`.
  bool Flag(std::string_view name, bool fallback = false) const;
};

struct RestReply {
  int status = 200;
  std::string body;  // JSON text
};

using RestHandler = std::function<absl::StatusOr<RestReply>(const RestRequest&)>;

class RestRouter {
 public:
  struct Route {
    std::string method;
    std::string pattern;                // as registered; the metrics label
    std::vector<std::string> segments;  // "{x}" segments are parameters
    RestHandler handler;
    // The route changes the registry's state: a replicated registry runs it on the leader.
    bool writes = false;
  };

  struct Match {
    const Route* route = nullptr;  // null: no route for this method and path
    bool path_known = false;       // some route has this path under another method (405)
    std::vector<std::string> params;
  };

  // Add registers `handler` for `method` and `pattern`. REQUIRES: pattern starts with '/'.
  void Add(std::string_view method, std::string_view pattern, RestHandler handler);
  // AddWrite is Add for a route that changes state (register, delete, config and mode changes).
  void AddWrite(std::string_view method, std::string_view pattern, RestHandler handler);

  // Find matches `method` and a raw (still percent-encoded, query-free) `path`.
  Match Find(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// PercentDecode decodes %XX escapes (and nothing else: '+' stays '+', as in a URL path).
// Malformed escapes are kept literally.
std::string PercentDecode(std::string_view text);

}  // namespace eddy::registry
