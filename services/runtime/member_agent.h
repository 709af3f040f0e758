// MemberAgent keeps a daemon registered with the controller: it registers (retrying with backoff
// until a controller answers), then heartbeats at the interval the controller asks for, so the
// controller's lease on the member stays fresh. When the controller no longer knows the
// registration (it restarted, or fenced and forgot the member) the agent registers again with a
// new epoch. Stop() sends a final heartbeat announcing a controlled shutdown.
//
// Thread-safety: Start/Stop from one thread; registered() from any.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/metrics/registry.h"
#include "libs/rpc/channel_cache.h"
#include "libs/rpc/leader_hint.h"
#include "proto/eddy/v1/controller.pb.h"

namespace eddy::runtime {

struct MemberAgentOptions {
  eddy::v1::MemberRole role = eddy::v1::MEMBER_ROLE_UNSPECIFIED;
  int32_t member_id = 0;
  std::string rack;
  std::string version;
  std::vector<eddy::v1::Endpoint> endpoints;
  // Controller gRPC addresses, host:port.
  std::vector<std::string> controllers;
  absl::Duration call_timeout = absl::Seconds(2);
  // Metric name prefix, e.g. "eddy_broker".
  std::string metric_prefix;
  // Brokers: the member epoch held when the previous run stopped cleanly (0: unknown or unclean),
  // sent with every registration (RegisterMemberRequest.previous_member_epoch, KIP-966).
  int64_t previous_member_epoch = 0;
};

class MemberAgent {
 public:
  MemberAgent(MemberAgentOptions options, rpc::ChannelCache& channels,
              metrics::Registry& metrics);
  ~MemberAgent();

  MemberAgent(const MemberAgent&) = delete;
  MemberAgent& operator=(const MemberAgent&) = delete;

  // Start begins registering in the background; `on_registered` runs on the agent's thread after
  // every successful registration.
  void Start(std::function<void()> on_registered);
  // Stop announces a controlled shutdown (best effort, bounded by call_timeout) and joins.
  void Stop();
  bool registered() const { return registered_.load(); }
  int64_t member_epoch() const { return member_epoch_.load(); }
  const std::string& incarnation_id() const { return incarnation_id_; }

 private:
  void Run();
  absl::Status Register();
  absl::Status Heartbeat(bool shutting_down, bool* reregister);
  // Waits up to `d`; returns false when stopping.
  bool WaitFor(absl::Duration d);

  MemberAgentOptions options_;
  std::string incarnation_id_;
  rpc::LeaderFollower controllers_;
  std::function<void()> on_registered_;
  std::thread thread_;
  std::atomic<bool> registered_{false};
  std::atomic<int64_t> member_epoch_{0};
  absl::Duration heartbeat_interval_ = absl::Seconds(1);

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  metrics::Counter& registrations_;
  metrics::Counter& heartbeats_;
  metrics::Counter& heartbeat_failures_;
};

}  // namespace eddy::runtime
