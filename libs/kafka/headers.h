// Kafka request and response headers (protocol guide; KIP-482, KIP-511). Request header v1 is
// api_key, api_version, correlation_id, client_id (NULLABLE_STRING); v2 adds a tagged-field
// section but keeps client_id's INT16 length. A request uses v2 exactly when its version is
// flexible. Response header v0 is the correlation id; v1 adds tagged fields and is used for
// flexible responses — except ApiVersions, whose response header is always v0 so a client can read
// it before knowing the broker's versions. Request header v0 (ControlledShutdown v0 only) is not
// supported: that API is internal to Kafka.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/kafka/reader.h"
#include "libs/kafka/tagged_fields.h"
#include "libs/kafka/writer.h"

namespace eddy::kafka {

inline constexpr int16_t kApiVersionsKey = 18;

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
  UnknownTaggedFields unknown_tagged_fields;  // header v2 only

  friend bool operator==(const RequestHeader&, const RequestHeader&) = default;
};

struct ResponseHeader {
  int32_t correlation_id = 0;
  UnknownTaggedFields unknown_tagged_fields;  // header v1 only

  friend bool operator==(const ResponseHeader&, const ResponseHeader&) = default;
};

// RequestHeaderVersion returns 2 for a flexible request version, else 1. Versions above the
// implemented maximum count as flexible when the API has flexible versions (Kafka does the same,
// which matters for ApiVersions probes with a too-new version). Unknown api key → NotFound.
absl::StatusOr<int16_t> RequestHeaderVersion(int16_t api_key, int16_t api_version);
// ResponseHeaderVersion returns 1 for a flexible response version, else 0; ApiVersions is always 0.
absl::StatusOr<int16_t> ResponseHeaderVersion(int16_t api_key, int16_t api_version);

// DecodeRequestHeader reads a request header, choosing v1/v2 from the api key and version it reads.
absl::StatusOr<RequestHeader> DecodeRequestHeader(Reader& reader);
absl::Status EncodeRequestHeader(const RequestHeader& header, Writer& writer);

absl::StatusOr<ResponseHeader> DecodeResponseHeader(Reader& reader, int16_t api_key,
                                                    int16_t api_version);
absl::Status EncodeResponseHeader(const ResponseHeader& header, int16_t api_key,
                                  int16_t api_version, Writer& writer);

}  // namespace eddy::kafka
