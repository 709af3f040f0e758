// Transport moves raft::Messages between the members of one Raft group. Raft tolerates loss,
// duplication and reordering (the core retries by itself), so a transport is allowed to drop: Send
// never blocks the driver, and a message to an unreachable or slow peer is discarded once that
// peer's bounded queue is full. Incoming messages go to the receiver the driver installs.
//
// Implementations: GrpcTransport (grpc_transport.h, production) and MemoryNetwork
// (memory_transport.h, tests).
#pragma once

#include <functional>

#include "libs/raft/types.h"

namespace eddy::raft {

// Receiver handles one incoming message addressed to this node. It runs on a transport thread (or
// the sender's thread in MemoryNetwork) and must not block: the driver only enqueues.
using Receiver = std::function<void(Message)>;

class Transport {
 public:
  virtual ~Transport() = default;

  // SetReceiver installs `receiver` (replacing any previous one); an empty function stops
  // delivery. Once it returns, the previous receiver is not running and will not run again, so
  // its owner may be destroyed.
  // Thread-safety: thread-safe; must not be called from inside a receiver.
  virtual void SetReceiver(Receiver receiver) = 0;

  // Send hands `message` to message.to without blocking; it may be dropped (unknown or unreachable
  // peer, full queue). Thread-safety: thread-safe.
  virtual void Send(Message message) = 0;
};

}  // namespace eddy::raft
