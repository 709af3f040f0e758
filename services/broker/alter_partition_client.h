// AlterPartitionClient sends a leader's ISR changes to the controller quorum (AlterPartition,
// KIP-497) from one worker thread, in order, each with a deadline, following the quorum leader
// (rpc::LeaderFollower). A call that still fails after its bounded retries is answered with
// REQUEST_TIMED_OUT so the ISR tracker re-proposes on a later tick; Kafka errors come back as the
// controller sent them (a stale partition epoch waits for fresh metadata inside IsrTracker).
// Thread-safety: Send is thread-safe; answers run on the worker thread.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "libs/rpc/leader_hint.h"
#include "services/broker/replica_manager.h"

namespace eddy::broker {

class AlterPartitionClient {
 public:
  AlterPartitionClient(rpc::ChannelCache& channels, std::vector<std::string> controllers);
  ~AlterPartitionClient();

  void Send(AlterPartitionCall call, std::function<void(AlterPartitionAnswer)> done);
  void Stop();

 private:
  void Run();

  rpc::LeaderFollower controllers_;
  absl::Mutex mu_;
  std::deque<std::pair<AlterPartitionCall, std::function<void(AlterPartitionAnswer)>>> queue_
      ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace eddy::broker
