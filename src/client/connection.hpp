// Connection: one authenticated session with a Redis server, speaking RESP
// over a Stream. It sends commands and reads replies within deadlines; any
// I/O failure or timeout marks it broken, and a broken connection is never
// used again (the pool discards it).
//
// Thread-safety: none. The pool lends a connection to one thread at a time;
// the subscriber's connection belongs to its thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "client/deadline.hpp"
#include "client/reply_reader.hpp"
#include "client/stream.hpp"
#include "redkit/command.hpp"
#include "redkit/options.hpp"
#include "redkit/reply.hpp"

namespace redkit::detail {

class TlsContext;

class Connection {
 public:
  // Connects, handshakes (TLS), authenticates, selects the database and sets
  // the client name, all in one round trip after the handshake and within
  // options.connect_timeout. tls must be non-null when options.tls.enabled.
  // Throws ConnectionError, TimeoutError, TlsError or AuthError.
  static std::unique_ptr<Connection> open(const ConnectionOptions& options, const TlsContext* tls);

  // Sends the commands in one write and returns one reply per command (error
  // replies in place), within one command timeout.
  std::vector<Reply> execute(std::span<const Command> commands);
  // As above with its own timeout instead of the connection's.
  std::vector<Reply> execute(std::span<const Command> commands, std::chrono::milliseconds timeout);
  Reply execute(const Command& command);

  // Writes commands without reading replies (pub/sub requests).
  void send(std::span<const Command> commands, const Deadline& deadline);
  // Reads whatever the socket has without blocking, then returns the next
  // complete reply if there is one.
  std::optional<Reply> poll_reply();
  Reply read_reply(const Deadline& deadline);

  bool broken() const noexcept { return broken_; }
  void mark_broken() noexcept { broken_ = true; }
  // Checks an idle connection without a round trip (see Stream::looks_dead).
  bool looks_dead();

  // Scripts this connection has loaded (SCRIPT LOAD) since it was opened; a
  // restarted server means a new connection, so the set starts empty again.
  bool knows_script(const std::string& sha1) const { return known_scripts_.contains(sha1); }
  void remember_script(const std::string& sha1) { known_scripts_.insert(sha1); }
  void forget_scripts() noexcept { known_scripts_.clear(); }

  int fd() const noexcept { return stream_->fd(); }
  const std::string& endpoint() const noexcept { return stream_->endpoint(); }
  std::chrono::milliseconds command_timeout() const noexcept { return command_timeout_; }
  // Position in the pool's sequence of opened connections.
  std::uint64_t serial() const noexcept { return serial_; }
  void set_serial(std::uint64_t serial) noexcept { serial_ = serial; }

 private:
  Connection(std::unique_ptr<Stream> stream, std::chrono::milliseconds command_timeout);
  void handshake(const ConnectionOptions& options, const Deadline& deadline);
  // Runs body; on any exception marks the connection broken and rethrows.
  template <typename Body>
  auto guarded(Body&& body);

  std::unique_ptr<Stream> stream_;
  ReplyReader reader_;
  std::string write_buffer_;
  std::chrono::milliseconds command_timeout_;
  std::chrono::milliseconds active_timeout_;  // of the call in progress, for messages
  std::uint64_t serial_ = 0;
  bool broken_ = false;
  std::unordered_set<std::string> known_scripts_;
};

}  // namespace redkit::detail
