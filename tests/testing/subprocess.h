// RunProcess runs a program to completion for tests: arguments, extra environment, a time limit,
// and its exit code, stdout and stderr captured separately.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace eddy::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

// RunProcess runs argv[0] with `argv` and the current environment plus `extra_env`
// ("KEY=value"), feeding it no input. After `timeout` it is killed and an error returned.
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         const std::vector<std::string>& extra_env = {},
                                         absl::Duration timeout = absl::Seconds(30));

}  // namespace eddy::testing
