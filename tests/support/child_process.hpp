// A program a test starts in the background and then stops, resumes, kills
// or waits for: the worker processes of the fault suite. Its output goes to
// a file, so a child killed with SIGKILL still leaves what it wrote.
//
//   ChildProcess worker({path, "--worker", "1"}, dir / "worker-1.out");
//   worker.pause();                       // SIGSTOP
//   worker.resume();                      // SIGCONT
//   auto status = worker.wait_exit(10s);  // nullopt while it still runs
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace redkit::test {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with stdin from /dev/null and stdout/stderr
  // appended to output. Throws std::system_error when it cannot be started.
  ChildProcess(std::vector<std::string> argv, std::filesystem::path output);
  // Kills a child that still runs (SIGKILL) and reaps it; never throws.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  void pause();      // SIGSTOP, returns once the kernel reports it stopped
  void resume();     // SIGCONT
  void kill_hard();  // SIGKILL and reap
  // The exit code, 128 + signal when killed, or nullopt when it still runs
  // after timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  bool running();
  // What it has printed so far.
  std::string output() const;

 private:
  std::vector<std::string> argv_;
  std::filesystem::path output_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

}  // namespace redkit::test
