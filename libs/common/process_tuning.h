// Process-wide settings for programs that move megabytes per request: the daemons and the
// benchmarks' load generators call TuneForBulkData() first thing in main.
#pragma once

namespace eddy::common {

// TuneForBulkData keeps large buffers on glibc's heap and, in Release builds, skips Abseil's
// mutex deadlock detection (see process_tuning.cc for why each).
void TuneForBulkData();

}  // namespace eddy::common
