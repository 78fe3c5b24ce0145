// run_hook with posix_spawnp: safe from a multi-threaded process (no code
// runs in the child between fork and exec), with the input written through
// a pipe and the child awaited with a deadline.
#include "alert/exec_hook.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "redkit/error.hpp"

extern char** environ;

namespace redkit::alert {
namespace {

// How often a running child is checked for having exited.
constexpr std::chrono::milliseconds kPollStep{5};

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

int status_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// Writes what the pipe takes before the deadline; a child that never reads
// its stdin must not hang the sink. EPIPE (the child closed stdin) ends it.
void write_input(int fd, const std::string& input, std::chrono::steady_clock::time_point deadline) {
  std::size_t written = 0;
  while (written < input.size()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd ready{.fd = fd, .events = POLLOUT, .revents = 0};
    if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = ::write(fd, input.data() + written, input.size() - written);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return;
    }
    written += static_cast<std::size_t>(n);
  }
}

}  // namespace

HookResult run_hook(const std::vector<std::string>& argv,
                    const std::vector<std::pair<std::string, std::string>>& environment, const std::string& input,
                    std::chrono::milliseconds timeout) {
  if (argv.empty()) throw InvalidArgument("exec hook: no command");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw Error(fmt::format("exec hook: pipe: {}", std::strerror(errno)));
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  ::fcntl(write_end.get(), F_SETFL, O_NONBLOCK);

  std::vector<std::string> env_text;
  for (char** entry = environ; *entry != nullptr; ++entry) env_text.emplace_back(*entry);
  for (const auto& [name, value] : environment) env_text.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& text : env_text) envp.push_back(text.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (std::string& arg : args) argp.push_back(arg.data());
  argp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, read_end.get(), STDIN_FILENO);
  // What the hook prints goes to stderr: stdout may be a stream of
  // machine-read lines (`redkit --json ts watch`).
  posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
  // The child starts with no signal blocked and default dispositions, not
  // with this process's (a watcher blocks SIGTERM in its threads to take it
  // with sigwait).
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (const int signal : {SIGPIPE, SIGTERM, SIGINT, SIGHUP}) sigaddset(&defaults, signal);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  // Its own process group, so that a timeout kills what it started too
  // (a shell's children), not just the shell.
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  const int spawned = ::posix_spawnp(&pid, argp[0], &actions, &attributes, argp.data(), envp.data());
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    throw Error(fmt::format("exec hook: cannot start '{}': {}", argv[0], std::strerror(spawned)));
  }
  read_end.reset();

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // SIGPIPE would kill this process when the child closes stdin early.
  sigset_t pipe_only, previous;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
  write_input(write_end.get(), input, deadline);
  write_end.reset();
  // A SIGPIPE raised above stays pending on this thread; take it before
  // unblocking so it is not delivered then.
  timespec no_wait{0, 0};
  while (sigtimedwait(&pipe_only, nullptr, &no_wait) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);

  for (;;) {
    int wait_status = 0;
    const pid_t done = ::waitpid(pid, &wait_status, WNOHANG);
    if (done == pid) return {.timed_out = false, .status = status_of(wait_status)};
    if (done < 0 && errno != EINTR) throw Error(fmt::format("exec hook: waitpid: {}", std::strerror(errno)));
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &wait_status, 0);
      return {.timed_out = true, .status = status_of(wait_status)};
    }
    std::this_thread::sleep_for(kPollStep);
  }
}

}  // namespace redkit::alert
