// MemoryNetwork connects the Transports of several Raft drivers in one process, for tests: Send
// delivers synchronously to the destination's receiver, so a test that polls its drivers on one
// thread stays deterministic. Links can be cut per direction or per node to model partitions and
// stopped peers; messages over a cut link, to an unknown node or to a node without a receiver are
// dropped and counted.
// Thread-safety: all methods are thread-safe (drivers may also run on their own threads).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "libs/raft/transport.h"

namespace eddy::raft {

class MemoryNetwork {
 public:
  MemoryNetwork();
  ~MemoryNetwork();
  MemoryNetwork(const MemoryNetwork&) = delete;
  MemoryNetwork& operator=(const MemoryNetwork&) = delete;

  // Endpoint returns the transport of node `id`, creating it on first use. It lives as long as the
  // network.
  Transport& Endpoint(NodeId id);

  // SetLink cuts (up = false) or restores the direction from -> to.
  void SetLink(NodeId from, NodeId to, bool up);
  // Isolate cuts (or, with isolated = false, restores) every link to and from `id`.
  void Isolate(NodeId id, bool isolated);

  // delivered / dropped count messages since construction.
  uint64_t delivered() const;
  uint64_t dropped() const;

 private:
  class MemoryTransport;

  void Deliver(Message message);

  mutable absl::Mutex mu_;
  std::map<NodeId, std::unique_ptr<MemoryTransport>> endpoints_ ABSL_GUARDED_BY(mu_);
  std::set<std::pair<NodeId, NodeId>> cut_ ABSL_GUARDED_BY(mu_);
  std::set<NodeId> isolated_ ABSL_GUARDED_BY(mu_);
  uint64_t delivered_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace eddy::raft
