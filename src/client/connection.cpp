// Connection: RESP commands and replies over a Stream, within deadlines.
#include "client/connection.hpp"

#include <fmt/format.h>

#include "client/error_translation.hpp"
#include "client/tls_context.hpp"
#include "metrics/self_recording.hpp"
#include "redkit/error.hpp"

namespace redkit::detail {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

std::unique_ptr<Stream> open_stream(const ConnectionOptions& options, const TlsContext* tls,
                                    const Deadline& deadline) {
  const std::string endpoint = options.endpoint();
  if (options.transport == ConnectionOptions::Transport::unix_socket) {
    return std::make_unique<Stream>(connect_unix(options.path, deadline, endpoint), endpoint);
  }
  Socket socket = connect_tcp(options.host, options.port, options.keepalive, deadline, endpoint);
  if (!options.tls.enabled) return std::make_unique<Stream>(std::move(socket), endpoint);
  if (tls == nullptr) throw TlsError(endpoint, "TLS requested for " + endpoint + " without a TLS context");
  const std::string& name = options.tls.server_name.empty() ? options.host : options.tls.server_name;
  return std::make_unique<Stream>(std::move(socket), endpoint, *tls, name, deadline, options.connect_timeout);
}

}  // namespace

template <typename Body>
auto Connection::guarded(Body&& body) {
  if (broken_) throw ConnectionError(endpoint(), "connection to " + endpoint() + " is broken");
  try {
    return body();
  } catch (...) {
    broken_ = true;
    throw;
  }
}

Connection::Connection(std::unique_ptr<Stream> stream, std::chrono::milliseconds command_timeout)
    : stream_(std::move(stream)), command_timeout_(command_timeout), active_timeout_(command_timeout) {}

std::unique_ptr<Connection> Connection::open(const ConnectionOptions& options, const TlsContext* tls) {
  SelfTimer connect_timer(SelfOp::client_connect);
  const Deadline deadline = Deadline::after(options.connect_timeout);
  std::unique_ptr<Connection> connection(
      new Connection(open_stream(options, tls, deadline), options.command_timeout));
  connection->handshake(options, deadline);
  return connection;
}

void Connection::handshake(const ConnectionOptions& options, const Deadline& deadline) {
  // AUTH, SELECT, CLIENT SETNAME and a PING go out together: one round trip,
  // and the PING turns "this server needs a password" into a clear error now
  // rather than a NOAUTH on the caller's first command.
  std::vector<Command> commands;
  if (!options.password.empty()) {
    Command auth("AUTH");
    if (!options.user.empty()) auth.arg(options.user);
    commands.push_back(std::move(auth.arg(options.password).mark_keyless()));
  }
  if (options.db != 0) commands.push_back(std::move(Command("SELECT").arg(options.db).mark_keyless()));
  if (!options.client_name.empty()) {
    commands.push_back(Command::keyless({"CLIENT", "SETNAME", options.client_name}));
  }
  commands.push_back(Command::keyless({"PING"}));

  std::vector<Reply> replies;
  try {
    replies = guarded([&] {
      send(commands, deadline);
      std::vector<Reply> out;
      for (std::size_t i = 0; i < commands.size(); ++i) {
        out.push_back(read_reply(deadline));
      }
      return out;
    });
  } catch (const TimeoutError&) {
    throw_timeout(endpoint(), "cannot connect to", options.connect_timeout);
  }
  for (std::size_t i = 0; i < replies.size(); ++i) {
    if (!replies[i].is_error()) continue;
    const std::string& message = replies[i].error_message();
    std::string_view name = commands[i].name();
    broken_ = true;
    if (name == "AUTH") {
      std::string who = options.user.empty() ? "the default user" : fmt::format("user \"{}\"", options.user);
      throw AuthError(endpoint(), fmt::format("authentication as {} failed at {}: {}", who, endpoint(), message));
    }
    if (message.rfind("NOAUTH", 0) == 0) {
      throw AuthError(endpoint(), fmt::format("{} requires a password (give one in the URL: "
                                              "redis://user:password@host): {}",
                                              endpoint(), message));
    }
    if (name == "SELECT") {
      throw ConnectionError(endpoint(),
                            fmt::format("cannot select database {} at {}: {}", options.db, endpoint(), message));
    }
    throw ConnectionError(endpoint(), fmt::format("cannot set up connection to {}: {} failed: {}", endpoint(),
                                                  commands[i].to_display(), message));
  }
}

void Connection::send(std::span<const Command> commands, const Deadline& deadline) {
  guarded([&] {
    write_buffer_.clear();
    for (const Command& c : commands) c.append_resp(write_buffer_);
    std::string_view pending = write_buffer_;
    char chunk[kReadChunk];
    while (!pending.empty()) {
      std::size_t written = stream_->write_some(pending);
      if (written > 0) {
        pending.remove_prefix(written);
        continue;
      }
      // The socket is full. Take in replies meanwhile so neither side waits
      // on the other with full buffers.
      while (std::size_t n = stream_->read_some(chunk, sizeof chunk)) reader_.feed({chunk, n});
      if (!stream_->wait_writable_or_readable(deadline)) throw_timeout(endpoint(), kWriteAction, active_timeout_);
    }
    // Do not keep the memory of one huge pipeline for the connection's life.
    if (write_buffer_.capacity() > (1u << 20)) write_buffer_ = std::string();
  });
}

std::optional<Reply> Connection::poll_reply() {
  return guarded([&]() -> std::optional<Reply> {
    if (auto reply = reader_.next()) return reply;
    char chunk[kReadChunk];
    while (std::size_t n = stream_->read_some(chunk, sizeof chunk)) {
      reader_.feed({chunk, n});
      if (n < sizeof chunk) break;
    }
    return reader_.next();
  });
}

Reply Connection::read_reply(const Deadline& deadline) {
  return guarded([&] {
    char chunk[kReadChunk];
    for (;;) {
      if (auto reply = reader_.next()) return std::move(*reply);
      // Wait first: right after a send the reply is almost never there yet,
      // and a read that fails with EAGAIN would be a wasted system call.
      if (!stream_->wait_readable(deadline)) throw_timeout(endpoint(), kReplyAction, active_timeout_);
      if (std::size_t n = stream_->read_some(chunk, sizeof chunk)) reader_.feed({chunk, n});
    }
  });
}

std::vector<Reply> Connection::execute(std::span<const Command> commands) {
  return execute(commands, command_timeout_);
}

std::vector<Reply> Connection::execute(std::span<const Command> commands, std::chrono::milliseconds timeout) {
  SelfTimer round_trip(SelfOp::client_round_trip);
  const Deadline deadline = Deadline::after(timeout);
  active_timeout_ = timeout;
  // Allocate before sending: nothing may throw between a send and its reads
  // without marking the connection broken.
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  send(commands, deadline);
  for (std::size_t i = 0; i < commands.size(); ++i) replies.push_back(read_reply(deadline));
  return replies;
}

Reply Connection::execute(const Command& command) {
  SelfTimer round_trip(SelfOp::client_round_trip);
  const Deadline deadline = Deadline::after(command_timeout_);
  active_timeout_ = command_timeout_;
  send(std::span<const Command>(&command, 1), deadline);
  return read_reply(deadline);
}

bool Connection::looks_dead() {
  if (broken_) return true;
  if (reader_.has_partial() || stream_->looks_dead()) broken_ = true;
  return broken_;
}

}  // namespace redkit::detail
