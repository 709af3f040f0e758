// Orderly daemon shutdown. main() calls TerminationSignals::Block() first, before any thread
// starts, so every thread inherits a mask with SIGTERM and SIGINT blocked and no thread is ever
// interrupted by them; then, after starting its servers, main() calls TerminationSignals::Wait() and
// shuts down. A ShutdownWatchdog created when shutdown begins bounds how long it may take: a
// process stuck in shutdown exits with status 1 instead of hanging its supervisor.
#pragma once

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace eddy::common {

class TerminationSignals {
 public:
  // Block blocks SIGTERM and SIGINT in the calling thread (threads it starts later inherit that).
  static void Block();

  // Wait blocks until SIGTERM or SIGINT is pending and returns its number, consuming it.
  // REQUIRES: Block() was called in this thread and in every other thread of the process (else the
  // signal may be delivered to a thread with default handling and end the process).
  static int Wait();
};

// ShutdownWatchdog ends the process with _exit(1), after logging, if it is not destroyed within
// `grace` of its construction. Thread-safety: construct and destroy on one thread.
class ShutdownWatchdog {
 public:
  explicit ShutdownWatchdog(absl::Duration grace);
  ~ShutdownWatchdog();

  ShutdownWatchdog(const ShutdownWatchdog&) = delete;
  ShutdownWatchdog& operator=(const ShutdownWatchdog&) = delete;

 private:
  void Run(absl::Duration grace);

  absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace eddy::common
