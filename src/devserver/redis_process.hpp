// A private redis-server child process: started from PATH on a free loopback
// port and/or a unix socket in its own temporary directory, stopped by its PID.
// Used by `redkit demo` and the benchmarks (the embedded default) and by the
// test harness, which also restarts, kills and pauses it to inject faults.
//
//   redkit::devserver::RedisProcess server({.unix_socket = true});
//   redkit::Client client(server.unix_url());
//
// The server is killed when the thread that started it exits (so a crashed
// run leaves no server behind): start it from a thread that outlives it.
//
// Thread-safety: one thread controls a RedisProcess at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "devserver/net_probe.hpp"

namespace redkit::devserver {

struct RedisProcessOptions {
  // Listen on 127.0.0.1 on a TCP port. 0 picks a free port (and picks another
  // one if that was taken before the server could bind it). With tcp false
  // the server gets --port 0 and only listens where extra_args say.
  bool tcp = true;
  int port = 0;
  // Also listen on <dir>/redis.sock. The harness always has a unix socket of
  // its own for readiness checks, this only decides whether urls expose it.
  bool unix_socket = true;
  // appendonly yes with this appendfsync ("always", "everysec", "no").
  bool appendonly = false;
  std::string appendfsync = "always";
  // requirepass for the default user, empty for none.
  std::string requirepass{};
  // Further "--name value" arguments passed verbatim (tls-*, ACL rules...).
  std::vector<std::string> extra_args{};
  // Working directory (AOF, logs). Empty: a fresh temporary directory that is
  // removed by the destructor.
  std::filesystem::path dir{};
  // How long start() waits for the server to answer.
  std::chrono::milliseconds start_timeout{10000};
};

class RedisProcess {
 public:
  // Starts the server and waits until it answers PING. Throws
  // std::runtime_error naming the command line and the log's last lines if it
  // does not come up.
  explicit RedisProcess(RedisProcessOptions options = {});
  // Stops the server (SIGTERM, then SIGKILL) and removes an owned directory.
  // Never throws.
  ~RedisProcess();
  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  // The TCP port, 0 when options.tcp is false. Kept across restarts.
  int port() const noexcept { return port_; }
  std::filesystem::path socket_path() const;
  const std::filesystem::path& dir() const noexcept { return dir_; }
  const RedisProcessOptions& options() const noexcept { return options_; }
  // redis://127.0.0.1:<port> (no credentials). Throws std::logic_error when
  // options.tcp is false.
  std::string url() const;
  // unix://<dir>/redis.sock. Throws std::logic_error when options.unix_socket
  // is false.
  std::string unix_url() const;

  // SIGTERM (after SIGCONT when paused), wait for exit, SIGKILL after 5 s.
  // No-op when not running.
  void stop() noexcept;
  // SIGKILL without waiting for anything to be flushed, then reap.
  void kill_hard() noexcept;
  // Starts again on the same port and directory, so an AOF is reloaded. No-op
  // when running. Throws like the constructor (no retry on another port).
  void start();
  void restart();
  // Changes persistence for the next start().
  void set_appendonly(bool enabled, std::string appendfsync = "always");
  // SIGSTOP / SIGCONT: the server stops answering but keeps its sockets (the
  // kernel still accepts connections into the backlog). pause() returns once
  // the process is stopped. Both throw std::logic_error when not running.
  void pause();
  void resume();
  bool running() const noexcept { return pid_ > 0; }
  bool paused() const noexcept { return paused_; }

  // The last lines of the server's log (its stdout and stderr included), for
  // failure messages. Empty when there is no log yet.
  std::string log_tail(std::size_t lines = 20) const;

 private:
  void start_on_any_free_port();
  void launch();
  void wait_until_ready();
  std::filesystem::path log_path() const;

  RedisProcessOptions options_;
  std::filesystem::path dir_;
  bool owns_dir_ = false;
  pid_t pid_ = -1;
  int port_ = 0;
  bool paused_ = false;
  // The last launch's command line and where its output starts in the log,
  // so a failure reports only what that launch wrote.
  std::string command_line_;
  std::uintmax_t log_offset_ = 0;
};

}  // namespace redkit::devserver
