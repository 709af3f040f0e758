#pragma once

// ChannelCache hands out one long-lived grpc::Channel per target ("host:port"), all made with the
// same credentials and arguments. gRPC channels multiplex every call over one HTTP/2 connection and
// reconnect by themselves, so a daemon keeps one per peer for its whole life instead of dialing per
// call. Channels are created lazily and connect on first use.
//
// Channel arguments: message-size cap matching GrpcServer, keepalive pings on open calls (see
// internal/keepalive.h), and a short reconnect backoff so a restarted peer is reachable again
// within about a second rather than gRPC's default of up to two minutes.
//
// Thread-safety: all methods are thread-safe.

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace eddy::rpc {

// ChannelOptions tunes the channels a ChannelCache creates.
struct ChannelOptions {
  int max_message_bytes = 64 << 20;                            // Bytes, > 0; as ServerOptions.
  absl::Duration min_reconnect_backoff = absl::Milliseconds(100);  // First reconnect delay.
  absl::Duration max_reconnect_backoff = absl::Seconds(2);         // Cap on reconnect delay.
};

class ChannelCache {
 public:
  explicit ChannelCache(std::shared_ptr<grpc::ChannelCredentials> credentials,
                        ChannelOptions options = {});

  ChannelCache(const ChannelCache&) = delete;
  ChannelCache& operator=(const ChannelCache&) = delete;

  // Get returns the channel for `target` ("host:port" or any gRPC target URI), creating it on first
  // use. The same target always yields the same channel.
  std::shared_ptr<grpc::Channel> Get(std::string_view target);

  // Erase drops the cached channel for `target` (e.g. a member that left the cluster). Calls in
  // flight on it keep running; the next Get creates a new channel.
  void Erase(std::string_view target);

  // size is the number of cached channels.
  size_t size() const;

 private:
  const std::shared_ptr<grpc::ChannelCredentials> credentials_;
  const ChannelOptions options_;
  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<grpc::Channel>, std::less<>> channels_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace eddy::rpc
