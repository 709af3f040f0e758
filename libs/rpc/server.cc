#include "libs/rpc/server.h"

#include <utility>

#include <grpc/grpc.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/strings/str_cat.h"
#include "libs/rpc/internal/keepalive.h"

namespace eddy::rpc {
namespace {

// HostPort joins host and port, bracketing a bare IPv6 literal.
std::string HostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos && !host.starts_with('[')) {
    return absl::StrCat("[", host, "]:", port);
  }
  return absl::StrCat(host, ":", port);
}

}  // namespace

GrpcServer::GrpcServer(ServerOptions options) : options_(std::move(options)) {}

GrpcServer::~GrpcServer() { Shutdown(absl::ZeroDuration()); }

void GrpcServer::AddService(grpc::Service* service) { services_.push_back(service); }

absl::Status GrpcServer::Start() {
  absl::MutexLock lock(&mu_);
  if (server_ != nullptr || shut_down_) {
    return absl::FailedPreconditionError("GrpcServer::Start called twice");
  }
  if (services_.empty()) {
    return absl::FailedPreconditionError("GrpcServer::Start called without any service");
  }
  if (options_.port < 0 || options_.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("gRPC port ", options_.port, " out of range"));
  }
  if (options_.max_message_bytes <= 0) {
    return absl::InvalidArgumentError("gRPC max_message_bytes must be positive");
  }
  auto credentials = MakeServerCredentials(options_.tls);
  if (!credentials.ok()) return credentials.status();

  const std::string address = HostPort(options_.host, options_.port);
  grpc::ServerBuilder builder;
  int selected_port = 0;
  builder.AddListeningPort(address, *credentials, &selected_port);
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(
                                 internal::kServerMinPingInterval)));
  for (grpc::Service* service : services_) builder.RegisterService(service);

  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || selected_port == 0) {
    if (server != nullptr) server->Shutdown();
    return absl::UnavailableError(
        absl::StrCat("gRPC server cannot bind ", address, " (address in use or not local?)"));
  }
  port_ = selected_port;
  server_ = std::move(server);
  return absl::OkStatus();
}

int GrpcServer::port() const {
  absl::MutexLock lock(&mu_);
  return port_;
}

std::string GrpcServer::target() const { return HostPort(options_.host, port()); }

void GrpcServer::Shutdown(absl::Duration grace) {
  std::unique_ptr<grpc::Server> server;
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
    server = std::move(server_);
  }
  if (server == nullptr) return;
  if (grace < absl::ZeroDuration()) grace = absl::ZeroDuration();
  // Returns once every call is done: in-flight ones get until the deadline, then are cancelled.
  server->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server->Wait();
}

std::shared_ptr<grpc::Channel> GrpcServer::InProcessChannel() {
  absl::MutexLock lock(&mu_);
  if (server_ == nullptr) return nullptr;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options_.max_message_bytes);
  args.SetMaxSendMessageSize(options_.max_message_bytes);
  return server_->InProcessChannel(args);
}

}  // namespace eddy::rpc
