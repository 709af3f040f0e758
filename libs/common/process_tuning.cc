#include "libs/common/process_tuning.h"

#include <malloc.h>

#include "absl/synchronization/mutex.h"

namespace eddy::common {

void TuneForBulkData() {
  // Produce and fetch payloads are megabytes per request. With glibc's defaults each such buffer
  // is mmap'ed and unmapped (or the heap trimmed after it is freed), so every request pays page
  // faults and page zeroing; `./dev bench consume` ran 2-4x faster with the buffers kept on the
  // heap. The trim threshold does not cover a thread arena's extra 64 MiB heaps: glibc unmaps one
  // as soon as it is free unless the top pad exceeds what it could hold, so a thread that briefly
  // holds a 16 MB fetch answer grew (mprotect) and faulted in a new heap on every fetch. Under the
  // sanitizers mallopt is a no-op.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
  // Debian's Abseil checks every Mutex acquisition for lock-order cycles: ~3% of a broker's CPU
  // on the acks=all path (`./dev bench broker`) and ~7% of a coordinator's under `./dev bench
  // groups`. Debug and sanitizer builds, where the tests run, keep the check.
#ifdef NDEBUG
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
}

}  // namespace eddy::common
