// ChildProcess: fork/exec, a self-pipe for signals, forwarding and reaping.
#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

extern char** environ;

namespace redkit::cli {
namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

// The self-pipe: the handler writes the signal number, the loop reads it.
int g_pipe[2] = {-1, -1};

void on_signal(int signal) {
  const int saved = errno;
  const unsigned char byte = static_cast<unsigned char>(signal);
  [[maybe_unused]] auto n = ::write(g_pipe[1], &byte, 1);
  errno = saved;
}

constexpr unsigned char kInterrupt = 0;  // no signal has number 0

// The child's status when its parent died before it could exec.
constexpr int kParentGone = 125;

}  // namespace

ChildProcess::ChildProcess() {
  if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("cannot create a pipe");
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signal : kForwarded) ::sigaction(signal, &action, nullptr);
  ::sigaction(SIGCHLD, &action, nullptr);
}

ChildProcess::~ChildProcess() {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  for (int signal : kForwarded) ::sigaction(signal, &action, nullptr);
  ::sigaction(SIGCHLD, &action, nullptr);
  ::close(g_pipe[0]);
  ::close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
}

void ChildProcess::start(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    bool replaced = false;
    for (const auto& extra : extra_env) {
      auto eq = extra.find('=');
      if (entry.substr(0, eq + 1) == std::string_view(extra).substr(0, eq + 1)) replaced = true;
    }
    if (!replaced) env_strings.emplace_back(entry);
  }
  env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);

  // A pipe closed by a successful exec tells the parent whether exec worked.
  int exec_status[2];
  if (::pipe2(exec_status, O_CLOEXEC) != 0) throw std::runtime_error("cannot create a pipe");
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(fmt::format("cannot start {}: {}", argv[0], std::strerror(errno)));
  if (pid_ == 0) {
    ::close(exec_status[0]);
    // The child must not outlive the lock's holder: if this process dies
    // (even by SIGKILL, which nothing here can catch), the kernel kills the
    // child too. A parent that died before prctl took effect left us with
    // another parent already: give up at once.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(kParentGone);
    // The child handles signals its own way, from a clean slate.
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    for (int signal : kForwarded) ::sigaction(signal, &action, nullptr);
    ::sigaction(SIGCHLD, &action, nullptr);
    ::execvpe(argp[0], argp.data(), envp.data());
    const int error = errno;
    [[maybe_unused]] auto n = ::write(exec_status[1], &error, sizeof error);
    ::_exit(error == ENOENT ? 127 : 126);
  }
  ::close(exec_status[1]);
  int error = 0;
  ssize_t n = 0;
  do {
    n = ::read(exec_status[0], &error, sizeof error);
  } while (n < 0 && errno == EINTR);
  ::close(exec_status[0]);
  if (n == sizeof error) {
    int ignored = 0;
    ::waitpid(pid_, &ignored, 0);
    pid_ = -1;
    throw ExecFailed(fmt::format("cannot run \"{}\": {}", argv[0], std::strerror(error)), error);
  }
}

void ChildProcess::interrupt() noexcept {
  if (g_pipe[1] < 0) return;
  [[maybe_unused]] auto n = ::write(g_pipe[1], &kInterrupt, 1);
}

bool ChildProcess::reap() noexcept {
  if (pid_ < 0) return true;
  int status = 0;
  pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done != pid_) return false;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  pid_ = -1;
  return true;
}

ChildProcess::Event ChildProcess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (reap()) return Event::exited;
    int wait_ms = -1;
    if (timeout >= std::chrono::milliseconds::zero()) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= std::chrono::milliseconds::zero()) return Event::timed_out;
      wait_ms = static_cast<int>(left.count());
    }
    pollfd p{g_pipe[0], POLLIN, 0};
    int ready = ::poll(&p, 1, wait_ms);
    if (ready <= 0) continue;
    unsigned char bytes[64];
    ssize_t n = ::read(g_pipe[0], bytes, sizeof bytes);
    bool interrupted = false;
    for (ssize_t i = 0; i < n; ++i) {
      if (bytes[i] == kInterrupt) {
        interrupted = true;
      } else if (bytes[i] != SIGCHLD) {
        send(bytes[i]);
        ++forwarded_;
      }
    }
    if (reap()) return Event::exited;
    if (interrupted) return Event::interrupted;
  }
}

void ChildProcess::send(int signal) noexcept {
  if (pid_ > 0) ::kill(pid_, signal);
}

}  // namespace redkit::cli
