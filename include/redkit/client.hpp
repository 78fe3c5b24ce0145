// redkit/client.hpp — the entry point: a thread-safe handle to one Redis
// server, with a connection pool, pipelines, scripts and pub/sub.
//
//   redkit::Client client;                          // $REDIS_URL or 127.0.0.1:6379
//   client.command({"SET", "greeting", "hello"});
//   auto replies = client.pipeline().add({"INCR", "n"}).add({"GET", "n"}).exec();
//   auto sub = client.subscriber().subscribe("news",
//       [](std::string_view channel, std::string_view message) { /* ... */ });
//
// Thread-safety: every member function may be called from any number of
// threads at once. Copies of a Client share one pool and one subscriber
// connection; the connections close when the last copy is destroyed.
#pragma once

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "redkit/command.hpp"
#include "redkit/options.hpp"
#include "redkit/reply.hpp"
#include "redkit/subscriber.hpp"

namespace redkit {

class Pipeline;

struct PoolStats {
  std::size_t open = 0;     // connections currently open
  std::size_t idle = 0;     // of those, waiting in the pool
  std::size_t created = 0;  // connections opened since the client was made
  std::size_t discarded = 0;  // connections dropped as broken or timed out
};

class Client {
 public:
  // $REDIS_URL when set, else redis://127.0.0.1:6379; default pool.
  // Throws InvalidArgument if $REDIS_URL is malformed.
  Client();
  // Connects lazily: no connection is opened until the first command.
  // Throws InvalidArgument if the options are out of range.
  explicit Client(ClientOptions options);
  // Shorthand for a client with default pool options and the given URL.
  explicit Client(std::string_view url);
  // Copies share the pool. There is no move: a moved-from handle would be an
  // empty one, and copying costs one reference count.
  Client(const Client&) = default;
  Client& operator=(const Client&) = default;

  // Sends one command and returns its reply. An error reply throws
  // ReplyError; a broken or unreachable connection throws ConnectionError
  // (TimeoutError past the command timeout). A script whose SHA the server
  // does not know is loaded and retried transparently.
  Reply command(const Command& command) const;
  Reply command(std::initializer_list<std::string_view> args) const;

  // Sends many commands in one write and reads all replies in one round trip.
  // Error replies are returned in place, not thrown, so one failing command
  // does not hide the others' results. Throws ConnectionError as command().
  std::vector<Reply> execute(std::span<const Command> commands) const;
  // As above, waiting at most `timeout` for the replies (0: forever) instead
  // of the configured command timeout: for callers with a deadline of their
  // own, like a lock renewal that must finish while the lock is valid.
  std::vector<Reply> execute(std::span<const Command> commands, std::chrono::milliseconds timeout) const;

  // A builder for execute(): client.pipeline().add(...).add(...).exec().
  Pipeline pipeline() const;

  // The dedicated pub/sub connection of this client, created on first use.
  // The reference is valid while any copy of this Client exists.
  Subscriber& subscriber() const;

  // Round-trip time of one PING.
  std::chrono::microseconds ping() const;

  const ClientOptions& options() const noexcept;
  PoolStats pool_stats() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace redkit

// Pipeline holds a Client, so it is defined once Client is complete.
#include "redkit/pipeline.hpp"
