// Dispatch: what the registry answers to one HTTP request, whatever carried it (the REST server's
// socket, or a follower forwarding a write to the leader over gRPC). It does what Confluent's REST
// framework does around its resources:
//  - content negotiation: requests may carry application/vnd.schemaregistry.v1+json,
//    application/vnd.schemaregistry+json, application/json or application/octet-stream (else 415);
//    the response type is the first of the three JSON types the Accept header names (*/* or no
//    Accept gives application/vnd.schemaregistry.v1+json; only other types give 406);
//  - errors: every non-2xx answer, unknown routes included, has the body
//    {"error_code": <code>, "message": <text>};
//  - on a replica that must not write, write routes go to the RestForwarder.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "services/registry/rest_router.h"

namespace eddy::registry {

// RestCall is one HTTP request as the REST layer sees it.
struct RestCall {
  std::string_view method;  // HEAD is served as GET
  std::string_view path;    // raw (still percent-encoded), without the query
  std::multimap<std::string, std::string> query;
  std::string_view body;
  std::string_view content_type;  // the Content-Type header, or empty
  std::string_view accept;        // the Accept header, or empty
};

struct RestResponse {
  int status = 200;
  std::string body;
  std::string content_type;       // the negotiated media type
  std::string route = "unknown";  // the matched pattern, the metrics label
};

// RestForwarder runs write routes where they must run (a replicated registry's leader).
class RestForwarder {
 public:
  virtual ~RestForwarder() = default;
  // Forward returns nullopt when this replica runs the write itself, else the reply the leader
  // gave, or why forwarding failed (50003, or 50004 when no leader is known).
  virtual std::optional<absl::StatusOr<RestReply>> Forward(const RestCall& call) = 0;
};

// Dispatch answers `call` from `router`, forwarding writes through `forwarder` (may be null).
RestResponse Dispatch(const RestRouter& router, const RestCall& call, RestForwarder* forwarder);

}  // namespace eddy::registry
