// Runs a tool and captures its output; see subprocess.hpp.
#include "support/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <system_error>

#include "devserver/spawn.hpp"
#include "devserver/unique_fd.hpp"

namespace redkit::test {
namespace {

using Clock = std::chrono::steady_clock;
using devserver::UniqueFd;

// posix_spawn's C structures, released on every path.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions_);
    posix_spawnattr_init(&attributes_);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attributes_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  posix_spawn_file_actions_t* actions() { return &actions_; }
  posix_spawnattr_t* attributes() { return &attributes_; }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attributes_;
};

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  if (argv.empty()) throw std::invalid_argument("run_command: empty command");
  const auto deadline = Clock::now() + timeout;
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  UniqueFd reader(pipe_fds[0]);
  UniqueFd writer(pipe_fds[1]);

  SpawnSetup setup;
  posix_spawn_file_actions_addopen(setup.actions(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(setup.actions(), writer.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(setup.actions(), writer.get(), STDERR_FILENO);
  // The test process may block or ignore signals the tool relies on.
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  sigaddset(&default_signals, SIGTERM);
  posix_spawnattr_setsigmask(setup.attributes(), &no_signals);
  posix_spawnattr_setsigdefault(setup.attributes(), &default_signals);
  posix_spawnattr_setflags(setup.attributes(), POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> arguments;
  for (const std::string& argument : argv) arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);
  pid_t pid = -1;
  const int spawn_error = ::posix_spawnp(&pid, arguments[0], setup.actions(), setup.attributes(),
                                         arguments.data(), environ);
  if (spawn_error != 0) {
    throw std::system_error(spawn_error, std::generic_category(),
                            "cannot run " + devserver::printable_command(argv));
  }
  writer.reset();

  CommandResult result;
  char buffer[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd entry{reader.get(), POLLIN, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      // Only our own child is killed, by its PID.
      ::kill(pid, SIGKILL);
      result.timed_out = true;
      break;
    }
    const ssize_t received = ::read(reader.get(), buffer, sizeof buffer);
    if (received < 0 && errno == EINTR) continue;
    if (received <= 0) break;
    result.output.append(buffer, static_cast<std::size_t>(received));
  }
  const int status = devserver::reap(pid);
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

}  // namespace redkit::test
