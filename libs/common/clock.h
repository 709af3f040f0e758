// Clock is the injected source of wall time. Components that schedule timeouts, leases or retention
// take a `Clock&` instead of calling absl::Now(), so tests drive time with ManualClock and never
// sleep. Invariant: ManualClock never moves backwards through Advance(); Set() may move it anywhere
// (tests of clock jumps need that).
#pragma once

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace eddy::common {

// Clock returns the current time. Thread-safety: implementations are safe to call concurrently.
class Clock {
 public:
  virtual ~Clock();
  virtual absl::Time Now() const = 0;

  // Real returns the process-wide clock backed by absl::Now(). It lives for the whole process.
  static Clock& Real();
};

// ManualClock is a Clock that moves only when told to. The default start (about 2019-12-17) is a
// fixed instant far from the epoch, so "time zero" bugs show up in tests.
// Thread-safety: all methods are safe to call concurrently.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time start = absl::UnixEpoch() + absl::Hours(24 * 365 * 50));

  absl::Time Now() const override;

  // Advance moves the clock forward by `d`. REQUIRES: d >= absl::ZeroDuration().
  void Advance(absl::Duration d);

  // Set moves the clock to `t`, forwards or backwards.
  void Set(absl::Time t);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace eddy::common
