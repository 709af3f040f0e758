// The table of Kafka APIs this library implements (generated from libs/kafka/codegen/defs): for
// each api key its name, the versions the codec handles, where flexible versions begin, and the
// range the reference recommends a gateway advertise (Apache Kafka 4.0.1+ client-facing ranges,
// Produce and JoinGroup from 0; kafka-protocol.md §1.2), capped at what is implemented.
// DecodeRequestBody decodes (and discards) any request body: the validation entry point for fuzzing
// and golden-byte checks.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/kafka/reader.h"

namespace eddy::kafka {

struct ApiInfo {
  int16_t api_key;
  std::string_view name;
  int16_t min_version;  // codec range, inclusive
  int16_t max_version;
  int16_t request_first_flexible;   // kNeverFlexible (message.h) when never flexible
  int16_t response_first_flexible;
  int16_t recommended_min;  // advertised range suggested for the gateway
  int16_t recommended_max;
};

// AllApis lists the implemented APIs in ascending api_key order.
std::span<const ApiInfo> AllApis();

// FindApi returns the entry for `api_key`, or nullptr when the key is not implemented.
const ApiInfo* FindApi(int16_t api_key);

// DecodeRequestBody decodes a request body of `api_key` at `api_version` from `reader`.
absl::Status DecodeRequestBody(int16_t api_key, int16_t api_version, Reader& reader);

// ReencodeMessage decodes `bytes` as exactly one request (or response) body and returns its
// encoding at the same version. Golden-byte tests and fuzz targets use it: for well-formed input
// from a real client the result equals `bytes`.
absl::StatusOr<std::string> ReencodeMessage(int16_t api_key, int16_t api_version, bool response,
                                            std::span<const uint8_t> bytes);

}  // namespace eddy::kafka
