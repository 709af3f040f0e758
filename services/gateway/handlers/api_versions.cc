// ApiVersions (key 18; KIP-35, KIP-511; kafka-protocol.md §2.5). Any version is answered: one above
// our maximum gets the v0-format UNSUPPORTED_VERSION answer listing only ApiVersions' own range, so
// the client retries with a version we speak. v3+ clients name their software, which must match
// Kafka's pattern or the answer is INVALID_REQUEST.
#include "libs/kafka/error_codes.h"
#include "libs/kafka/messages/api_versions.h"
#include "re2/re2.h"
#include "services/gateway/api_support.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {
namespace {

bool ValidSoftwareField(const std::string& value) {
  static const re2::RE2 kPattern("[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?");
  return re2::RE2::FullMatch(value, kPattern);
}

}  // namespace

absl::Status HandleApiVersions(GatewayContext&, ClientInfo& client,
                               const kafka::RequestHeader& header, kafka::Reader& body,
                               Responder responder) {
  const SupportedApi* self = FindSupportedApi(kafka::kApiVersionsKey);
  kafka::ApiVersionsResponse response;
  if (header.api_version > self->max_version) {
    // The body of an unknown version is not parsed; the answer is v0 whatever was asked.
    response.error_code = kafka::ToInt(kafka::ErrorCode::kUnsupportedVersion);
    response.api_keys.push_back({.api_key = kafka::kApiVersionsKey,
                                 .min_version = self->min_version,
                                 .max_version = self->max_version});
    std::string frame;
    const size_t start = kafka::BeginFrame(frame);
    kafka::Writer writer(&frame);
    absl::Status status =
        kafka::EncodeResponseHeader({.correlation_id = header.correlation_id},
                                    kafka::kApiVersionsKey, 0, writer);
    if (status.ok()) status = response.Encode(writer, 0);
    if (status.ok()) status = kafka::EndFrame(frame, start);
    if (!status.ok()) return status;
    responder.Error(response.error_code);
    responder.RespondRaw(std::move(frame));
    return absl::OkStatus();
  }
  absl::StatusOr<kafka::ApiVersionsRequest> request =
      DecodeBody<kafka::ApiVersionsRequest>(header, body);
  if (!request.ok()) return request.status();
  if (header.api_version >= 3) {
    if (!ValidSoftwareField(request->client_software_name) ||
        !ValidSoftwareField(request->client_software_version)) {
      response.error_code = kafka::ToInt(kafka::ErrorCode::kInvalidRequest);
      responder.Error(response.error_code);
      responder.Respond(response);
      return absl::OkStatus();
    }
    client.software_name = request->client_software_name;
    client.software_version = request->client_software_version;
  }
  for (const SupportedApi& api : SupportedApis()) {
    response.api_keys.push_back({.api_key = api.api_key,
                                 .min_version = api.min_version,
                                 .max_version = api.max_version});
  }
  responder.Respond(response);
  return absl::OkStatus();
}

}  // namespace eddy::gateway
