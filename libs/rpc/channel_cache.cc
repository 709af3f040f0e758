#include "libs/rpc/channel_cache.h"

#include <utility>

#include <grpc/grpc.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/support/channel_arguments.h>

#include "libs/rpc/internal/keepalive.h"

namespace eddy::rpc {
namespace {

int Millis(absl::Duration d) { return static_cast<int>(absl::ToInt64Milliseconds(d)); }

}  // namespace

ChannelCache::ChannelCache(std::shared_ptr<grpc::ChannelCredentials> credentials,
                           ChannelOptions options)
    : credentials_(std::move(credentials)), options_(options) {}

std::shared_ptr<grpc::Channel> ChannelCache::Get(std::string_view target) {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(target);
  if (it != channels_.end()) return it->second;

  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options_.max_message_bytes);
  args.SetMaxSendMessageSize(options_.max_message_bytes);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, Millis(internal::kClientKeepaliveTime));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, Millis(internal::kClientKeepaliveTimeout));
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, Millis(options_.min_reconnect_backoff));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, Millis(options_.min_reconnect_backoff));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, Millis(options_.max_reconnect_backoff));
  std::string key(target);
  auto channel = grpc::CreateCustomChannel(key, credentials_, args);
  channels_.emplace(std::move(key), channel);
  return channel;
}

void ChannelCache::Erase(std::string_view target) {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(target);
  if (it != channels_.end()) channels_.erase(it);
}

size_t ChannelCache::size() const {
  absl::MutexLock lock(&mu_);
  return channels_.size();
}

}  // namespace eddy::rpc
