#include "libs/rpc/tls.h"

#include <fstream>
#include <sstream>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace eddy::rpc {
namespace {

// ReadPemFile returns the contents of `path` (what = "cert_file", ... for the message).
absl::StatusOr<std::string> ReadPemFile(const char* what, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS ", what, " '", path, "' cannot be opened"));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat("TLS ", what, " '", path, "' cannot be read"));
  }
  if (contents.str().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("TLS ", what, " '", path, "' is empty"));
  }
  return contents.str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsOptions& tls) {
  if (!tls.enabled()) return grpc::InsecureServerCredentials();
  if (tls.cert_file.empty() || tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS server needs both cert_file and key_file (ca_file alone is not enough)");
  }
  auto cert = ReadPemFile("cert_file", tls.cert_file);
  if (!cert.ok()) return cert.status();
  auto key = ReadPemFile("key_file", tls.key_file);
  if (!key.ok()) return key.status();

  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({*std::move(key), *std::move(cert)});
  if (!tls.ca_file.empty()) {
    auto ca = ReadPemFile("ca_file", tls.ca_file);
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *std::move(ca);
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  } else {
    options.client_certificate_request = GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
  }
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const TlsOptions& tls) {
  if (!tls.enabled()) return grpc::InsecureChannelCredentials();
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS client certificate needs both cert_file and key_file, or neither");
  }
  grpc::SslCredentialsOptions options;
  if (!tls.ca_file.empty()) {
    auto ca = ReadPemFile("ca_file", tls.ca_file);
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *std::move(ca);
  }
  if (!tls.cert_file.empty()) {
    auto cert = ReadPemFile("cert_file", tls.cert_file);
    if (!cert.ok()) return cert.status();
    auto key = ReadPemFile("key_file", tls.key_file);
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *std::move(cert);
    options.pem_private_key = *std::move(key);
  }
  return grpc::SslCredentials(options);
}

}  // namespace eddy::rpc
