#pragma once

// GrpcServer: the one way an Eddy daemon serves gRPC. It wraps grpc::Server with our conventions:
// callback-API services, a host:port from config (port 0 picks an ephemeral port, reported by
// port()), TLS from TlsOptions, a message-size cap, keepalive settings matching ChannelCache, and a
// bounded graceful shutdown. SO_REUSEPORT is off, so binding a port that is already taken fails
// instead of silently sharing it.
//
// Lifecycle: construct → AddService (any number) → Start → ... → Shutdown (or destroy).
// Thread-safety: AddService and Start must be called from one thread before serving;
// port(), InProcessChannel() and Shutdown() are thread-safe after Start.

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/server.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/rpc/tls.h"

namespace eddy::rpc {

// ServerOptions configures one GrpcServer.
struct ServerOptions {
  std::string host = "127.0.0.1";   // Address to bind; "0.0.0.0" / "::" for all interfaces.
  int port = 0;                      // 0 = ephemeral; see GrpcServer::port(). Bounds [0, 65535].
  TlsOptions tls;                    // Plaintext when no file is set.
  int max_message_bytes = 64 << 20;  // Max size of one message, each direction. Bytes, > 0.
};

// GrpcServer serves the added callback services on one address.
class GrpcServer {
 public:
  explicit GrpcServer(ServerOptions options);
  // Equivalent to Shutdown(absl::ZeroDuration()): in-flight calls are cancelled.
  ~GrpcServer();

  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // AddService registers `service` (not owned; must outlive the server).
  // REQUIRES: Start has not been called.
  void AddService(grpc::Service* service);

  // Start loads TLS credentials, binds and starts serving.
  // Errors: kInvalidArgument for bad options or TLS files; kUnavailable when the address cannot be
  // bound (the message names host:port); kFailedPrecondition when called twice or without any
  // service (gRPC cannot run a server with nothing to serve).
  absl::Status Start();

  // port is the bound port (the ephemeral one when options.port was 0), or 0 before Start.
  int port() const;

  // target is "host:port" of the bound address, for building client channels in tests.
  std::string target() const;

  // Shutdown stops accepting calls, lets in-flight calls finish for up to `grace`, then cancels
  // the rest and waits for their handlers to complete (callback reactors must Finish on OnCancel).
  // Idempotent; a no-op before Start.
  void Shutdown(absl::Duration grace);

  // InProcessChannel returns a channel to this server that bypasses the network (no TLS).
  // Returns nullptr unless Start succeeded and Shutdown has not been called.
  std::shared_ptr<grpc::Channel> InProcessChannel();

 private:
  const ServerOptions options_;
  std::vector<grpc::Service*> services_;
  int port_ = 0;
  mutable absl::Mutex mu_;
  std::unique_ptr<grpc::Server> server_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace eddy::rpc
