// MetadataFollower keeps the gateway's ClusterView current. One thread follows the controllers'
// WatchMetadata stream (snapshot, then deltas; on a broken stream it resumes from the last offset
// at the next controller, backing off), another polls GetClusterStatus for the live gateways and
// the cluster id. Each change publishes a new immutable ClusterView, so request handlers read a
// consistent picture without locks held across their work.
//
// Thread-safety: all public methods are thread-safe. The two threads block on gRPC, never on the
// Kafka event loop.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/rpc/channel_cache.h"
#include "libs/rpc/leader_hint.h"
#include "services/gateway/cluster_view.h"
#include "services/gateway/handlers/handler.h"

namespace eddy::gateway {

struct MetadataFollowerOptions {
  std::vector<std::string> controllers;  // host:port each
  int32_t member_id = 0;
  GatewayNode self;  // this gateway as clients reach it
  absl::Duration member_poll_interval = absl::Milliseconds(500);
  absl::Duration call_timeout = absl::Seconds(2);
};

class MetadataFollower : public ClusterViewSource {
 public:
  MetadataFollower(MetadataFollowerOptions options, rpc::ChannelCache& channels);
  ~MetadataFollower() override;

  MetadataFollower(const MetadataFollower&) = delete;
  MetadataFollower& operator=(const MetadataFollower&) = delete;

  void Start();
  void Stop();

  // Current returns the latest published view (never null).
  std::shared_ptr<const ClusterView> Current() const override;
  // WaitForOffset blocks until the view holds metadata offset `offset` (a write the controller
  // acknowledged) or `timeout` passes; returns whether it got there. Not for the event loop.
  bool WaitForOffset(int64_t offset, absl::Duration timeout) const override;
  // SetSelf updates how clients reach this gateway (its port is known once the listener bound).
  void SetSelf(GatewayNode self);
  // WaitForSnapshot blocks until the first snapshot arrived or `timeout` passes.
  bool WaitForSnapshot(absl::Duration timeout) const;

 private:
  void WatchLoop();
  void MemberLoop();
  void Publish(const std::function<void(ClusterView&)>& change);
  bool Sleep(absl::Duration d);

  const MetadataFollowerOptions options_;
  rpc::ChannelCache& channels_;
  rpc::LeaderFollower status_calls_;

  mutable absl::Mutex mu_;
  std::shared_ptr<const ClusterView> view_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* watch_context_ ABSL_GUARDED_BY(mu_) = nullptr;

  std::thread watch_thread_;
  std::thread member_thread_;
};

}  // namespace eddy::gateway
