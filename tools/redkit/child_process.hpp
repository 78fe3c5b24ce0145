// Running a command as a child for `lock exec`: started with the environment
// it needs, the signals redkit receives passed on to it, and stopped (SIGTERM,
// then SIGKILL after a grace period) when redkit must take it down.
//
// Signals arrive through a self-pipe, written by an async-signal-safe handler,
// so the waiting loop sees them together with other wake-ups (a lost lock)
// without racing a blocking call.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace redkit::cli {

// exec() failed in the child; `error` is its errno.
class ExecFailed : public std::runtime_error {
 public:
  ExecFailed(const std::string& what, int error) : std::runtime_error(what), error_(error) {}
  int error() const noexcept { return error_; }

 private:
  int error_;
};

class ChildProcess {
 public:
  // Installs the signal handlers (INT, TERM, HUP, QUIT, USR1, USR2, CHLD).
  ChildProcess();
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts argv[0] (looked up on PATH) with extra "NAME=value" variables.
  // The child gets SIGKILL if this process dies first (PR_SET_PDEATHSIG):
  // it cannot outlive the lock it runs under. Throws ExecFailed naming the
  // command if it cannot be executed, std::runtime_error if no process could
  // be made.
  void start(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env);

  // Wakes wait() from another thread (async-signal-safe).
  static void interrupt() noexcept;

  // What ended a wait().
  enum class Event { exited, interrupted, timed_out };
  // Waits until the child exits, interrupt() is called, or the timeout passes
  // (negative: no timeout). Signals received meanwhile are forwarded to the
  // child and the wait goes on.
  Event wait(std::chrono::milliseconds timeout);
  // The child's exit status as a shell reports it (128 + signal if killed).
  int exit_status() const noexcept { return status_; }

  void send(int signal) noexcept;
  bool signalled_by_user() const noexcept { return forwarded_ > 0; }

 private:
  bool reap() noexcept;
  pid_t pid_ = -1;
  int status_ = -1;
  int forwarded_ = 0;
};

}  // namespace redkit::cli
