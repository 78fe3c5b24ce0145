// Runs a program with extra environment variables and a text on its stdin,
// killing it when it outlives a timeout: the exec sink's child process.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace redkit::alert {

struct HookResult {
  bool timed_out = false;
  // The exit status, or 128 + the signal that ended it.
  int status = 0;
};

// argv[0] is looked up in PATH. The child inherits this process's
// environment plus `environment` (NAME, value) and its stderr, which is
// also the child's stdout. It runs in a process group of its own, killed
// whole (SIGKILL) at the timeout, so that what it started (a shell's
// children) does not go on delivering after the attempt has failed.
// Throws redkit::Error when it cannot be started.
HookResult run_hook(const std::vector<std::string>& argv,
                    const std::vector<std::pair<std::string, std::string>>& environment, const std::string& input,
                    std::chrono::milliseconds timeout);

}  // namespace redkit::alert
