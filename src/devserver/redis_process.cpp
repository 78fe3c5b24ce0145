// Lifecycle of a private redis-server; see redis_process.hpp.
#include "devserver/redis_process.hpp"

#include <signal.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "devserver/server_command.hpp"
#include "devserver/spawn.hpp"
#include "devserver/temp_dir.hpp"

namespace redkit::devserver {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kPollStep{5};
constexpr milliseconds kPingTimeout{100};
constexpr std::chrono::seconds kStopGrace{5};
constexpr int kPortAttempts = 5;

// The server exited at startup because a port was taken, which a fresh port
// may cure.
class PortInUse : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::uintmax_t file_size_or_zero(const std::filesystem::path& file) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(file, error);
  return error ? 0 : size;
}

std::string read_file_from(const std::filesystem::path& file, std::uintmax_t offset) {
  const std::uintmax_t size = file_size_or_zero(file);
  if (size <= offset) return {};
  std::ifstream in(file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::string text(static_cast<std::size_t>(size - offset), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

std::string last_lines(const std::string& text, std::size_t lines) {
  if (lines == 0) return {};
  std::size_t begin = text.size();
  // A trailing newline ends the last line rather than starting an empty one.
  if (begin > 0 && text[begin - 1] == '\n') --begin;
  for (std::size_t found = 0; begin > 0; --begin) {
    if (text[begin - 1] == '\n' && ++found == lines) break;
  }
  return text.substr(begin);
}

}  // namespace

RedisProcess::RedisProcess(RedisProcessOptions options) : options_(std::move(options)) {
  if (options_.dir.empty()) {
    dir_ = make_temp_dir("redkit-redis-");
    owns_dir_ = true;
  } else {
    dir_ = std::filesystem::absolute(options_.dir);
    std::filesystem::create_directories(dir_);
  }
  try {
    if (socket_path().native().size() >= sizeof(sockaddr_un::sun_path)) {
      throw std::runtime_error("unix socket path is too long for sockaddr_un: " +
                               socket_path().string());
    }
    start_on_any_free_port();
  } catch (...) {
    if (owns_dir_) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    }
    throw;
  }
}

RedisProcess::~RedisProcess() {
  stop();
  if (owns_dir_) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::filesystem::path RedisProcess::socket_path() const { return dir_ / "redis.sock"; }

std::filesystem::path RedisProcess::log_path() const { return dir_ / "redis.log"; }

std::string RedisProcess::url() const {
  if (!options_.tcp) throw std::logic_error("RedisProcess was started without TCP (options.tcp = false)");
  return "redis://127.0.0.1:" + std::to_string(port_);
}

std::string RedisProcess::unix_url() const {
  if (!options_.unix_socket) {
    throw std::logic_error("RedisProcess does not expose its unix socket (options.unix_socket = false)");
  }
  return "unix://" + socket_path().string();
}

void RedisProcess::start_on_any_free_port() {
  const bool may_change_port = options_.tcp && options_.port == 0;
  for (int attempt = 1;; ++attempt) {
    port_ = !options_.tcp ? 0 : options_.port != 0 ? options_.port : pick_free_port();
    try {
      launch();
      wait_until_ready();
      return;
    } catch (const PortInUse&) {
      if (!may_change_port || attempt == kPortAttempts) throw;
    }
  }
}

void RedisProcess::start() {
  if (running()) return;
  launch();
  wait_until_ready();
}

void RedisProcess::restart() {
  stop();
  start();
}

void RedisProcess::launch() {
  const std::vector<std::string> argv = redis_server_arguments(options_, dir_, port_);
  command_line_ = printable_command(argv);
  log_offset_ = file_size_or_zero(log_path());
  pid_ = spawn_with_output(find_executable("redis-server"), argv, log_path());
  paused_ = false;
}

void RedisProcess::wait_until_ready() {
  const auto deadline = Clock::now() + options_.start_timeout;
  for (;;) {
    if (const std::optional<int> status = try_reap(pid_)) {
      pid_ = -1;
      const std::string output = read_file_from(log_path(), log_offset_);
      const std::string message = "redis-server " + describe_wait_status(*status) +
                                  " during startup: " + command_line_ + "\n" + last_lines(output, 20);
      if (output.find("Address already in use") != std::string::npos) throw PortInUse(message);
      throw std::runtime_error(message);
    }
    const auto now = Clock::now();
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - now);
    if (unix_socket_answers_ping(socket_path(), std::clamp(left, milliseconds(1), kPingTimeout),
                                 options_.requirepass)) return;
    if (Clock::now() >= deadline) {
      const std::string message = "redis-server did not answer PING within " +
                                  std::to_string(options_.start_timeout.count()) +
                                  " ms: " + command_line_ + "\n" +
                                  last_lines(read_file_from(log_path(), log_offset_), 20);
      kill_hard();
      throw std::runtime_error(message);
    }
    std::this_thread::sleep_for(kPollStep);
  }
}

void RedisProcess::stop() noexcept {
  if (!running()) return;
  if (paused_) ::kill(pid_, SIGCONT);
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + kStopGrace;
  while (!try_reap(pid_)) {
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      reap(pid_);
      break;
    }
    std::this_thread::sleep_for(kPollStep);
  }
  pid_ = -1;
  paused_ = false;
}

void RedisProcess::kill_hard() noexcept {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  reap(pid_);
  pid_ = -1;
  paused_ = false;
}

void RedisProcess::set_appendonly(bool enabled, std::string appendfsync) {
  options_.appendonly = enabled;
  options_.appendfsync = std::move(appendfsync);
}

void RedisProcess::pause() {
  if (!running()) throw std::logic_error("RedisProcess::pause: the server is not running");
  if (paused_) return;
  if (::kill(pid_, SIGSTOP) != 0) throw std::system_error(errno, std::generic_category(), "kill SIGSTOP");
  // SIGSTOP takes effect asynchronously; waiting for the stop report makes
  // "paused" true the moment pause() returns.
  int status = 0;
  pid_t result = 0;
  do {
    result = ::waitpid(pid_, &status, WUNTRACED);
  } while (result < 0 && errno == EINTR);
  if (result == pid_ && !WIFSTOPPED(status)) {
    pid_ = -1;
    throw std::runtime_error("redis-server " + describe_wait_status(status) + " while being paused");
  }
  paused_ = true;
}

void RedisProcess::resume() {
  if (!running()) throw std::logic_error("RedisProcess::resume: the server is not running");
  if (!paused_) return;
  if (::kill(pid_, SIGCONT) != 0) throw std::system_error(errno, std::generic_category(), "kill SIGCONT");
  paused_ = false;
}

std::string RedisProcess::log_tail(std::size_t lines) const {
  return last_lines(read_file_from(log_path(), 0), lines);
}

}  // namespace redkit::devserver
