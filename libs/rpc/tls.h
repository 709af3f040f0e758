#pragma once

// TLS credentials for Eddy's internal gRPC traffic, loaded from PEM files.
//
// A TlsOptions with no file set means plaintext (insecure credentials), which is what tests and
// single-host development use. A server with TLS needs cert_file and key_file; adding ca_file makes
// it require and verify client certificates (mutual TLS). A client with TLS verifies the server
// against ca_file (or the system roots when ca_file is empty) and presents cert_file/key_file as
// its client certificate when both are set. Every file problem is reported as kInvalidArgument
// naming the offending path, so a misconfigured daemon fails at startup with a useful message.

#include <memory>
#include <string>

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include "absl/status/statusor.h"

namespace eddy::rpc {

// TlsOptions names the PEM files of one side of a connection. Paths are used as given.
struct TlsOptions {
  std::string cert_file;  // Certificate chain presented to the peer.
  std::string key_file;   // Private key of cert_file.
  std::string ca_file;    // Roots used to verify the peer; on a server it also turns on mTLS.

  // enabled is true when any file is set.
  bool enabled() const { return !cert_file.empty() || !key_file.empty() || !ca_file.empty(); }
};

// MakeServerCredentials returns insecure credentials when !tls.enabled(), else SSL credentials.
// Errors: kInvalidArgument when cert_file or key_file is missing from the options or a file cannot
// be read (the message names the path).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsOptions& tls);

// MakeChannelCredentials returns insecure credentials when !tls.enabled(), else SSL credentials.
// Errors: kInvalidArgument when only one of cert_file/key_file is set or a file cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const TlsOptions& tls);

}  // namespace eddy::rpc
