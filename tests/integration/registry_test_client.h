// RegistryClient: a small HTTP client for the registry integration tests. It speaks to a real
// eddy-registry's Confluent REST API and returns the status, content type and parsed JSON body,
// so tests can assert on exactly what a Confluent client would see.
#pragma once

#include <string>
#include <utility>

#include "httplib.h"
#include "nlohmann/json.hpp"

namespace eddy::testing {

struct RegistryResponse {
  int status = 0;  // 0: no answer (connection failed)
  std::string content_type;
  std::string raw;
  nlohmann::json json;  // discarded when the body is not JSON

  int error_code() const {
    return json.is_object() && json.contains("error_code") ? json["error_code"].get<int>() : 0;
  }
};

class RegistryClient {
 public:
  static constexpr char kV1Json[] = "application/vnd.schemaregistry.v1+json";

  explicit RegistryClient(int port) : client_("127.0.0.1", port) {
    client_.set_connection_timeout(2, 0);
    client_.set_read_timeout(30, 0);
    client_.set_write_timeout(30, 0);
  }

  RegistryResponse Get(const std::string& path, const std::string& accept = "") {
    return Wrap(client_.Get(path, Headers(accept)));
  }
  RegistryResponse Delete(const std::string& path) { return Wrap(client_.Delete(path)); }
  RegistryResponse Post(const std::string& path, const std::string& body,
                        const std::string& content_type = kV1Json,
                        const std::string& accept = "") {
    return Wrap(client_.Post(path, Headers(accept), body, content_type));
  }
  RegistryResponse Post(const std::string& path, const nlohmann::json& body) {
    return Post(path, body.dump());
  }
  RegistryResponse Put(const std::string& path, const nlohmann::json& body) {
    return Wrap(client_.Put(path, body.dump(), kV1Json));
  }

 private:
  static httplib::Headers Headers(const std::string& accept) {
    httplib::Headers headers;
    if (!accept.empty()) headers.emplace("Accept", accept);
    return headers;
  }

  static RegistryResponse Wrap(const httplib::Result& result) {
    RegistryResponse response;
    if (!result) return response;
    response.status = result->status;
    response.content_type = result->get_header_value("Content-Type");
    response.raw = result->body;
    response.json = nlohmann::json::parse(result->body, nullptr, false);
    return response;
  }

  httplib::Client client_;
};

// AvroRecord returns a record schema named `name` with one string field per name in `fields`, in
// the registry's canonical form (Avro's attribute order, compact), so it is returned unchanged.
inline std::string AvroRecord(const std::string& name, const std::vector<std::string>& fields) {
  nlohmann::ordered_json schema = {
      {"type", "record"}, {"name", name}, {"fields", nlohmann::ordered_json::array()}};
  for (const std::string& field : fields) {
    schema["fields"].push_back({{"name", field}, {"type", "string"}});
  }
  return schema.dump();
}

}  // namespace eddy::testing
