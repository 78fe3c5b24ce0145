// Child processes for the launcher; see spawn.hpp.
#include "devserver/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "devserver/unique_fd.hpp"

namespace redkit::devserver {

std::filesystem::path find_executable(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path_variable = std::getenv("PATH");
  const std::string_view path = path_variable != nullptr ? path_variable : "/usr/bin:/bin";
  std::size_t begin = 0;
  for (;;) {
    const std::size_t end = std::min(path.find(':', begin), path.size());
    // An empty entry means the current directory, as in execvp.
    const std::filesystem::path directory =
        end == begin ? std::filesystem::path(".") : std::filesystem::path(path.substr(begin, end - begin));
    const std::filesystem::path candidate = directory / name;
    std::error_code error;
    if (std::filesystem::is_regular_file(candidate, error) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (end == path.size()) break;
    begin = end + 1;
  }
  throw std::runtime_error(name + " was not found on PATH (" + std::string(path) + ")");
}

pid_t spawn_with_output(const std::filesystem::path& executable,
                        const std::vector<std::string>& argv,
                        const std::filesystem::path& output) {
  // Everything the child touches is prepared here: between fork and exec in a
  // threaded program only async-signal-safe calls are allowed.
  std::vector<char*> arguments;
  arguments.reserve(argv.size() + 1);
  for (const std::string& argument : argv) arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);

  const UniqueFd output_fd(::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!output_fd) throw std::system_error(errno, std::generic_category(), "open " + output.string());
  const UniqueFd null_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null_fd) throw std::system_error(errno, std::generic_category(), "open /dev/null");
  // The child reports a failed exec through this pipe; a successful exec
  // closes it (O_CLOEXEC), so the parent reads end-of-file.
  int exec_status[2];
  if (::pipe2(exec_status, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  UniqueFd status_reader(exec_status[0]);
  UniqueFd status_writer(exec_status[1]);

  sigset_t no_signals;
  sigemptyset(&no_signals);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may have died before prctl took effect.
    if (::getppid() != parent) ::_exit(127);
    ::dup2(null_fd.get(), STDIN_FILENO);
    ::dup2(output_fd.get(), STDOUT_FILENO);
    ::dup2(output_fd.get(), STDERR_FILENO);
    // A blocked SIGTERM would survive exec and make stop() wait for nothing.
    ::sigprocmask(SIG_SETMASK, &no_signals, nullptr);
    // Descriptors the parent leaked without O_CLOEXEC must not reach the server.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    ::execv(executable.c_str(), arguments.data());
    const int error = errno;
    [[maybe_unused]] const ssize_t written = ::write(status_writer.get(), &error, sizeof error);
    ::_exit(127);
  }

  status_writer.reset();
  int child_error = 0;
  ssize_t received = 0;
  do {
    received = ::read(status_reader.get(), &child_error, sizeof child_error);
  } while (received < 0 && errno == EINTR);
  if (received == static_cast<ssize_t>(sizeof child_error)) {
    reap(pid);
    throw std::system_error(child_error, std::generic_category(), "exec " + executable.string());
  }
  return pid;
}

std::optional<int> try_reap(pid_t pid) noexcept {
  int status = 0;
  for (;;) {
    const pid_t result = ::waitpid(pid, &status, WNOHANG);
    if (result == pid) return status;
    if (result == 0) return std::nullopt;
    if (errno != EINTR) return -1;
  }
}

int reap(pid_t pid) noexcept {
  int status = 0;
  for (;;) {
    if (::waitpid(pid, &status, 0) == pid) return status;
    if (errno != EINTR) return -1;
  }
}

std::string describe_wait_status(int status) {
  if (status == -1) return "exited (status unknown)";
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "stopped running (wait status " + std::to_string(status) + ")";
}

std::string printable_command(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& argument : argv) {
    if (!line.empty()) line += ' ';
    const bool plain = !argument.empty() &&
                       argument.find_first_not_of(
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%") ==
                           std::string::npos;
    if (plain) {
      line += argument;
      continue;
    }
    line += '\'';
    for (const char c : argument) {
      if (c == '\'') {
        line += "'\\''";
      } else {
        line += c;
      }
    }
    line += '\'';
  }
  return line;
}

}  // namespace redkit::devserver
