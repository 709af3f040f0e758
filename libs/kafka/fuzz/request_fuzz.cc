// libFuzzer target: a request frame payload (header + body) for any API and version, as the
// gateway receives it. Properties: decoding never crashes or over-reads (ASan/UBSan), and whatever
// decodes re-encodes to bytes that decode again to the same re-encoding.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "libs/kafka/api_table.h"
#include "libs/kafka/headers.h"
#include "libs/kafka/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace eddy::kafka;
  Reader reader(data, size);
  absl::StatusOr<RequestHeader> header = DecodeRequestHeader(reader);
  if (!header.ok()) return 0;
  const std::span<const uint8_t> body = reader.Rest();
  absl::StatusOr<std::string> once =
      ReencodeMessage(header->api_key, header->api_version, /*response=*/false, body);
  if (!once.ok()) return 0;
  absl::StatusOr<std::string> twice = ReencodeMessage(
      header->api_key, header->api_version, false,
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(once->data()), once->size()));
  if (!twice.ok() || *twice != *once) __builtin_trap();
  // The same bytes read as a response body exercise the response decoders too.
  ReencodeMessage(header->api_key, header->api_version, /*response=*/true, body)
      .status()
      .IgnoreError();
  return 0;
}
