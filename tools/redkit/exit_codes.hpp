// Exit statuses of the redkit CLI. Shell scripts branch on them, so they are
// part of the tool's contract and never change meaning.
#pragma once

#include <string>

namespace redkit::cli {

inline constexpr int kExitSuccess = 0;
// The command failed; stderr holds one line naming the bad value or endpoint.
inline constexpr int kExitFailure = 1;
// The command line itself is wrong: unknown option, missing argument, a
// malformed --redis URL.
inline constexpr int kExitUsage = 2;
// A lock was not acquired within its wait time; trying again later may work.
// 75 is EX_TEMPFAIL of <sysexits.h>, the status flock(1)-style wrappers use.
inline constexpr int kExitTempFail = 75;
// `lock exec`: the command cannot be run (126) or does not exist (127), as
// a shell reports them.
inline constexpr int kExitNotExecutable = 126;
inline constexpr int kExitNotFound = 127;

// Thrown by a command that ends with a status of its own (`lock exec` passes
// on its child's); main() returns it. `message`, when not empty, is printed
// as the one stderr line.
struct CommandExit {
  int status = kExitSuccess;
  std::string message{};
};

}  // namespace redkit::cli
