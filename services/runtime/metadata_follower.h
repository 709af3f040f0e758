// MetadataFollower keeps a member's view of the cluster current: it holds a WatchMetadata stream
// to one of the controllers (any of them serves it), hands each snapshot and delta to a sink (the
// broker's ReplicaManager, the coordinator's shard ownership), and when the stream breaks
// reconnects, rotating through the controllers with jittered backoff, resuming from the last
// offset it applied. A message at or below that offset is skipped (a lagging controller's older snapshot must not roll the member's view back).
// Thread-safety: Start/Stop from one thread; the sink runs on the follower's own thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "libs/rpc/channel_cache.h"
#include "proto/eddy/v1/controller.pb.h"

namespace eddy::runtime {

struct MetadataFollowerOptions {
  std::vector<std::string> controllers;  // host:port
  int32_t member_id = 0;
  eddy::v1::MemberRole role = eddy::v1::MEMBER_ROLE_BROKER;  // who watches (controller logs)
  absl::Duration min_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(2);
};

class MetadataFollower {
 public:
  using Sink = std::function<void(const eddy::v1::MetadataDelta& delta)>;

  MetadataFollower(MetadataFollowerOptions options, rpc::ChannelCache& channels, Sink sink);
  ~MetadataFollower();

  void Start();
  void Stop();
  // WaitForFirst waits until a snapshot was applied or `timeout` passed; says which.
  bool WaitForFirst(absl::Duration timeout);
  int64_t offset() const { return offset_.load(); }

 private:
  void Run();

  const MetadataFollowerOptions options_;
  rpc::ChannelCache& channels_;
  const Sink sink_;
  std::atomic<int64_t> offset_{-1};
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool have_snapshot_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
};

}  // namespace eddy::runtime
