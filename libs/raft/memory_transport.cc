#include "libs/raft/memory_transport.h"

#include <utility>

namespace eddy::raft {

// MemoryTransport is one node's endpoint. receiver_mu_ is held while the receiver runs, which is
// what lets SetReceiver promise that a replaced receiver is no longer running.
class MemoryNetwork::MemoryTransport final : public Transport {
 public:
  explicit MemoryTransport(MemoryNetwork& network) : network_(network) {}

  void SetReceiver(Receiver receiver) override {
    absl::MutexLock lock(&receiver_mu_);
    receiver_ = std::move(receiver);
  }

  void Send(Message message) override { network_.Deliver(std::move(message)); }

  // Receive returns false when no receiver is installed.
  bool Receive(Message message) {
    absl::MutexLock lock(&receiver_mu_);
    if (!receiver_) return false;
    receiver_(std::move(message));
    return true;
  }

 private:
  MemoryNetwork& network_;
  absl::Mutex receiver_mu_;
  Receiver receiver_ ABSL_GUARDED_BY(receiver_mu_);
};

MemoryNetwork::MemoryNetwork() = default;
MemoryNetwork::~MemoryNetwork() = default;

Transport& MemoryNetwork::Endpoint(NodeId id) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<MemoryTransport>& endpoint = endpoints_[id];
  if (!endpoint) endpoint = std::make_unique<MemoryTransport>(*this);
  return *endpoint;
}

void MemoryNetwork::SetLink(NodeId from, NodeId to, bool up) {
  absl::MutexLock lock(&mu_);
  if (up) {
    cut_.erase({from, to});
  } else {
    cut_.insert({from, to});
  }
}

void MemoryNetwork::Isolate(NodeId id, bool isolated) {
  absl::MutexLock lock(&mu_);
  if (isolated) {
    isolated_.insert(id);
  } else {
    isolated_.erase(id);
  }
}

uint64_t MemoryNetwork::delivered() const {
  absl::MutexLock lock(&mu_);
  return delivered_;
}

uint64_t MemoryNetwork::dropped() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}

void MemoryNetwork::Deliver(Message message) {
  MemoryTransport* destination = nullptr;
  {
    absl::MutexLock lock(&mu_);
    auto it = endpoints_.find(message.to);
    const bool up = !cut_.contains({message.from, message.to}) &&
                    !isolated_.contains(message.from) && !isolated_.contains(message.to);
    if (it != endpoints_.end() && up) {
      destination = it->second.get();
    } else {
      ++dropped_;
      return;
    }
  }
  // Endpoints are never erased, so the pointer stays valid without the network lock, and the
  // receiver runs without it (a receiver may itself look at the network).
  const bool received = destination->Receive(std::move(message));
  absl::MutexLock lock(&mu_);
  ++(received ? delivered_ : dropped_);
}

}  // namespace eddy::raft
