#include "services/registry/rest_dispatch.h"

#include <exception>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/registry/registry_errors.h"
#include "services/registry/rest_json.h"
#include "spdlog/spdlog.h"

namespace eddy::registry {
namespace {

constexpr char kV1Json[] = "application/vnd.schemaregistry.v1+json";
constexpr char kAnyJson[] = "application/vnd.schemaregistry+json";
constexpr char kPlainJson[] = "application/json";
constexpr char kOctetStream[] = "application/octet-stream";

// MediaType returns the lower-cased type/subtype of a header value item, without parameters.
std::string MediaType(absl::string_view item) {
  return absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(item.substr(0, std::min(item.find(';'), item.size()))));
}

// NegotiateResponseType returns the response media type for an Accept header, or "" for 406.
std::string NegotiateResponseType(std::string_view accept) {
  if (accept.empty()) return kV1Json;
  bool wildcard = false;
  for (absl::string_view item :
       absl::StrSplit(absl::string_view(accept.data(), accept.size()), ',')) {
    const std::string type = MediaType(item);
    if (type == kV1Json || type == kAnyJson || type == kPlainJson) return type;
    if (type == "*/*" || type == "application/*") wildcard = true;
  }
  return wildcard ? kV1Json : "";
}

bool AcceptedRequestType(std::string_view content_type) {
  if (content_type.empty()) return true;
  const std::string type = MediaType(absl::string_view(content_type.data(), content_type.size()));
  return type == kV1Json || type == kAnyJson || type == kPlainJson || type == kOctetStream;
}

}  // namespace

RestResponse Dispatch(const RestRouter& router, const RestCall& call, RestForwarder* forwarder) {
  RestResponse response;
  response.content_type = NegotiateResponseType(call.accept);
  if (response.content_type.empty()) {
    response.content_type = kV1Json;
    response.status = 406;
    response.body = ErrorBody(406, "HTTP 406 Not Acceptable");
    return response;
  }
  // HEAD is GET without the body (the HTTP layer drops it), as JAX-RS provides it.
  RestRouter::Match match =
      router.Find(call.method == "HEAD" ? std::string_view("GET") : call.method, call.path);
  if (match.route == nullptr) {
    response.status = match.path_known ? 405 : 404;
    response.body = ErrorBody(
        response.status, match.path_known ? "HTTP 405 Method Not Allowed" : "HTTP 404 Not Found");
    return response;
  }
  response.route = match.route->pattern;
  if ((call.method == "POST" || call.method == "PUT") && !AcceptedRequestType(call.content_type)) {
    response.status = 415;
    response.body = ErrorBody(415, "HTTP 415 Unsupported Media Type");
    return response;
  }
  std::optional<absl::StatusOr<RestReply>> reply;
  if (match.route->writes && forwarder != nullptr) reply = forwarder->Forward(call);
  if (!reply.has_value()) {
    RestRequest request{std::move(match.params), call.query, call.body};
    try {
      reply = match.route->handler(request);
    } catch (const std::exception& e) {
      // Handlers report errors as Status; an exception here is a bug, answered as Confluent
      // answers unexpected failures rather than ending the process.
      spdlog::error("registry REST {} {}: {}", call.method, call.path, e.what());
      reply = absl::InternalError(absl::StrCat("Internal Server Error: ", e.what()));
    }
  }
  if (reply->ok()) {
    response.status = (*reply)->status;
    response.body = std::move((*reply)->body);
  } else {
    const int code = ErrorCodeOf(reply->status());
    response.status = HttpStatusFor(code);
    response.body = ErrorBody(code, std::string(reply->status().message()));
  }
  return response;
}

}  // namespace eddy::registry
