// Running a command-line tool (openssl, redis-cli) from a test and capturing
// what it prints, with a time limit so a hung tool fails the test instead of
// hanging it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace redkit::test {

struct CommandResult {
  // The exit status, or -1 when the command was killed by a signal.
  int exit_code = -1;
  // True when the command ran past its time limit and was killed.
  bool timed_out = false;
  // stdout and stderr, interleaved as written.
  std::string output;
};

// Runs argv (argv[0] looked up on PATH) with stdin from /dev/null. Throws
// std::system_error when the program cannot be started.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace redkit::test
