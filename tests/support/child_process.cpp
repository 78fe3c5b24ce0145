// Background programs for fault tests; see child_process.hpp.
#include "support/child_process.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "devserver/spawn.hpp"
#include "support/wait_for.hpp"

namespace redkit::test {
namespace {

int exit_code_of(int status) {
  if (status == -1) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::filesystem::path output)
    : argv_(std::move(argv)), output_(std::move(output)) {
  if (argv_.empty()) throw std::invalid_argument("ChildProcess: empty command");
  pid_ = devserver::spawn_with_output(argv_.front(), argv_, output_);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_code_) kill_hard();
}

void ChildProcess::pause() {
  if (::kill(pid_, SIGSTOP) != 0) throw std::runtime_error("SIGSTOP failed for " + argv_.front());
  // A stopped process shows state 'T' in /proc/<pid>/stat; until then the
  // signal may still be in flight and the child may run on.
  const std::string stat = "/proc/" + std::to_string(pid_) + "/stat";
  const bool stopped = wait_for(
      [&] {
        std::ifstream in(stat);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto close_paren = text.rfind(')');
        return close_paren != std::string::npos && close_paren + 2 < text.size() && text[close_paren + 2] == 'T';
      },
      std::chrono::seconds(5), std::chrono::milliseconds(1));
  if (!stopped) throw std::runtime_error("child did not stop: " + argv_.front());
}

void ChildProcess::resume() {
  if (::kill(pid_, SIGCONT) != 0) throw std::runtime_error("SIGCONT failed for " + argv_.front());
}

void ChildProcess::kill_hard() {
  if (pid_ <= 0 || exit_code_) return;
  ::kill(pid_, SIGKILL);
  exit_code_ = exit_code_of(devserver::reap(pid_));
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  wait_for(
      [&] {
        if (auto status = devserver::try_reap(pid_)) exit_code_ = exit_code_of(*status);
        return exit_code_.has_value();
      },
      timeout, std::chrono::milliseconds(2));
  return exit_code_;
}

bool ChildProcess::running() { return !wait_exit(std::chrono::milliseconds(0)).has_value(); }

std::string ChildProcess::output() const {
  std::ifstream in(output_);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace redkit::test
