#include "libs/common/shutdown.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "spdlog/spdlog.h"

namespace eddy::common {
namespace {

sigset_t TerminationSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void TerminationSignals::Block() {
  const sigset_t set = TerminationSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int TerminationSignals::Wait() {
  const sigset_t set = TerminationSet();
  while (true) {
    int sig = 0;
    const int rc = sigwait(&set, &sig);
    if (rc == 0) return sig;
    if (rc != EINTR) {
      spdlog::critical("sigwait failed: error {}", rc);
      std::abort();
    }
  }
}

ShutdownWatchdog::ShutdownWatchdog(absl::Duration grace)
    : thread_([this, grace] { Run(grace); }) {}

ShutdownWatchdog::~ShutdownWatchdog() {
  {
    absl::MutexLock lock(&mu_);
    done_ = true;
  }
  thread_.join();
}

void ShutdownWatchdog::Run(absl::Duration grace) {
  absl::MutexLock lock(&mu_);
  if (mu_.AwaitWithTimeout(absl::Condition(&done_), grace)) return;
  spdlog::critical("shutdown did not finish within {}; exiting", absl::FormatDuration(grace));
  if (auto logger = spdlog::default_logger_raw()) logger->flush();
  _exit(1);
}

}  // namespace eddy::common
