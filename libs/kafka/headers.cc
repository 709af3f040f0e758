#include "libs/kafka/headers.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/kafka/api_table.h"

namespace eddy::kafka {
namespace {

absl::StatusOr<const ApiInfo*> Lookup(int16_t api_key) {
  const ApiInfo* api = FindApi(api_key);
  if (api == nullptr) return absl::NotFoundError(absl::StrCat("unknown api key ", api_key));
  return api;
}

template <typename Io>
absl::Status TagSection(Io& io, UnknownTaggedFields& tags) {
  return io.Tags(tags, {}, [](auto&, uint32_t) { return absl::OkStatus(); });
}

}  // namespace

absl::StatusOr<int16_t> RequestHeaderVersion(int16_t api_key, int16_t api_version) {
  EDDY_ASSIGN_OR_RETURN(const ApiInfo* api, Lookup(api_key));
  return static_cast<int16_t>(api_version >= api->request_first_flexible ? 2 : 1);
}

absl::StatusOr<int16_t> ResponseHeaderVersion(int16_t api_key, int16_t api_version) {
  EDDY_ASSIGN_OR_RETURN(const ApiInfo* api, Lookup(api_key));
  if (api_key == kApiVersionsKey) return int16_t{0};
  return static_cast<int16_t>(api_version >= api->response_first_flexible ? 1 : 0);
}

absl::StatusOr<RequestHeader> DecodeRequestHeader(Reader& reader) {
  RequestHeader h;
  absl::Status s = reader.Int16(h.api_key, "api_key");
  if (s.ok()) s = reader.Int16(h.api_version, "api_version");
  if (s.ok()) s = reader.Int32(h.correlation_id, "correlation_id");
  if (!s.ok()) return PrefixError(std::move(s), "RequestHeader: ");
  absl::StatusOr<int16_t> version = RequestHeaderVersion(h.api_key, h.api_version);
  if (!version.ok()) return PrefixError(version.status(), "RequestHeader: ");
  // client_id keeps its INT16 length even in header v2 (field-level flexibleVersions "none").
  s = reader.NullableString(h.client_id, /*compact=*/false, /*nullable=*/true, "client_id");
  if (s.ok() && *version >= 2) s = TagSection(reader, h.unknown_tagged_fields);
  if (!s.ok()) return PrefixError(std::move(s), "RequestHeader: ");
  return h;
}

absl::Status EncodeRequestHeader(const RequestHeader& header, Writer& writer) {
  EDDY_ASSIGN_OR_RETURN(int16_t version, RequestHeaderVersion(header.api_key, header.api_version));
  EDDY_RETURN_IF_ERROR(writer.Int16(header.api_key, "api_key"));
  EDDY_RETURN_IF_ERROR(writer.Int16(header.api_version, "api_version"));
  EDDY_RETURN_IF_ERROR(writer.Int32(header.correlation_id, "correlation_id"));
  EDDY_RETURN_IF_ERROR(writer.NullableString(header.client_id, false, true, "client_id"));
  if (version >= 2) {
    EDDY_RETURN_IF_ERROR(writer.Tags(header.unknown_tagged_fields, {},
                                     [](auto&, uint32_t) { return absl::OkStatus(); }));
  }
  return absl::OkStatus();
}

absl::StatusOr<ResponseHeader> DecodeResponseHeader(Reader& reader, int16_t api_key,
                                                    int16_t api_version) {
  EDDY_ASSIGN_OR_RETURN(int16_t version, ResponseHeaderVersion(api_key, api_version));
  ResponseHeader h;
  absl::Status s = reader.Int32(h.correlation_id, "correlation_id");
  if (s.ok() && version >= 1) s = TagSection(reader, h.unknown_tagged_fields);
  if (!s.ok()) return PrefixError(std::move(s), "ResponseHeader: ");
  return h;
}

absl::Status EncodeResponseHeader(const ResponseHeader& header, int16_t api_key,
                                  int16_t api_version, Writer& writer) {
  EDDY_ASSIGN_OR_RETURN(int16_t version, ResponseHeaderVersion(api_key, api_version));
  EDDY_RETURN_IF_ERROR(writer.Int32(header.correlation_id, "correlation_id"));
  if (version >= 1) {
    EDDY_RETURN_IF_ERROR(writer.Tags(header.unknown_tagged_fields, {},
                                     [](auto&, uint32_t) { return absl::OkStatus(); }));
  }
  return absl::OkStatus();
}

}  // namespace eddy::kafka
