// What the real-daemon benchmarks share for their command lines, timing and failures:
// `--name=value` flags, seconds since a steady-clock instant, a process's CPU time, and exiting
// with a message on a failed status.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

#include "absl/status/status.h"

namespace eddy::bench {

// Flag returns the value of `--name=value` in argv, or `fallback` when absent.
std::string Flag(int argc, char** argv, const std::string& name, const std::string& fallback);

// SecondsSince returns the seconds elapsed since `start` on the steady clock.
double SecondsSince(std::chrono::steady_clock::time_point start);

// CpuSeconds returns the user + system CPU time process `pid` has used so far (from
// /proc/<pid>/stat), 0 if it cannot be read.
double CpuSeconds(pid_t pid);

// DieIfError prints "`what`: status" and exits 1 when `status` is not OK.
void DieIfError(const absl::Status& status, const std::string& what);

}  // namespace eddy::bench
